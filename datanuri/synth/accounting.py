"""Privacy accounting of the synthesizers in zero-concentrated DP (zCDP), all through OpenDP.

Every noisy step is an OpenDP measurement built with the parameters the synthesizer uses, and its
privacy map at one person (``d_in = 1``: add or remove one record, which changes one cell of any
marginal by one and any selection score by at most one) gives the ρ it spends. The steps compose
by OpenDP's adaptive composition in zCDP; the total converts to (ε, δ) by OpenDP's
``make_zCDP_to_approxDP`` and ``make_fix_delta``. The one step that is approximate, the
selection of a column's categories by thresholded noisy counts (OpenDP's
``make_gaussian_threshold``: a value held by few records may pass the threshold with a small
probability δ), adds its δ to the conversion's: the release is (ε, δ_conversion + Σ δ_selection),
as OpenDP's conversion of the approximate-zCDP composition gives. Calibration runs the other
way: the largest ρ whose (ε, δ) conversion stays within the asked ε (a bisection over OpenDP's
own conversion).

The noise itself is drawn from a seeded NumPy generator (reproducible with a seed) with exactly
the distributions and scales these measurements state; OpenDP's samplers are not seedable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

COMPOSITION = (
    "zero-concentrated DP: OpenDP make_adaptive_composition over the ρ of every measurement "
    "(Gaussian marginals, noisy-max selections and quantiles, the categories' thresholded "
    "Gaussian counts), converted to (ε, δ) by make_zCDP_to_approxDP and make_fix_delta; δ adds "
    "the thresholds' δ (make_gaussian_threshold)"
)


def _opendp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def gaussian_rho(sigma: float) -> float:
    """ρ of Gaussian noise of scale ``sigma`` on counts of L2 sensitivity 1 (OpenDP's map)."""
    dp = _opendp()
    m = dp.m.make_gaussian(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float), scale=sigma
    )
    return float(m.map(1.0))


def noisy_max_rho(scale: float) -> float:
    """ρ of a Gumbel noisy-max (exponential mechanism) over scores of sensitivity 1 (OpenDP)."""
    dp = _opendp()
    m = dp.m.make_noisy_max(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)),
        dp.linf_distance(T=float),
        dp.zero_concentrated_divergence(),
        scale=scale,
    )
    return float(m.map(1.0))


def threshold_privacy(scale: float, threshold: float) -> tuple[float, float]:
    """(ρ, δ) of releasing the values whose count plus Gaussian noise of ``scale`` reaches
    ``threshold`` (OpenDP's ``make_gaussian_threshold``; one record changes one count by one)."""
    dp = _opendp()
    m = dp.m.make_gaussian_threshold(
        dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=float, nan=False)),
        dp.l02inf_distance(dp.absolute_distance(T=float)),
        scale=scale,
        threshold=threshold,
    )
    rho, delta = m.map((1, 1.0, 1.0))
    return float(rho), float(delta)


@lru_cache(maxsize=256)
def threshold_for(scale: float, delta: float) -> float:
    """The smallest whole threshold at which counts noised with ``scale`` release a value held
    by one record with probability at most ``delta`` (a bisection over OpenDP's map)."""
    lo, hi = 0.0, 1.0
    while threshold_privacy(scale, hi)[1] > delta:
        lo, hi = hi, hi * 2.0
    while hi - lo > 1.0:
        mid = math.floor((lo + hi) / 2.0)
        if threshold_privacy(scale, mid)[1] > delta:
            lo = mid
        else:
            hi = mid
    return hi


def _solve(rho_of: Any, rho: float) -> float:
    """The smallest scale whose ρ (decreasing in the scale) is at most ``rho``: a bisection."""
    lo, hi = 1e-6, 1.0
    while rho_of(hi) > rho:
        hi *= 2.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if rho_of(mid) > rho:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=256)
def gaussian_scale(rho: float) -> float:
    """The Gaussian scale that spends at most ``rho`` on a sensitivity-1 count vector."""
    return _solve(gaussian_rho, rho)


@lru_cache(maxsize=256)
def noisy_max_scale(rho: float) -> float:
    """The Gumbel scale that spends at most ``rho`` on one sensitivity-1 selection."""
    return _solve(noisy_max_rho, rho)


def composed_rho(rhos: Sequence[float]) -> float:
    """The ρ of the measurements spending ``rhos`` together (OpenDP adaptive composition)."""
    rs = [float(r) for r in rhos if r > 0]
    if not rs:
        return 0.0
    dp = _opendp()
    m = dp.c.make_adaptive_composition(
        dp.vector_domain(dp.atom_domain(T=bool)),
        dp.symmetric_distance(),
        dp.zero_concentrated_divergence(),
        d_in=1,
        d_mids=rs,
    )
    return float(m.map(1))


def epsilon_of(rho: float, delta: float) -> float:
    """The ε at ``delta`` of a ρ-zCDP release (OpenDP's zCDP → approximate-DP conversion)."""
    if rho <= 0:
        return 0.0
    dp = _opendp()
    base = dp.m.make_gaussian(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)),
        dp.l2_distance(T=float),
        scale=1.0,
    )
    # a measurement whose map at d_in gives exactly `rho`: ρ(d) = d² / (2 σ²) with σ = 1
    d_in = math.sqrt(2.0 * rho)
    approx = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(base), delta)
    eps, _ = approx.map(d_in)
    return float(eps)


@lru_cache(maxsize=256)
def rho_for(epsilon: float, delta: float) -> float:
    """The largest ρ whose (ε, δ) conversion by OpenDP is within ``epsilon`` at ``delta``."""
    # the textbook bound ε ≤ ρ + 2√(ρ ln(1/δ)) is looser than OpenDP's: its ρ brackets from below
    r = math.sqrt(math.log(1 / delta))
    lo = (math.sqrt(r * r + epsilon) - r) ** 2
    hi = epsilon
    for _ in range(48):
        mid = (lo + hi) / 2
        if epsilon_of(mid, delta) <= epsilon:
            lo = mid
        else:
            hi = mid
    return lo
