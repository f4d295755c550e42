"""Where an enriched address is, as far as the data tells, and how far apart two such places are at least.

A place is a set of cells, each a point with a radius in kilometres: one cell when a city database gave the
address coordinates and an accuracy radius, or a country's populated cells (``data/countries.json``, built by
``scripts/build-country-extents.py`` from GeoNames) when only the country is known. :func:`gap_km` is a lower
bound of the distance between any point of one place and any point of the other, so a rule built on it
errs towards silence, never towards calling an ordinary trip impossible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """Cells of ``[latitude, longitude, radius_km]`` (an n×3 array) that the address lies within."""

    cells: np.ndarray[Any, np.dtype[np.float64]]
    label: str


def point(latitude: float, longitude: float, accuracy_km: float, label: str) -> Place:
    """A place from a city database: its coordinates and accuracy radius."""
    return Place(np.array([[latitude, longitude, max(0.0, accuracy_km)]], dtype=np.float64), label)


def country(code: str | None) -> Place | None:
    """The populated part of a country (ISO 3166-1 alpha-2), or None for a code the data does not know."""
    cells = _countries().get((code or "").upper())
    return None if cells is None else Place(cells, code or "")


def gap_km(a: Place, b: Place) -> float:
    """The least distance between the two places: 0 when they may overlap."""
    lat1 = np.radians(a.cells[:, 0])[:, None]
    lat2 = np.radians(b.cells[:, 0])[None, :]
    dlon = np.radians(b.cells[:, 1])[None, :] - np.radians(a.cells[:, 1])[:, None]
    # Haversine, written out: no maintained library computes pairwise great-circle distances over arrays.
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    distance = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    gaps = distance - a.cells[:, 2][:, None] - b.cells[:, 2][None, :]
    return float(max(0.0, gaps.min()))


@cache
def _countries() -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    text = resources.files("celtrace.data").joinpath("countries.json").read_text(encoding="utf-8")
    return {code: np.array(cells, dtype=np.float64) for code, cells in json.loads(text)["countries"].items()}
