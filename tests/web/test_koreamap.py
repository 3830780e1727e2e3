"""Geometry of the Korea maps: every 시도 on its own tile, colour steps by count, and a point
map that closes in on points gathered in one city."""

from __future__ import annotations

from datanuri.regions import sido_list
from datanuri.web.koreamap import LEVELS, level, point_map, tile_map


def test_every_sido_has_its_own_tile_with_its_count_and_link():
    m = tile_map({"11": 8, "26": 2}, link=lambda code: f"/search?region={code}")
    assert [t["code"] for t in m["tiles"]] == [s.code for s in sido_list()]
    places = {(t["x"], t["y"]) for t in m["tiles"]}
    assert len(places) == 17  # no two tiles overlap
    assert all(0 <= t["x"] and t["x"] + t["w"] <= m["width"] for t in m["tiles"])
    assert all(0 <= t["y"] and t["y"] + t["h"] <= m["height"] for t in m["tiles"])
    seoul = next(t for t in m["tiles"] if t["code"] == "11")
    assert (seoul["label"], seoul["count"], seoul["level"]) == ("서울", 8, LEVELS)
    assert seoul["href"] == "/search?region=11"
    jeju = next(t for t in m["tiles"] if t["code"] == "50")
    assert jeju["count"] == 0 and jeju["level"] == 0
    assert tile_map({}, lang="en")["tiles"][0]["name"] == "Seoul"


def test_colour_steps():
    assert [level(n, 10) for n in (0, 1, 2, 5, 10)] == [0, 1, 1, 3, 5]
    assert level(3, 0) == 0


def test_points_in_one_city_are_zoomed_and_spread_ones_are_not():
    seoul = point_map([(37.55, 126.98), (37.6, 127.05), (37.5, 126.9)])
    assert seoul["zoomed"] and len(seoul["points"]) == 3
    x, y, w, h = (float(v) for v in seoul["view"].split())
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in seoul["points"])
    country = point_map([(37.55, 126.98), (35.1, 129.0), (33.5, 126.5)])
    assert not country["zoomed"] and country["view"].startswith("0")
