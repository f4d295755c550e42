"""Settings, read in one place: a TOML file, then ``CELTRACE_*`` environment variables over it.

Precedence, lowest first: built-in defaults, ``celtrace.toml`` in the workspace (or the file named by
``CELTRACE_CONFIG``), environment variables, then explicit arguments (the CLI's ``--workspace``).
Functions take a :class:`Settings` object; nothing reads the environment anywhere else.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from celtrace.errors import ConfigError

DEFAULT_WORKSPACE = Path("celtrace-workspace")
CONFIG_FILE_NAME = "celtrace.toml"

#: Points a finding of each severity adds to its vendor's own risk score (0-100, capped).
DEFAULT_SEVERITY_POINTS: Mapping[str, float] = {
    "critical": 100.0,
    "high": 50.0,
    "medium": 25.0,
    "low": 10.0,
    "info": 0.0,
}


@dataclass(frozen=True)
class RiskSettings:
    """How findings become a vendor's score and how far risk carries up the chain.

    ``tier_factor`` is the share of a subcontractor's score its client inherits: at 0.6, a sanctioned
    front company three tiers down still adds 0.6³ × 100 ≈ 22 points at the top of the chain.
    """

    tier_factor: float = 0.6
    severity_points: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_POINTS))


@dataclass(frozen=True)
class Settings:
    """Everything a celtrace function may need to know about its environment."""

    workspace: Path = DEFAULT_WORKSPACE
    database_url: str | None = None
    actor: str = "unknown"
    risk: RiskSettings = field(default_factory=RiskSettings)
    config_file: Path | None = None
    #: Derived data shared by every workspace on the machine (IP range tables built from package data).
    cache: Path | None = None
    #: Where ``--engine spark`` runs: ``local[*]`` (this machine's cores), ``spark://host:7077``, ``yarn``,
    #: ``k8s://https://host:443`` (``CELTRACE_SPARK_MASTER``).
    spark_master: str = "local[*]"

    def with_workspace(self, workspace: Path) -> Settings:
        """The same settings pointed at another workspace folder."""
        return replace(self, workspace=workspace)


def load_settings(
    workspace: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read settings for ``workspace`` (else ``CELTRACE_WORKSPACE``, else ``./celtrace-workspace``)."""
    env = os.environ if environ is None else environ
    folder = workspace or Path(env.get("CELTRACE_WORKSPACE") or DEFAULT_WORKSPACE)
    if env.get("CELTRACE_CONFIG"):
        config_path = Path(env["CELTRACE_CONFIG"])
        if not config_path.is_file():
            raise ConfigError(f"CELTRACE_CONFIG names {config_path}, which is not a file")
    else:
        config_path = folder / CONFIG_FILE_NAME
    data = _read_toml(config_path)

    risk_data = _table(data, "risk", config_path)
    points = dict(DEFAULT_SEVERITY_POINTS)
    for severity, value in _table(risk_data, "points", config_path, "risk.points").items():
        if severity not in points:
            raise ConfigError(f"{config_path}: [risk.points] has unknown severity {severity!r}")
        points[severity] = _file_number(value, f"risk.points.{severity}", config_path, 100.0)
    tier_factor = _file_number(risk_data.get("tier_factor", 0.6), "risk.tier_factor", config_path, 1.0)
    if "CELTRACE_RISK_TIER_FACTOR" in env:
        tier_factor = _number(env["CELTRACE_RISK_TIER_FACTOR"], "CELTRACE_RISK_TIER_FACTOR", "environment", 0.0, 1.0)

    database_url = env.get("CELTRACE_DATABASE_URL") or _optional_str(data, "database_url", config_path)
    return Settings(
        workspace=folder,
        database_url=database_url,
        actor=env.get("CELTRACE_ACTOR") or _login_name(),
        risk=RiskSettings(tier_factor=tier_factor, severity_points=points),
        config_file=config_path if config_path.exists() else None,
        cache=_cache(env),
        spark_master=env.get("CELTRACE_SPARK_MASTER") or _optional_str(data, "spark_master", config_path) or "local[*]",
    )


def _cache(env: Mapping[str, str]) -> Path | None:
    """``CELTRACE_CACHE``, else ``$XDG_CACHE_HOME/celtrace`` or ``~/.cache/celtrace``; None when no home."""
    if env.get("CELTRACE_CACHE"):
        return Path(env["CELTRACE_CACHE"])
    base = env.get("XDG_CACHE_HOME") or (str(Path(env["HOME"]) / ".cache") if env.get("HOME") else None)
    return Path(base) / "celtrace" if base else None


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from error


def _table(data: Mapping[str, Any], key: str, path: Path, name: str | None = None) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {name or key} must be a table")
    return value


def _file_number(value: object, name: str, path: Path, high: float) -> float:
    # TOML has real numbers: a quoted "0.5" or a boolean in the file is a mistake worth naming.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {name} must be a number, not {value!r}")
    return _number(value, name, str(path), 0.0, high)


def _optional_str(data: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{path}: {key} must be a string")
    return value


def _number(value: object, name: str, origin: str, low: float, high: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{origin}: {name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{origin}: {name} must be between {low:g} and {high:g}, not {number:g}")
    return number


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        # No login name in some containers; the audit log still needs an actor.
        return "unknown"
