"""Settings: built-in defaults, the workspace's TOML file, CELTRACE_* variables over it, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from celtrace.config import (
    CONFIG_FILE_NAME,
    DEFAULT_SEVERITY_POINTS,
    DEFAULT_WORKSPACE,
    Settings,
    load_settings,
)
from celtrace.errors import ConfigError
from celtrace.workspace import init_workspace


def _write_config(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_FILE_NAME
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_ACTOR": "ana"})
    assert settings == Settings(workspace=tmp_path / "ws", actor="ana")
    assert settings.database_url is None
    assert settings.config_file is None
    assert settings.risk.tier_factor == 0.6
    assert dict(settings.risk.severity_points) == dict(DEFAULT_SEVERITY_POINTS)


def test_actor_falls_back_to_a_login_name(tmp_path: Path) -> None:
    assert load_settings(tmp_path, environ={}).actor


def test_workspace_comes_from_the_argument_then_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"CELTRACE_WORKSPACE": str(tmp_path / "from-env")}
    assert load_settings(tmp_path / "given", environ=env).workspace == tmp_path / "given"
    assert load_settings(environ=env).workspace == tmp_path / "from-env"
    assert load_settings(environ={}).workspace == DEFAULT_WORKSPACE


def test_values_from_the_workspace_file(tmp_path: Path) -> None:
    path = _write_config(
        tmp_path / "ws",
        """
database_url = "postgresql+psycopg://celtrace@db.internal/case"

[risk]
tier_factor = 0.5

[risk.points]
high = 60
low = 5.5
""",
    )
    settings = load_settings(tmp_path / "ws", environ={})
    assert settings.config_file == path
    assert settings.database_url == "postgresql+psycopg://celtrace@db.internal/case"
    assert settings.risk.tier_factor == 0.5
    assert dict(settings.risk.severity_points) == {**DEFAULT_SEVERITY_POINTS, "high": 60.0, "low": 5.5}


def test_celtrace_config_names_another_file(tmp_path: Path) -> None:
    _write_config(tmp_path / "ws", "[risk]\ntier_factor = 0.1\n")
    other = _write_config(tmp_path / "elsewhere", "[risk]\ntier_factor = 0.9\n")
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_CONFIG": str(other)})
    assert settings.config_file == other
    assert settings.risk.tier_factor == 0.9


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    _write_config(
        tmp_path / "ws",
        'database_url = "sqlite:///from-file.db"\n[risk]\ntier_factor = 0.5\n[risk.points]\nhigh = 60\n',
    )
    env = {
        "CELTRACE_DATABASE_URL": "postgresql+psycopg://team@db/celtrace",
        "CELTRACE_RISK_TIER_FACTOR": "0.25",
        "CELTRACE_ACTOR": "ana",
    }
    settings = load_settings(tmp_path / "ws", environ=env)
    assert settings.database_url == "postgresql+psycopg://team@db/celtrace"
    assert settings.risk.tier_factor == 0.25
    assert settings.risk.severity_points["high"] == 60.0  # untouched by the environment
    assert settings.actor == "ana"


def test_an_empty_variable_does_not_override_the_file(tmp_path: Path) -> None:
    _write_config(tmp_path / "ws", 'database_url = "sqlite:///from-file.db"\n')
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_DATABASE_URL": ""})
    assert settings.database_url == "sqlite:///from-file.db"


def test_the_file_init_writes_holds_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_ACTOR": "ana"})
    init_workspace(settings).close()
    reread = load_settings(tmp_path / "ws", environ={"CELTRACE_ACTOR": "ana"})
    assert reread.config_file == tmp_path / "ws" / CONFIG_FILE_NAME
    assert reread.database_url is None
    assert reread.risk == settings.risk


def test_with_workspace_changes_only_the_folder(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "a", environ={"CELTRACE_RISK_TIER_FACTOR": "0.3"})
    moved = settings.with_workspace(tmp_path / "b")
    assert moved.workspace == tmp_path / "b"
    assert moved.risk.tier_factor == 0.3


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[risk]\ntier_factor = 1.5\n", "risk.tier_factor must be between 0 and 1, not 1.5"),
        ("[risk]\ntier_factor = -0.1\n", "risk.tier_factor must be between 0 and 1"),
        ('[risk]\ntier_factor = "most"\n', "risk.tier_factor must be a number, not 'most'"),
        ("[risk]\ntier_factor = nan\n", "risk.tier_factor must be between 0 and 1"),
        ("[risk.points]\nhigh = 101\n", "risk.points.high must be between 0 and 100, not 101"),
        ("[risk.points]\ncritical = [100]\n", "risk.points.critical must be a number"),
        ("risk = 3\n", "risk must be a table"),
        ("[risk]\npoints = 5\n", "risk.points must be a table"),
        ('[risk]\ntier_factor = "0.5"\n', "risk.tier_factor must be a number, not '0.5'"),
        ("[risk.points]\nlow = true\n", "risk.points.low must be a number, not True"),
        ("database_url = 5\n", "database_url must be a string"),
        ("[risk\ntier_factor = 0.5\n", "not valid TOML"),
    ],
    ids=[
        "tier-too-high",
        "tier-negative",
        "tier-text",
        "tier-nan",
        "points-too-high",
        "points-list",
        "risk-not-table",
        "points-not-table",
        "tier-quoted-number",
        "points-boolean",
        "url-not-string",
        "broken-toml",
    ],
)
def test_a_bad_file_value_names_the_setting_and_the_file(tmp_path: Path, body: str, expected: str) -> None:
    path = _write_config(tmp_path / "ws", body)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path / "ws", environ={})
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / CONFIG_FILE_NAME).write_bytes(b'database_url = "\xff"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(folder, environ={})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lots", "CELTRACE_RISK_TIER_FACTOR must be a number, not 'lots'"),
        ("2", "CELTRACE_RISK_TIER_FACTOR must be between 0 and 1, not 2"),
        ("", "CELTRACE_RISK_TIER_FACTOR must be a number"),
    ],
)
def test_a_bad_variable_names_itself(tmp_path: Path, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path / "ws", environ={"CELTRACE_RISK_TIER_FACTOR": value})
    assert str(error.value).startswith(f"environment: {expected}")


def test_unknown_severity_in_risk_points_fails(tmp_path: Path) -> None:
    path = _write_config(tmp_path / "ws", "[risk.points]\nhigh = 50\nsevere = 80\n")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path / "ws", environ={})
    assert str(error.value) == f"{path}: [risk.points] has unknown severity 'severe'"


def test_a_missing_celtrace_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"CELTRACE_CONFIG names .* which is not a file"):
        load_settings(tmp_path, environ={"CELTRACE_CONFIG": str(tmp_path / "nope.toml")})


def test_a_config_path_that_cannot_be_read_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "ws" / "celtrace.toml").mkdir(parents=True)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(tmp_path / "ws", environ={})
