"""The ``events`` view over imported files, including files imported before an enrichment column existed."""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlalchemy import select

from celtrace.demo.city_database import CityNetwork, write_city_database
from celtrace.logs import engine
from celtrace.logs.enrich import ENRICHED
from celtrace.logs.importer import addresses_of, import_logs
from celtrace.workspace.schema import LogFile

DANDONG = CityNetwork("8.8.8.0/24", "CN", "CN-LN", "Dandong", latitude=40.1292, longitude=124.3947, accuracy_km=20)
COORDINATES = ("latitude", "longitude", "accuracy_km")


def _log(path: Path, ip: str, user: str) -> Path:
    path.write_text(
        f'{ip} - {user} [14/Feb/2024:10:00:00 +0000] "GET /s01e04/sc010.png HTTP/1.1" 200 48213 "-" "Mozilla/5.0"\n'
    )
    return path


def _drop_coordinates(workspace, source: str) -> None:
    """Rewrite a source's address file as an import made before coordinates joined the enrichment wrote it."""
    with workspace.session() as session:
        parquet = session.scalars(select(LogFile.parquet).where(LogFile.source == source)).one()
    path = addresses_of(workspace.files / parquet)
    old = path.with_name("old.parquet")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * EXCLUDE ({', '.join(COORDINATES)}) FROM read_parquet('{path}')) TO '{old}'")
    con.close()
    old.replace(path)


def _events(workspace) -> tuple[list[tuple], dict[str, str]]:
    with workspace.session() as session:
        con = engine.connect(session, workspace.files)
    assert con is not None
    try:
        rows = con.execute(f"SELECT source, city, {', '.join(COORDINATES)} FROM events ORDER BY source").fetchall()
        types = {name: kind for name, kind, *_ in con.execute("DESCRIBE events").fetchall()}
    finally:
        con.close()
    return rows, types


def test_old_and_new_address_files_read_together(workspace, tmp_path):
    city = write_city_database(tmp_path / "city.mmdb", [DANDONG])
    import_logs(workspace, [_log(tmp_path / "new.log", "8.8.8.8", "new.user")], "new-portal", mmdb=city)
    import_logs(workspace, [_log(tmp_path / "old.log", "8.8.8.8", "old.user")], "old-portal", mmdb=city)
    _drop_coordinates(workspace, "old-portal")
    rows, types = _events(workspace)
    assert rows == [("new-portal", "Dandong", 40.1292, 124.3947, 20), ("old-portal", "Dandong", None, None, None)]
    assert {name: types[name] for name in ENRICHED} == ENRICHED


def test_only_old_address_files_read_coordinates_as_null(workspace, tmp_path):
    city = write_city_database(tmp_path / "city.mmdb", [DANDONG])
    import_logs(workspace, [_log(tmp_path / "old.log", "8.8.8.8", "old.user")], "old-portal", mmdb=city)
    _drop_coordinates(workspace, "old-portal")
    rows, types = _events(workspace)
    assert rows == [("old-portal", "Dandong", None, None, None)]
    assert {name: types[name] for name in ENRICHED} == ENRICHED
