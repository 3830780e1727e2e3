"""Price suggestions for market listings (data valuation): pure functions over plain values.

The model
---------
A listing is described by `Features`: its dataset's rows and columns, freshness (days since its
newest version), update frequency, theme, and demand: downloads, request-desk requests naming the
dataset, and past sales. Prices are compared as a *yearly figure* in won (`annual_krw`): a
monthly subscription counts twelve times, a yearly one once, a one-off sale of a version as one
year of use (a version bought once is used about as long as a year's subscription runs).

The suggestion is a ridge regression (scikit-learn `Ridge`, L2 penalty `ALPHA_RIDGE` on
standardised features) of ``log10(annual_krw)`` on:

* ``log10(1 + rows)``, ``log10(1 + columns)``: size;
* ``log10(1 + age_days)``: freshness (older data is worth less);
* ``log10(1 + updates per year)`` from the update frequency (`UPDATES_PER_YEAR`): how often it
  is renewed;
* ``log10(1 + downloads)``, ``log10(1 + requests)``, ``log10(1 + sales)``: demand;
* one indicator per theme seen among the comparables (a theme's price level).

Each comparable is weighted ``1 + log2(1 + sales)``: prices that sold say more than asking
prices nobody paid. Regression on the log makes errors relative (a 20 % miss on 50,000 won weighs
as much as on 5,000,000), which suits prices spanning three orders of magnitude. The ridge
penalty keeps the fit stable with few comparables and correlated demand features. The range is
the prediction times/divided by ``10^σ``, σ the weighted residual spread of the fit (about two
thirds of comparables fall in it).

The reasons shown are (1) the nearest comparables that sold (Euclidean distance in the
standardised feature space, the theme counting as one feature), with their prices, and (2) the
features that move this listing's suggestion most against the average comparable, with the
share they move it by (the fitted coefficient times this listing's standardised value).

`backtest` replays a history in time order: each observation is predicted by a model fitted on
the observations strictly before it (at least `min_train`), and the absolute percentage errors
give the MAPE and the median; a naive peer (the median price of the same training set) is
reported beside it, so the model's worth is visible.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from datanuri.errors import InvalidInput
from datanuri.i18n import translate
from datanuri.market import pricing_messages as M

ALPHA_RIDGE = 1.0
MIN_COMPARABLES = 5
NEAREST = 3
UPDATES_PER_YEAR: dict[str | None, float] = {
    "realtime": 8760.0,
    "daily": 365.0,
    "weekly": 52.0,
    "monthly": 12.0,
    "quarterly": 4.0,
    "semiannual": 2.0,
    "annual": 1.0,
    "asneeded": 0.5,
    "irregular": 0.5,
    None: 0.5,
}
# The frequency in words, (English, Korean), for reasons.
FREQUENCY_WORDS: dict[str, tuple[str, str]] = {
    "realtime": ("in real time", "실시간으로"),
    "daily": ("daily", "매일"),
    "weekly": ("weekly", "매주"),
    "monthly": ("monthly", "매월"),
    "quarterly": ("quarterly", "분기마다"),
    "semiannual": ("every six months", "반기마다"),
    "annual": ("yearly", "매년"),
    "asneeded": ("as needed", "필요할 때"),
    "irregular": ("irregularly", "비정기적으로"),
}
NUMERIC = ("rows", "columns", "age_days", "updates", "downloads", "requests", "sales")
# Feature names in reasons, (English, Korean).
FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "rows": ("its number of rows", "행 수"),
    "columns": ("its number of columns", "열 수"),
    "age_days": ("the age of its newest version", "최신 버전의 경과 일수"),
    "updates": ("how often it is updated", "갱신 빈도"),
    "downloads": ("its downloads", "내려받기 수"),
    "requests": ("requests for it at the data desk", "데이터 요청 건수"),
    "sales": ("its past sales", "과거 판매 건수"),
    "theme": ("its theme", "분야"),
}
PriceKind = Literal["one-off", "subscription-month", "subscription-year"]


@dataclass(frozen=True)
class Features:
    """What a listing's price is suggested from."""

    rows: int
    columns: int
    age_days: float  # since the newest version
    update_frequency: str | None  # catalog vocabulary (vocab.FREQUENCIES) or None
    theme: str | None
    downloads: int = 0
    requests: int = 0  # request-desk requests naming the dataset
    sales: int = 0  # copies sold


@dataclass(frozen=True)
class Comparable:
    """A priced listing (live, or in the market's history) and what it sold."""

    label: str  # a title to show in reasons
    features: Features
    annual_krw: int  # the price as a yearly figure (see the module docstring)
    at: dt.datetime  # when the price was observed (the backtest's order)


@dataclass(frozen=True)
class Reason:
    """One reason for a suggestion, in English and Korean."""

    code: str  # comparables | feature | frequency
    en: str
    ko: str

    def text(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Suggestion:
    """A suggested yearly price with its range and reasons."""

    annual_krw: int
    low_krw: int
    high_krw: int
    comparables: int  # how many the model was fitted on
    nearest: tuple[tuple[str, int], ...]  # (label, annual_krw) of the nearest sold comparables
    reasons: tuple[Reason, ...]

    def for_kind(self, kind: PriceKind) -> int:
        """The suggestion in a listing's price kind: a monthly subscription is a twelfth."""
        return _round_price(
            self.annual_krw / 12 if kind == "subscription-month" else self.annual_krw
        )


@dataclass(frozen=True)
class BacktestResult:
    """How well walk-forward predictions matched the history's prices."""

    observations: int
    predicted: int
    mape: float  # mean absolute percentage error, in %
    median_ape: float  # median absolute percentage error, in %
    within_25pct: float  # share of predictions within 25 % of the price, in %
    baseline_mape: float  # the same for the median price of the training set
    baseline_median_ape: float
    errors: tuple[float, ...] = field(default=(), repr=False)


def annual(kind: PriceKind, krw: int) -> int:
    """A price as a yearly figure: a monthly subscription twelve times, else as it is."""
    return krw * 12 if kind == "subscription-month" else krw


# ----- the model -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Design:
    mean: np.ndarray
    scale: np.ndarray
    themes: tuple[str, ...]

    def numeric(self, feats: Sequence[Features]) -> np.ndarray:
        raw = np.array([[_raw(f, n) for n in NUMERIC] for f in feats], dtype=np.float64)
        return np.log10(1.0 + np.maximum(raw, 0.0))

    def matrix(self, feats: Sequence[Features]) -> np.ndarray:
        z = (self.numeric(feats) - self.mean) / self.scale
        onehot = np.array([[f.theme == t for t in self.themes] for f in feats], dtype=np.float64)
        return np.hstack([z, onehot.reshape(len(feats), len(self.themes))])


def _raw(f: Features, name: str) -> float:
    if name == "updates":
        return UPDATES_PER_YEAR.get(f.update_frequency, 0.5)
    return float(getattr(f, name))


@dataclass(frozen=True)
class Model:
    """A fitted ridge regression of log10 yearly price on the features."""

    design: _Design
    coef: np.ndarray
    intercept: float
    sigma: float  # weighted residual spread, in log10 units
    train: tuple[Comparable, ...]

    def predict_log(self, feats: Sequence[Features]) -> np.ndarray:
        return self.design.matrix(feats) @ self.coef + self.intercept


def fit(comparables: Sequence[Comparable], *, alpha: float = ALPHA_RIDGE) -> Model:
    """Fit the model on priced comparables (at least MIN_COMPARABLES)."""
    comps = [c for c in comparables if c.annual_krw > 0]
    probe = _Design(np.zeros(len(NUMERIC)), np.ones(len(NUMERIC)), ())
    return _fit(comps, probe.numeric([c.features for c in comps]), alpha)


def _fit(comps: Sequence[Comparable], x_num: np.ndarray, alpha: float) -> Model:
    """`fit` on the comparables' log numeric features `x_num` (computed once by a backtest)."""
    from sklearn.linear_model import Ridge

    if len(comps) < MIN_COMPARABLES:
        raise InvalidInput(M.MSG_TOO_FEW.format(count=len(comps), needed=MIN_COMPARABLES))
    scale = x_num.std(axis=0)
    design = _Design(
        x_num.mean(axis=0),
        np.where(scale > 1e-9, scale, 1.0),
        tuple(sorted({c.features.theme for c in comps if c.features.theme})),
    )
    onehot = np.array([[c.features.theme == t for t in design.themes] for c in comps], float)
    x = np.hstack([(x_num - design.mean) / design.scale, onehot.reshape(len(comps), -1)])
    y = np.log10(np.array([c.annual_krw for c in comps], dtype=np.float64))
    w = 1.0 + np.log2(1.0 + np.array([c.features.sales for c in comps], dtype=np.float64))
    ridge = Ridge(alpha=alpha).fit(x, y, sample_weight=w)
    resid = y - ridge.predict(x)
    sigma = float(np.sqrt(np.average(resid**2, weights=w)))
    return Model(design, np.asarray(ridge.coef_), float(ridge.intercept_), sigma, tuple(comps))


def suggest(features: Features, comparables: Sequence[Comparable]) -> Suggestion:
    """The suggested yearly price of a listing with `features`, from `comparables`."""
    model = fit(comparables)
    log_p = float(model.predict_log([features])[0])
    nearest = _nearest(model, features)
    reasons = [_comparables_reason(nearest)] if nearest else []
    reasons += _feature_reasons(model, features)
    if features.update_frequency in FREQUENCY_WORDS:
        en, ko = FREQUENCY_WORDS[features.update_frequency]
        reasons.append(
            _reason(
                "frequency",
                M.REASON_FREQUENCY,
                {"frequency": en},
                {"frequency": ko},
            )
        )
    return Suggestion(
        annual_krw=_round_price(10**log_p),
        low_krw=_round_price(10 ** (log_p - model.sigma)),
        high_krw=_round_price(10 ** (log_p + model.sigma)),
        comparables=len(model.train),
        nearest=tuple((c.label, c.annual_krw) for c in nearest),
        reasons=tuple(reasons),
    )


def _nearest(model: Model, features: Features) -> list[Comparable]:
    """The NEAREST comparables that sold, nearest first (standardised features)."""
    sold = [c for c in model.train if c.features.sales > 0] or list(model.train)
    here = model.design.matrix([features])[0]
    there = model.design.matrix([c.features for c in sold])
    d = np.sqrt(((there - here) ** 2).sum(axis=1))
    return [sold[i] for i in np.argsort(d, kind="stable")[:NEAREST]]


def _feature_reasons(model: Model, features: Features) -> list[Reason]:
    """The two features that move this suggestion most against the average comparable."""
    x = model.design.matrix([features])[0]
    effects = model.coef * x  # log10 units against the average (standardised mean 0)
    n = len(NUMERIC)
    named = [(NUMERIC[i], float(effects[i])) for i in range(n)]
    theme_effect = float(effects[n:].sum()) if len(effects) > n else 0.0
    named.append(("theme", theme_effect))
    named.sort(key=lambda kv: -abs(kv[1]))
    out = []
    for name, eff in named[:2]:
        pct = round((10**eff - 1) * 100)
        if abs(pct) < 5:
            continue
        en, ko = FEATURE_WORDS[name]
        template = M.REASON_RAISES if pct > 0 else M.REASON_LOWERS
        out.append(
            _reason(
                "feature",
                template,
                {"feature": en, "pct": abs(pct)},
                {"feature": ko, "pct": abs(pct)},
            )
        )
    return out


def _comparables_reason(nearest: Sequence[Comparable]) -> Reason:
    listed = ", ".join(f"{c.label} ({won(c.annual_krw)})" for c in nearest)
    return _reason("comparables", M.REASON_COMPARABLES, {"listed": listed}, {"listed": listed})


def _reason(code: str, template: str, en: dict[str, object], ko: dict[str, object]) -> Reason:
    return Reason(code, template.format(**en), translate(template.format(**ko), "ko"))


def won(krw: int) -> str:
    """An amount in won as people write it: 1,200,000원."""
    return f"{krw:,}원"


def _round_price(x: float) -> int:
    """A price rounded to two significant digits (1,234,567 → 1,200,000): a suggestion, not a
    quote."""
    if not math.isfinite(x) or x <= 0:
        return 0
    digits = max(0, int(math.floor(math.log10(x))) - 1)
    return int(round(x / 10**digits) * 10**digits)


# ----- the backtest ----------------------------------------------------------------------------
def backtest(history: Sequence[Comparable], *, min_train: int = 30) -> BacktestResult:
    """Walk forward through `history` by time: predict each observation from those before it."""
    ordered = [c for c in sorted(history, key=lambda c: c.at) if c.annual_krw > 0]
    probe = _Design(np.zeros(len(NUMERIC)), np.ones(len(NUMERIC)), ())
    x_all = probe.numeric([c.features for c in ordered])
    prices = np.array([c.annual_krw for c in ordered], dtype=np.float64)
    errs: list[float] = []
    base: list[float] = []
    for i, c in enumerate(ordered):
        n = sum(1 for t in ordered[:i] if t.at < c.at)  # strictly earlier (ordered by time)
        if n < max(min_train, MIN_COMPARABLES):
            continue
        model = _fit(ordered[:n], x_all[:n], ALPHA_RIDGE)
        pred = 10 ** float(model.predict_log([c.features])[0])
        errs.append(abs(pred - c.annual_krw) / c.annual_krw * 100)
        base.append(abs(float(np.median(prices[:n])) - c.annual_krw) / c.annual_krw * 100)
    if not errs:
        raise InvalidInput(M.MSG_BACKTEST_SHORT.format(count=len(ordered), needed=min_train + 1))
    e, b = np.array(errs), np.array(base)
    return BacktestResult(
        observations=len(ordered),
        predicted=len(errs),
        mape=float(e.mean()),
        median_ape=float(np.median(e)),
        within_25pct=float((e <= 25).mean() * 100),
        baseline_mape=float(b.mean()),
        baseline_median_ape=float(np.median(b)),
        errors=tuple(errs),
    )
