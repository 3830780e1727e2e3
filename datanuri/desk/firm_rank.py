"""Ranking analysis firms for a processing project, with the reasons as (Korean, English) texts.

Pure: it sees only `FirmFacts` and `Needs`. Required certifications are a hard filter (a firm
without them is listed as excluded, with what it lacks); the others are scored by a weighted fit:

    skill coverage 0.40 · sector 0.20 · experience 0.25 · rating 0.15

Experience counts projects completed on the platform in the skills asked for (each 1) and
projects the firm declares on its profile (each 0.5, unverified), up to 2 per skill asked for.
A firm never rated gets a neutral rating of 3/5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from datanuri.desk.firm_rules import CERTIFICATIONS, SECTORS, SKILLS, Pair

W_SKILLS, W_SECTOR, W_EXPERIENCE, W_RATING = 0.40, 0.20, 0.25, 0.15
EXPERIENCE_PER_SKILL = 2.0
DECLARED_WEIGHT = 0.5
NEUTRAL_RATING = 3.0


@dataclass(frozen=True)
class FirmFacts:
    name: str
    title: str
    skills: tuple[str, ...]
    sectors: tuple[str, ...]
    certifications: tuple[str, ...]
    completed: Mapping[str, int]  # skill -> projects completed on the platform
    declared: Mapping[str, int]  # skill -> past projects declared on the profile
    rating: float | None  # mean of the platform's ratings, 1..5
    ratings: int  # how many


@dataclass(frozen=True)
class Needs:
    skills: tuple[str, ...]
    sector: str | None
    certifications: tuple[str, ...]  # required


@dataclass(frozen=True)
class Fit:
    name: str
    title: str
    score: float  # 0..1, rounded to 3 places
    eligible: bool
    missing: tuple[str, ...]  # required certifications the firm lacks
    reasons: tuple[Pair, ...]


def _ko(vocab: Mapping[str, Pair], codes: Sequence[str], sep: str = ", ") -> Pair:
    return (
        sep.join(vocab[c][0] if c in vocab else c for c in codes),
        sep.join(vocab[c][1] if c in vocab else c for c in codes),
    )


def fit(firm: FirmFacts, needs: Needs) -> Fit:
    """One firm's fit for `needs`, with a reason per part of the score."""
    reasons: list[Pair] = []
    missing = tuple(c for c in needs.certifications if c not in firm.certifications)
    if missing:
        ko, en = _ko(CERTIFICATIONS, missing)
        return Fit(
            firm.name,
            firm.title,
            0.0,
            False,
            missing,
            ((f"필수 인증 없음: {ko}", f"Lacks required certification: {en}"),),
        )
    if needs.certifications:
        ko, en = _ko(CERTIFICATIONS, needs.certifications)
        reasons.append((f"필수 인증 보유: {ko}", f"Holds the required certification: {en}"))

    asked = needs.skills
    covered = tuple(s for s in asked if s in firm.skills)
    coverage = len(covered) / len(asked) if asked else 1.0
    if covered:
        ko, en = _ko(SKILLS, covered)
        reasons.append(
            (
                f"요청 역량 {len(covered)}/{len(asked)}개 보유: {ko}",
                f"Covers {len(covered)} of {len(asked)} skills asked for: {en}",
            )
        )
    lacking = tuple(s for s in asked if s not in firm.skills)
    if lacking:
        ko, en = _ko(SKILLS, lacking)
        reasons.append((f"없는 역량: {ko}", f"Missing skill: {en}"))

    sector = 1.0 if needs.sector is None or needs.sector in firm.sectors else 0.0
    if needs.sector is not None:
        ko, en = SECTORS.get(needs.sector, (needs.sector, needs.sector))
        reasons.append(
            (f"{ko} 분야 경험", f"Works in the {en} sector")
            if sector
            else (f"{ko} 분야 경험 없음", f"No work in the {en} sector")
        )

    done = sum(firm.completed.get(s, 0) for s in asked)
    declared = sum(firm.declared.get(s, 0) for s in asked)
    cap = EXPERIENCE_PER_SKILL * max(len(asked), 1)
    experience = min(1.0, (done + DECLARED_WEIGHT * declared) / cap)
    if done:
        reasons.append(
            (
                f"플랫폼에서 완료한 과제의 요청 역량 실적 {done}건 (역량별 합계)",
                f"{done} completed platform project(s) in these skills (counted per skill)",
            )
        )
    if declared:
        reasons.append(
            (
                f"프로필에 적은 요청 역량 수행 실적 {declared}건 (역량별 합계)",
                f"{declared} past project(s) in these skills on its profile (counted per skill)",
            )
        )

    if firm.rating is None:
        rating = (NEUTRAL_RATING - 1) / 4
        reasons.append(("아직 평점 없음", "Not rated yet"))
    else:
        rating = (firm.rating - 1) / 4
        reasons.append(
            (
                f"평균 평점 {firm.rating:.1f}/5 ({firm.ratings}건)",
                f"Average rating {firm.rating:.1f}/5 ({firm.ratings} rating(s))",
            )
        )
    score = W_SKILLS * coverage + W_SECTOR * sector + W_EXPERIENCE * experience + W_RATING * rating
    return Fit(firm.name, firm.title, round(score, 3), True, (), tuple(reasons))


def rank(firms: Sequence[FirmFacts], needs: Needs) -> list[Fit]:
    """Eligible firms by score (then name), then the excluded ones by name."""
    fits = [fit(f, needs) for f in firms]
    return sorted(fits, key=lambda f: (not f.eligible, -f.score, f.name))
