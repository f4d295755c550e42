"""A world map drawn on the server as SVG paths, from Natural Earth's 1:110m countries (npm ``world-atlas``).

The TopoJSON file is vendored beside the static files (``scripts/vendor-web-assets.sh``); it is decoded here
once and projected plate carrée, so the page needs no map library and nothing is fetched at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

import pycountry

WIDTH = 960
HEIGHT = 480


@dataclass(frozen=True)
class Country:
    """One country's outline as an SVG path, with its ISO code and a point to put its marker on."""

    code: str | None
    name: str
    path: str
    x: float
    y: float


def project(lon: float, lat: float) -> tuple[float, float]:
    """Plate carrée: longitude and latitude straight onto the map's pixels."""
    return (lon + 180.0) * WIDTH / 360.0, (90.0 - lat) * HEIGHT / 180.0


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the map (decoded once per process)."""
    text = resources.files("celtrace.web").joinpath("static/vendor/countries-110m.json").read_text("utf-8")
    topo = json.loads(text)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(project(x * sx + tx, y * sy + ty))
        arcs.append(points)
    result = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        if not rings:
            continue
        path = " ".join(_svg_ring(ring) for ring in rings if ring)
        largest = max(rings, key=len)
        cx = sum(x for x, _ in largest) / len(largest)
        cy = sum(y for _, y in largest) / len(largest)
        code = _alpha2(geometry.get("id"))
        result.append(Country(code, str(geometry.get("properties", {}).get("name", "")), path, cx, cy))
    return tuple(result)


def _svg_ring(ring: list[tuple[float, float]]) -> str:
    """One ring as path commands; a step across the antimeridian starts a new piece instead of a line
    drawn across the whole map (Russia, Fiji and Antarctica cross it)."""
    parts = [f"M{ring[0][0]:.1f},{ring[0][1]:.1f}"]
    for (x0, _), (x, y) in pairwise(ring):
        parts.append(f"{'M' if abs(x - x0) > WIDTH / 2 else 'L'}{x:.1f},{y:.1f}")
    return "".join(parts) + "Z"


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their joining point.
        points.extend(arc[1:] if points else arc)
    return points


def _alpha2(numeric: object) -> str | None:
    if numeric is None:
        return None
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return str(country.alpha_2) if country is not None else None


def centre(code: str) -> tuple[float, float] | None:
    """Where a country's marker goes: the middle of its largest outline, or None if the map lacks it."""
    for country in countries():
        if country.code == code:
            return country.x, country.y
    return None
