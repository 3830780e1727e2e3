"""The synthetic-data report as one standalone HTML page (ko/en) with inline SVG charts."""

from __future__ import annotations

from html import escape

from datanuri.i18n import translate
from datanuri.synth import messages as M
from datanuri.synth.report import ColumnChart, SynthReport


def _bars(c: ColumnChart, width: int = 520) -> str:
    """Paired bars per code: the original share (grey) and the synthetic share (blue)."""
    n = len(c.labels)
    h = 16 * n + 10
    top = max([*c.real, *c.synthetic, 1e-9])
    rows = []
    for i, (lab, p, q) in enumerate(zip(c.labels, c.real, c.synthetic, strict=True)):
        y = 5 + 16 * i
        wp, wq = 300 * p / top, 300 * q / top
        rows.append(
            f'<text x="0" y="{y + 11}" font-size="10">{escape(lab[:28])}</text>'
            f'<rect x="180" y="{y}" width="{wp:.1f}" height="6" fill="#999"/>'
            f'<rect x="180" y="{y + 7}" width="{wq:.1f}" height="6" fill="#2a6fdb"/>'
        )
    return f'<svg width="{width}" height="{h}" role="img">{"".join(rows)}</svg>'


def render_fragment(r: SynthReport, lang: str = "ko") -> str:
    """The report ``r`` in ``lang`` (ko or en) as HTML to put inside a page (its sections from
    ``<h2>`` down): the console shows it, `render` makes it a page."""

    def t(s: str) -> str:
        return escape(translate(s, lang))

    status = t(M.LBL_PASSED) if r.passed else t(M.LBL_FAILED)
    fails = "".join(f"<li>{escape(translate(f, lang))}</li>" for f in r.failures)
    guarantee = (
        f'<span translate="no">(ε = {r.epsilon:.3g}, δ = {r.delta:.1e}), ρ = {r.rho:.4g}</span>'
        if r.formal and r.epsilon is not None and r.delta is not None and r.rho is not None
        else t(M.LBL_NO_GUARANTEE)
    )
    util = ""
    if r.utility is not None:
        u = r.utility
        util = (
            f"<h2>{t(M.LBL_UTILITY)}: {escape(u.target)}</h2><p>{t(M.LBL_ACCURACY)}: "
            f'<span class="synth-utility">{u.real_accuracy:.3f} / {u.synthetic_accuracy:.3f} / '
            f"{u.majority_accuracy:.3f}</span></p>"
        )
    p = r.privacy
    charts = "".join(
        f'<h3>{escape(c.column)} (<abbr translate="no">TVD</abbr> {c.tvd:.3f})</h3>{_bars(c)}'
        for c in r.columns
    )
    data_domains = ", ".join(escape(c) for c in r.data_domains) or "-"
    return f"""<p class="synth-status"><b>{status}</b></p><ul>{fails}</ul>
<table>
<tr><td>{t(M.LBL_METHOD)}</td><td><code>{escape(r.method)}</code></td></tr>
<tr><td>{t(M.LBL_GUARANTEE)}</td><td>{guarantee}</td></tr>
</table>
<h2>{t(M.LBL_FIDELITY)}</h2>
<p>{t(M.LBL_WAYS)}: <span class="synth-tvd">{r.tvd_1way:.4f} / {r.tvd_2way:.4f} / {r.tvd_3way:.4f}</span></p>
<p>{t(M.LBL_CORRELATION)}: {r.correlation_difference:.4f}</p>
{util}
<h2>{t(M.LBL_PRIVACY)}</h2>
<p>{t(M.LBL_DCR)}: {p.dcr_train_median:g} / {p.dcr_holdout_median:g}</p>
<p>{t(M.LBL_CLOSER)}: {p.closer_to_train:.3f}</p>
<p>{t(M.LBL_EXACT)}: {p.exact_train} / {p.exact_holdout} ({p.compared})</p>
<p>{t(M.LBL_MIA)}: <span class="synth-mia">{p.mia_auc:.3f}</span></p>
<p>{t(M.LBL_DATA_DOMAINS)}: {data_domains}</p>
<h2>{t(M.LBL_COLUMNS)}</h2>
{charts}
"""


def render(r: SynthReport, lang: str = "ko") -> str:
    """The report ``r`` as a standalone HTML page in ``lang`` (ko or en)."""
    title = escape(translate(M.LBL_TITLE, lang))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td{{padding:0 1em}}</style>
</head><body>
<h1>{title}</h1>
{render_fragment(r, lang)}</body></html>
"""
