"""geoip2fast's country and AS-name ranges as Parquet tables, built once per release into a cache folder.

geoip2fast ships MaxMind GeoLite2 data of its release as pickled range lists. :func:`range_tables` turns them
once into ``country.parquet`` and ``as_name.parquet`` under the cache folder (about a second; later runs
read them in milliseconds): rows of ``start_hi, start_lo, end_hi, end_lo, value``, sorted by start, keys as in
:mod:`celtrace.logs.address_keys`. The SQL path loads them into DuckDB; :class:`Ranges` answers one address.
"""

from __future__ import annotations

import bisect
import gzip
import pickle
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import geoip2fast
import numpy as np

from celtrace.logs.address_keys import MAPPED_V4, split_keys

KINDS = ("country", "as_name")
"""The range tables, each ``KIND.parquet`` in the cache folder."""

_GEO_FILE = "geoip2fast-asn-ipv6.dat.gz"  # country and AS name ranges, IPv4 and IPv6, in one pickle
_GEO_RESERVED = 16  # geoip2fast's first 16 country names are its own reserved and "not found" markers
_GEO_NO_AS = {"<unknown>", "IANA.ORG"}


def range_tables(con: duckdb.DuckDBPyConnection, cache_dir: Path) -> Path:
    """The folder holding the range tables of the installed geoip2fast, built with ``con`` if missing."""
    folder = _cache_folder(cache_dir)
    if not folder.exists():
        _build(con, folder)
    return folder


@dataclass(frozen=True)
class Ranges:
    """One range table in memory, for looking addresses up one at a time."""

    starts: list[int]
    stops: list[int]
    values: list[str]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, parquet: Path) -> Ranges:
        """Load a table written by :func:`range_tables`."""
        arrays = con.execute(f"SELECT * FROM read_parquet('{parquet}')").fetchnumpy()
        starts = [(int(h) << 64) | int(lo) for h, lo in zip(arrays["start_hi"], arrays["start_lo"], strict=True)]
        stops = [(int(h) << 64) | int(lo) for h, lo in zip(arrays["end_hi"], arrays["end_lo"], strict=True)]
        return cls(starts, stops, list(arrays["value"]))

    def find(self, key: int) -> str | None:
        """The value of the range holding ``key``, or None."""
        index = bisect.bisect_right(self.starts, key) - 1
        return self.values[index] if index >= 0 and key <= self.stops[index] else None


def _data_file() -> Path:
    return Path(geoip2fast.__file__).with_name(_GEO_FILE)


def _cache_folder(cache_dir: Path) -> Path:
    # A new geoip2fast release or a data file updated in place (its size changes) gets a new folder.
    return cache_dir / f"geoip2fast-{geoip2fast.__version__}-{_data_file().stat().st_size}"


def _build(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Turn geoip2fast's pickled range lists into ``country.parquet`` and ``as_name.parquet``."""
    with gzip.open(_data_file(), "rb") as file:
        # geoip2fast's own data file, shipped in its wheel: as trusted as its code, which unpickles it too.
        _version, _info, _count, tables = pickle.load(file)
    _, _, country_names, as_names, first_c, first_a, id_c, id_a, bits_c, bits_a = tables
    tmp = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}.tmp")
    tmp.mkdir(parents=True)
    for kind, names, firsts, ids, prefixes in (
        ("country", [n.split(":", 1)[0] for n in country_names], first_c, id_c, bits_c),
        ("as_name", as_names, first_a, id_a, bits_a),
    ):
        skip = {i for i, name in enumerate(names) if (i < _GEO_RESERVED if kind == "country" else name in _GEO_NO_AS)}
        starts, ends, values = [], [], []
        # Ranges come in chunks of (first address, name index, prefix length); geoip2fast numbers IPv4 as
        # 0..2**32-1 and IPv6 above, and lists no IPv6 range below 2**32.
        for chunk_first, chunk_id, chunk_bits in zip(firsts, ids, prefixes, strict=True):
            for first, index, bits in zip(chunk_first, chunk_id, chunk_bits, strict=True):
                if index in skip:
                    continue
                size = 1 << ((32 if first < 1 << 32 else 128) - bits)
                start = first + MAPPED_V4 if first < 1 << 32 else first
                starts.append(start)
                ends.append(start + size - 1)
                values.append(names[index])
        start_hi, start_lo = split_keys(starts)
        end_hi, end_lo = split_keys(ends)
        frame = {"start_hi": start_hi, "start_lo": start_lo, "end_hi": end_hi, "end_lo": end_lo}
        frame["value"] = np.array(values, dtype=object)
        con.register("celtrace_geo_build", frame)
        con.execute(
            "COPY (SELECT * FROM celtrace_geo_build ORDER BY start_hi, start_lo) "
            f"TO '{tmp / kind}.parquet' (FORMAT parquet)"
        )
        con.unregister("celtrace_geo_build")
    try:
        tmp.rename(folder)  # atomic: a half-written cache is never seen
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
