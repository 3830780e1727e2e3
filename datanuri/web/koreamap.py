"""Geometry of the Korea maps drawn as inline SVG (the templates draw it): the 시도 tile map
coloured by counts, and points over a coarse outline. Pure functions of counts and points."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from datanuri.regions import sido_list
from datanuri.regions.shapes import JEJU, MAINLAND, SHORT_EN, TILE_COLUMNS, TILE_ROWS, TILES

TILE_W, TILE_H, GAP = 72, 52, 4
LEVELS = 5  # colour steps above zero (CSS classes q0 … q5)
# Point map: an equirectangular view of Korea, shrunk east-west by cos(36°).
LON0, LON1, LAT0, LAT1 = 124.6, 130.0, 33.0, 38.7
SCALE = 80.0
KX = math.cos(math.radians(36.0))
MIN_SPAN = 4.0  # SVG units (about 0.05°): the closest a point map zooms


def level(count: int, top: int) -> int:
    """The colour step of a count: 0 for none, else 1 … LEVELS by its share of the largest."""
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(count / top * LEVELS)))


def tile_map(
    counts: Mapping[str, int], *, lang: str = "ko", link: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """Tiles of the 17 시도 with their counts (by 시도 code), colour steps and links."""
    top = max(counts.values(), default=0)
    tiles = []
    for s in sido_list():
        col, row = TILES[s.code]
        n = int(counts.get(s.code, 0))
        short = s.aliases[0] if s.aliases else s.name
        tiles.append(
            {
                "code": s.code,
                "x": GAP + col * (TILE_W + GAP),
                "y": GAP + row * (TILE_H + GAP),
                "w": TILE_W,
                "h": TILE_H,
                "label": short if lang == "ko" else SHORT_EN.get(s.code, s.name_en),
                "name": s.name if lang == "ko" else s.name_en,
                "count": n,
                "level": level(n, top),
                "href": link(s.code) if link is not None else None,
            }
        )
    return {
        "tiles": tiles,
        "width": GAP + TILE_COLUMNS * (TILE_W + GAP),
        "height": GAP + TILE_ROWS * (TILE_H + GAP),
        "max": top,
        "levels": list(range(LEVELS + 1)),
    }


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - LON0) * SCALE * KX, 1), round((LAT1 - lat) * SCALE, 1)


def _path(ring: Sequence[tuple[float, float]]) -> str:
    pts = [_xy(lon, lat) for lon, lat in ring]
    return "M" + " L".join(f"{x},{y}" for x, y in pts) + " Z"


def point_map(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """(lat, lon) points over a coarse outline of Korea, in SVG units; the view closes in on
    the points when they lie in a small area (one city), so their spread stays visible."""
    width, height = _xy(LON1, LAT0)
    xy = [_xy(lon, lat) for lat, lon in points]
    box = (0.0, 0.0, width, height)
    if xy:
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        span = max(max(xs) - min(xs), max(ys) - min(ys), MIN_SPAN)
        if span < width / 3:
            side = span * 1.15
            cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
            w, h = side, side * height / width
            box = (round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1), round(h, 1))
    zoom = box[2] / width
    return {
        "width": width,
        "height": height,
        "view": " ".join(str(v) for v in box),
        "zoomed": zoom < 1,
        "r": round(max(2.6 * zoom, 0.05), 3),
        "outline": [_path(MAINLAND), _path(JEJU)],
        "points": xy,
    }
