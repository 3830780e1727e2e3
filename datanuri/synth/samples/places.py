"""The 시군구 the sample datasets place people and shops in, from the shipped region list
(`datanuri.regions`), weighted by their 시도's population."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from datanuri.regions import sido_list
from datanuri.synth.samples.model import draw, weights_cdf

# Registered residents per 시도 in thousands, approximate (mid-2020s, rounded):
# only to weight where people live; within a 시도 every 시군구 is equally likely.
SIDO_POPULATION_K = {
    "11": 9_331, "26": 3_266, "27": 2_363, "28": 3_021, "29": 1_408, "30": 1_441, "31": 1_096,
    "36": 390, "41": 13_694, "51": 1_517, "43": 1_591, "44": 2_131, "52": 1_738, "46": 1_789,
    "47": 2_530, "48": 3_231, "50": 670,
}  # fmt: skip
CAPITAL_AREA = ("11", "28", "41")  # 수도권: commuting crosses these 시도


@dataclass(frozen=True)
class Places:
    """Every 시군구 (a 시도 without 시군구, 세종, counts as one place), as parallel arrays."""

    region_id: pa.Array  # "11:종로구", or "36" for 세종
    sido_code: pa.Array
    sido_name: pa.Array
    sigungu: pa.Array  # null for 세종
    sido_index: np.ndarray  # place -> 시도 number
    first: np.ndarray  # 시도 number -> its first place
    count: np.ndarray  # 시도 number -> its number of places
    cdf: np.ndarray  # where people live: 시도 population spread evenly over its places
    capital: np.ndarray  # place -> in 수도권
    capital_places: np.ndarray  # the places of 수도권

    def home(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Places drawn by population."""
        return draw(rng, self.cdf, size)

    def same_sido(self, rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
        """A place of the same 시도 as each of `place`, uniformly (it may be the same one)."""
        s = self.sido_index[place]
        return self.first[s] + (rng.random(len(place)) * self.count[s]).astype(np.int64)

    def nearby(self, rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
        """A place of the same 시도, or of the whole 수도권 for a place in it."""
        out = self.same_sido(rng, place)
        cap = self.capital[place]
        pick = rng.integers(0, len(self.capital_places), int(cap.sum()))
        out[cap] = self.capital_places[pick]
        return out


@lru_cache(maxsize=1)
def places() -> Places:
    """The shipped 시군구, once."""
    ids: list[str] = []
    codes: list[str] = []
    names: list[str] = []
    sgg: list[str | None] = []
    index: list[int] = []
    first: list[int] = []
    count: list[int] = []
    weight: list[float] = []
    for i, s in enumerate(sido_list()):
        members = s.sigungu or (None,)
        first.append(len(ids))
        count.append(len(members))
        for g in members:
            ids.append(s.code if g is None else f"{s.code}:{g}")
            codes.append(s.code)
            names.append(s.name)
            sgg.append(g)
            index.append(i)
            weight.append(SIDO_POPULATION_K[s.code] / len(members))
    capital = np.isin(np.array(codes), CAPITAL_AREA)
    return Places(
        region_id=pa.array(ids),
        sido_code=pa.array(codes),
        sido_name=pa.array(names),
        sigungu=pa.array(sgg, pa.string()),
        sido_index=np.array(index),
        first=np.array(first),
        count=np.array(count),
        cdf=weights_cdf(weight),
        capital=capital,
        capital_places=np.flatnonzero(capital),
    )
