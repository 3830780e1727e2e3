"""User-facing messages of the audits, in English; Korean in `datanuri/i18n/ko.po`.

Services raise errors with these texts; pages and the HTML report show them through
`datanuri.i18n.translate`."""

from __future__ import annotations

# ----- errors ------------------------------------------------------------------------------------
MSG_NO_COLUMN = "The audited table has no column {column!r}. Its columns are: {columns}."
MSG_NO_GROUP = "Name at least one protected attribute column with --group (e.g. --group sex,race)."
MSG_BAD_THRESHOLD = (
    "{text!r} is not a threshold. Write ratio=0.8 or difference=0.1, optionally for one metric: "
    "tpr.difference=0.05."
)
MSG_BAD_METRIC = "There is no audit metric {metric!r}. The metrics are: {metrics}."
MSG_BAD_BOOTSTRAP = "The number of bootstrap resamples must be between 0 and {limit}."
MSG_BAD_REFERENCE = (
    "The reference distribution must give shares between 0 and 1 for groups of the audited "
    "columns; {group!r} is not one of them or its share is not a number."
)
MSG_EMPTY_TABLE = "The audited table has no rows."
MSG_MISSING_LABELS = "The column {column!r} has missing values; every row needs a label."
MSG_AUDIT_NOT_FOUND = "No audit {audit_id}."
MSG_NOT_A_RELEASE = (
    "{dataset!r} version {version} is not a de-identified release of a source dataset."
)
MSG_BAD_FILE = "The file {name!r} could not be read as a table (CSV, Parquet, JSON): {reason}"
MSG_DRIFT_EMPTY = (
    "The feature {feature!r} has no values in the reference or the live window; "
    "give both windows rows with that column filled."
)
MSG_DRIFT_NO_OUTCOMES = "No outcomes have arrived yet; performance drift needs live outcomes."
MSG_NO_FEATURES = (
    "Name the model's features (the input columns it reads), e.g. --features income,age."
)
MSG_NO_TRAINING = "Name at least one training data version as dataset@version, e.g. welfare@1."
MSG_MODEL_EXISTS = (
    "Model {version!r} of {system!r} is already registered; register a new version instead."
)
MSG_FEATURES_MISSING = (
    "The model's coefficients name features missing from its feature list: {names}. "
    "Add them to the features."
)
MSG_BAD_WINDOW = "A monitor's window must be at least one day and its minimum rows at least one."
MSG_NO_MONITOR = "No drift monitor {id}; list them with `datanuri models monitors`."
MSG_NO_REFERENCE_ACCURACY = (
    "Performance drift needs the model's reference accuracy; "
    "register the model with an accuracy metric."
)
MSG_MODEL_OWNERS = (
    "Only editors of {organization!r}, the system's owner, "
    "can register its models and run their monitors."
)
MSG_NO_MODEL = "No registered model {version!r} of AI system {system!r}; list them with `datanuri models list`."
NOTE_DRIFT = (
    "AI 시스템 {system}의 모델 {version}에서 드리프트가 감지되었습니다: {features}",
    "Drift detected in model {version} of AI system {system}: {features}",
)

# ----- report headings ---------------------------------------------------------------------------
H_MODEL = "Model audit"
H_DATASET = "Dataset audit"
H_RELEASE = "Release audit"
H_GROUPS = "Figures per group"
H_DISPARITIES = "Differences and ratios between groups"
H_THRESHOLDS = "Declared thresholds"
H_HINTS = "Mitigation hints"
H_REPRESENTATION = "Representation against the reference"
H_LABELS = "Label balance per group"
H_MISSING = "Missing values per group"
H_PROXIES = "Features that predict the protected attribute"
H_CALIBRATION = "Calibration per group"
H_SUPPRESSION = "Suppression and information loss per group"
T_SMALL_GROUP = "Small group: its figures are uncertain ({count} rows)."
T_PASS = "passes the threshold"
T_FAIL = "fails the threshold"
T_UNCERTAIN = "the interval crosses the threshold"
T_DATA_HASHES = "Data audited"

# ----- mitigation hints --------------------------------------------------------------------------
HINT_SELECTION = (
    "Selection rates differ between groups: check whether the outcome itself differs (label "
    "balance), consider group-aware decision thresholds (post-processing) or reweighing the "
    "training data, and document a legitimate reason if there is one."
)
HINT_TPR = (
    "True positive rates differ: the model misses qualified members of some groups more often. "
    "Collect more training examples of those groups or use an equalised-odds post-processing."
)
HINT_FPR = (
    "False positive rates differ: some groups are wrongly flagged more often. Review the features "
    "that act as proxies for the protected attribute and consider equalised-odds post-processing."
)
HINT_PPV = (
    "Precision differs between groups: a positive prediction means less for some groups. Check "
    "calibration per group and recalibrate the scores per group if needed."
)
HINT_AUC = (
    "The model ranks some groups less well (AUC): the features carry less signal for them. "
    "Collect more or better data for those groups before adjusting thresholds."
)
HINT_SMALL = (
    "Some groups are small ({groups}): their figures have wide intervals. Collect more data "
    "before drawing conclusions about them."
)
MSG_LOGIN = "Log in to run an audit: every audit is recorded with who ran it."
MSG_GROUP_GENERALISED = (
    "The protected attribute {column!r} is generalised in the release; audit a release that "
    "keeps it as it is."
)

# ----- model cards -------------------------------------------------------------------------------
H_CARD = "Model card"
H_CARD_MODEL = "The model version"
H_CARD_METRICS = "Reference metrics"
H_CARD_COEF = "Model coefficients"
H_CARD_DATASHEETS = "Datasheets of the training data"
H_CARD_DRIFT = "Latest drift check"
L_CARD_SYSTEM = "AI system"
L_CARD_OWNER = "Owner organisation"
L_CARD_PURPOSE = "Purpose of the system"
L_CARD_RISK = "Risk level"
L_CARD_USE = "Intended use"
L_CARD_LIMITS = "Known limitations"
L_CARD_VERSION = "Model version"
L_CARD_KIND = "Model kind"
L_CARD_METHOD = "Explanation method"
L_CARD_FEATURES = "Input features"
L_CARD_DECISIONS = "Decisions made"
L_CARD_LEDGER = "Ledger entry"
L_CARD_PASSED = "thresholds passed"
L_CARD_FAILED = "thresholds failed"
L_CARD_NO_AUDIT = "Not audited yet."
L_CARD_NO_DRIFT_RUN = "No drift check has run yet."
L_CARD_NO_DRIFT = "No drift found."
L_CARD_PROXIES = "Proxies of a protected attribute"
