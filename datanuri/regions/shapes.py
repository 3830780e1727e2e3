"""Shapes for drawing Korea: the 시도 tile layout (a grid of the 17 시도, as in Korean news
graphics) and a coarse outline of the mainland and Jeju (longitude, latitude) for point maps."""

from __future__ import annotations

#: 시도 code → (column, row) on a 4 × 5 grid, north-west at (0, 0).
TILES: dict[str, tuple[int, int]] = {
    "28": (0, 0),  # 인천
    "11": (1, 0),  # 서울
    "41": (2, 0),  # 경기
    "51": (3, 0),  # 강원
    "44": (0, 1),  # 충남
    "36": (1, 1),  # 세종
    "43": (2, 1),  # 충북
    "47": (3, 1),  # 경북
    "52": (0, 2),  # 전북
    "30": (1, 2),  # 대전
    "27": (2, 2),  # 대구
    "31": (3, 2),  # 울산
    "46": (0, 3),  # 전남
    "29": (1, 3),  # 광주
    "48": (2, 3),  # 경남
    "26": (3, 3),  # 부산
    "50": (0, 4),  # 제주
}
TILE_COLUMNS, TILE_ROWS = 4, 5

#: A coarse coastline and DMZ line of the mainland, clockwise from the Han estuary.
MAINLAND: tuple[tuple[float, float], ...] = (
    (126.15, 37.75),
    (126.55, 37.78),
    (126.68, 37.95),
    (127.0, 38.05),
    (127.5, 38.3),
    (128.0, 38.32),
    (128.36, 38.62),
    (128.6, 38.2),
    (128.9, 37.75),
    (129.1, 37.5),
    (129.25, 37.3),
    (129.42, 36.95),
    (129.42, 36.45),
    (129.6, 36.05),
    (129.45, 35.55),
    (129.25, 35.2),
    (129.05, 35.05),
    (128.6, 34.85),
    (128.35, 34.85),
    (127.9, 34.75),
    (127.7, 34.72),
    (127.35, 34.5),
    (126.95, 34.4),
    (126.55, 34.3),
    (126.35, 34.55),
    (126.38, 34.85),
    (126.35, 35.25),
    (126.5, 35.65),
    (126.65, 36.0),
    (126.5, 36.35),
    (126.2, 36.6),
    (126.15, 36.85),
    (126.5, 37.0),
    (126.85, 37.0),
    (126.7, 37.2),
    (126.62, 37.45),
    (126.55, 37.65),
)
#: Jeju as a polygon round its centre (126.55, 33.38).
JEJU: tuple[tuple[float, float], ...] = (
    (126.15, 33.35),
    (126.3, 33.22),
    (126.55, 33.2),
    (126.85, 33.3),
    (126.95, 33.45),
    (126.75, 33.55),
    (126.5, 33.52),
    (126.25, 33.45),
)

#: Short English names that fit a tile (others use the list's English name).
SHORT_EN: dict[str, str] = {
    "41": "Gyeonggi",
    "43": "Chungbuk",
    "44": "Chungnam",
    "46": "Jeonnam",
    "47": "Gyeongbuk",
    "48": "Gyeongnam",
    "51": "Gangwon",
    "52": "Jeonbuk",
    "50": "Jeju",
}
