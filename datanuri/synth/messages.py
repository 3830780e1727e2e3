"""User-facing messages of the synthesizers, in English; Korean in ``datanuri/i18n/ko.po``.

Format with ``.format(**kw)``; every message says what went wrong and what to do.
"""

from __future__ import annotations

# A new release dataset's title in the source's language (Korean, English), as de-identified
# releases are titled (privacy/messages.py RELEASE_TITLE)
RELEASE_TITLE = ("{title} (합성본)", "{title} (synthetic)")

MSG_DOMAIN_BAD = (
    "The domain declared for column {column!r} is not usable: give a list of its values, "
    '{{"bounds": [low, high]}} or {{"bins": [increasing edges]}}.'
)
MSG_DOMAINS_SHAPE = (
    'The policy\'s "domains" must be a JSON object from column name to its declared domain.'
)
MSG_DOMAIN_UNKNOWN = "The policy declares domains for columns the table does not have: {columns}."
MSG_EPSILON_BAD = "Epsilon must be a positive number of at most {limit} (got {value!r})."
MSG_DELTA_BAD = "Delta must be between 0 and 1/n = {limit:.3g} for this table (got {value!r})."
MSG_METHOD_BAD = "The synthesis method must be 'mst' or 'copula' (got {value!r})."
MSG_TOO_FEW_ROWS = "The table has {rows} rows; a synthetic version needs at least {least}."
MSG_TARGET_UNKNOWN = "The utility target {target!r} is not a column. Columns are: {columns}."
MSG_DOMAIN_TOO_LARGE = (
    "Column {column!r} has {codes} codes, more than {limit}: declare fewer categories or bins."
)
MSG_COPULA_PERSONAL = (
    "The Gaussian copula offers no formal privacy guarantee: it cannot be released from a "
    "personal dataset. Use --method mst with an epsilon."
)
MSG_FAIL_EPSILON = (
    "epsilon {epsilon:.3g} is above the platform's ceiling of {limit:.3g} per release"
)
MSG_FAIL_MIA = (
    "the membership-inference attack reaches an AUC of {auc:.3f}, above {limit:.2f}: lower "
    "epsilon or coarsen the domain"
)
MSG_FAIL_MATCHES = (
    "{train} synthetic records equal a training record against {holdout} equal to a held-out one"
    ": the output copies real records; lower epsilon or coarsen the domain"
)
MSG_FAIL_DCR = (
    "{share:.0%} of synthetic records are closer to a training record than to a held-out one "
    "(at most {limit:.0%} allowed): lower epsilon or coarsen the domain"
)
MSG_FAIL_NO_GUARANTEE = "the method gives no formal privacy guarantee"
MSG_FAIL_BUDGET = (
    "the release would spend epsilon {asked:.3g} of dataset {dataset!r}, which has {remaining:.3g} "
    "of its budget {budget:.3g} left"
)
MSG_SYNTH_FAILED = "The synthetic version of {name!r} did not pass its checks: {failures}."
MSG_NO_SYNTH_RELEASE = "There is no synthetic release {id} (or it is not yours to read)."

# Labels of the HTML report (translated by datanuri.i18n.translate)
LBL_TITLE = "Synthetic data report"
LBL_METHOD = "Synthesis method"
LBL_GUARANTEE = "Formal guarantee"
LBL_NO_GUARANTEE = "No formal guarantee: for comparison only, never releasable"
LBL_PASSED = "Passed: may be released"
LBL_FAILED = "Did not pass"
LBL_FIDELITY = "Fidelity (total-variation distance, lower is better)"
LBL_WAYS = "1-way, 2-way and 3-way marginals"
LBL_CORRELATION = "Mean absolute difference of correlations"
LBL_UTILITY = "Utility (train on synthetic, test on real)"
LBL_ACCURACY = "Accuracy trained on real rows, on synthetic rows, and of the majority class"
LBL_PRIVACY = "Privacy checks"
LBL_DCR = "Median distance to the closest training / held-out record"
LBL_CLOSER = "Share of synthetic records closer to a training record than to a held-out one"
LBL_EXACT = "Exact copies of training / held-out records"
LBL_MIA = "Membership-inference attack AUC (0.5: no advantage)"
LBL_COLUMNS = "Columns: original (grey) against synthetic (blue)"
LBL_DATA_DOMAINS = "Categories taken from the data (values of at least the minimum count)"
MSG_ACCESS_LEVEL = "A release is 'open' or 'restricted', never {level!r}."
MSG_SAME_DATASET = "Release into another dataset: the personal dataset itself stays personal."
MSG_ALREADY_HELD = "Dataset {target!r} already holds this synthetic table: nothing released."
MSG_COLUMNS_UNKNOWN = "The table has no column {unknown}. Columns are: {columns}."
MSG_NO_CANDIDATE = "Dataset {name!r} has no synthetic candidate {id}."
MSG_CANDIDATE_REFUSED = "Synthetic candidate {id} may not be released: {reasons}."
MSG_CANDIDATE_SPENT = (
    "Synthetic candidate {id} was released (or counted in a release) meanwhile: make a new one."
)
MSG_GATE_SETTLED = (
    "it was released, or its epsilon was counted when another candidate was chosen, in release "
    "{release}: make a new candidate"
)
MSG_GATE_NO_GUARANTEE = (
    "the Gaussian copula gives no formal privacy guarantee: it is never released from a "
    "personal dataset (choose MST)"
)
