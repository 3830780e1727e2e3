"""The model card and the datasheets of its training data as HTML, in Korean or English."""

from __future__ import annotations

import html
from typing import Any

from datanuri.audit import messages as M
from datanuri.audit.model_card import ModelCard
from datanuri.audit.report import STYLE
from datanuri.i18n import translate


def _t(text: str, lang: str) -> str:
    return html.escape(translate(text, lang))


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _rows(pairs: list[tuple[str, Any]], lang: str) -> str:
    cells = "".join(f"<tr><th>{_t(k, lang)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)
    return f"<table>{cells}</table>"


def render_card_html(card: ModelCard, lang: str = "en") -> str:
    """The model card of `card` (see `ModelRegistry.card`) as one HTML page in `lang`."""
    sy, m = card.system, card.model
    about = _rows(
        [
            (M.L_CARD_SYSTEM, f"{sy.title} ({sy.name})"),
            (M.L_CARD_OWNER, sy.organization),
            (M.L_CARD_PURPOSE, sy.purpose),
            (M.L_CARD_RISK, sy.risk_level),
            (M.L_CARD_USE, sy.intended_use),
            (M.L_CARD_LIMITS, sy.limitations),
        ],
        lang,
    )
    model = _rows(
        [
            (M.L_CARD_VERSION, m.version),
            (M.L_CARD_KIND, m.kind),
            (M.L_CARD_METHOD, m.explanation_method),
            (M.L_CARD_FEATURES, ", ".join(m.features)),
            (M.L_CARD_DECISIONS, card.decisions),
            (M.L_CARD_LEDGER, m.ledger_index),
        ],
        lang,
    )
    metrics = "".join(
        f"<tr><td>{_e(k)}</td><td>{float(v):.4f}</td></tr>" for k, v in m.metrics.items()
    )
    coef = m.parameters.get("coefficients", {})
    coefs = "".join(f"<tr><td>{_e(k)}</td><td>{float(v):+.4f}</td></tr>" for k, v in coef.items())
    sheets = ""
    for d in card.datasheets:
        audits = (
            "".join(
                f"<li>#{_e(a.id)} {_e(a.kind)}: "
                f"{_t(M.L_CARD_PASSED if a.passed else M.L_CARD_FAILED, lang) if a.passed is not None else '-'}"
                f" ({_t(M.L_CARD_LEDGER, lang)} {_e(a.ledger_index)})"
                + (
                    f" · {_t(M.L_CARD_PROXIES, lang)}: {_e(', '.join(a.proxies))}"
                    if a.proxies
                    else ""
                )
                + "</li>"
                for a in d.audits
            )
            or f"<li>{_t(M.L_CARD_NO_AUDIT, lang)}</li>"
        )
        sheets += (
            f"<h3>{_e(d.dataset)}@{_e(d.version)} {_e(d.title)}</h3>"
            f"<p>{_t(M.L_CARD_LEDGER, lang)}: {_e(d.ledger_index)}</p><ul>{audits}</ul>"
        )
    drift = card.drift
    drift_html = (
        f"<p>{_t(M.L_CARD_NO_DRIFT_RUN, lang)}</p>"
        if not drift
        else f"<p>#{_e(drift.run)} {_e(drift.at)}: "
        + (_e(", ".join(drift.drifted)) if drift.drifted else _t(M.L_CARD_NO_DRIFT, lang))
        + "</p>"
    )
    title = _t(M.H_CARD, lang)
    return (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}: {_e(sy.name)} {_e(m.version)}</h1>{about}"
        f"<h2>{_t(M.H_CARD_MODEL, lang)}</h2>{model}"
        f"<h2>{_t(M.H_CARD_METRICS, lang)}</h2><table>{metrics}</table>"
        + (f"<h2>{_t(M.H_CARD_COEF, lang)}</h2><table>{coefs}</table>" if coefs else "")
        + f"<h2>{_t(M.H_CARD_DATASHEETS, lang)}</h2>{sheets}"
        f"<h2>{_t(M.H_CARD_DRIFT, lang)}</h2>{drift_html}</body></html>"
    )
