"""Messages of the AI decision registry (English; the Korean is in datanuri/i18n/ko.po)."""

from __future__ import annotations

MSG_NAME = "A system name has 2 to 100 lower-case letters, digits and dashes, e.g. loan-screening."
MSG_NO_SYSTEM = "No AI system named {name!r}."
MSG_SYSTEM_EXISTS = "An AI system named {name!r} is already registered. Pick another name."
MSG_OWNERS_ONLY = (
    "Only the owners and editors of {organization!r} (or an admin) can do this for its AI systems."
)
MSG_RISK = "The risk level must be one of minimal, limited or high."
MSG_KIND = "The model kind must be one of linear, logistic, tree or other."
MSG_CARD_FIELD = "The model card needs {field}: write it for the people the system decides about."
MSG_TRAINING_REF = "Training data {ref!r} must be written as dataset@version, e.g. loans@3."
MSG_TRAINING_MISSING = (
    "Training data {ref!r} does not exist: dataset {dataset!r} has no version {version}."
)
MSG_TRAINING_NO_ENTRY = (
    "Training data {ref!r} has no ledger entry, so it cannot be cited as a model's training data."
)
MSG_REASON_CATALOGUE = (
    "Each reason code needs a Korean and an English text (code {code!r} lacks one)."
)
MSG_LINEAR_PARAMS = (
    "A linear or logistic model version needs its coefficients, intercept and baseline."
)
MSG_VERSION_EXISTS = "Model version {version!r} of {system!r} is already registered."
MSG_NO_VERSION = "AI system {system!r} has no model version {version!r}; register it first."
MSG_UNKNOWN_CODE = "Reason code {code!r} is not in the system's reason-code catalogue."
MSG_NOT_ADDITIVE = (
    "The contributions do not add up: base {base} plus the contributions gives {got}, not the "
    "score {score}. Send contributions computed by the method you name."
)
MSG_NEEDS_EXPLANATION = (
    "A {kind} model's decision needs its per-feature contributions, base value, score and the "
    "name of the method that computed them."
)
MSG_IDEMPOTENCY_REUSED = (
    "The idempotency key {key!r} was already used for a decision with other inputs."
)
MSG_NO_SUBJECT = "No user with id {id}: name the person by an existing account, or leave it out."
MSG_NO_IDENTITY = (
    "This instance has no identity service to turn a resident registration number into a linking "
    "identifier: name the person by their account (subject_user_id) instead."
)
MSG_NO_DECISION = "No such decision. Check the reference number and the access code."
MSG_EXPLANATION_SHORT = "Explain in at least {min} characters why you think the decision is wrong."
MSG_TEXT_LONG = "The text can be at most {max} characters long."
MSG_EVIDENCE_LIMIT = "You can attach at most {count} files of at most {mb} MB each."
MSG_ALREADY_CONTESTED = "This decision already has a contest under review."
MSG_CORRECTED = "This decision was corrected; see the corrected decision."
MSG_NO_CONTEST = "No such contest."
MSG_NOT_REVIEWER = "Only the reviewer assigned to this contest can decide it."
MSG_OWNER_REVIEW = (
    "A member of the organisation that owns the AI system cannot review a contest of its "
    "decisions; choose a reviewer from outside it."
)
MSG_NOT_ELIGIBLE = (
    "{email} cannot review contests: a reviewer needs the reviewer role and must not belong to "
    "the organisation that owns the system."
)
MSG_CLOSED = "This contest was already decided."
MSG_OUTCOME = "The outcome must be uphold or overturn."
MSG_REASONS_SHORT = "Write the reasons for the outcome in at least {min} characters."
MSG_CORRECTION_NEEDED = "Overturning needs the corrected output."
MSG_REVIEWERS_ONLY = "Only reviewers and admins can see contests."
MSG_OVERSIGHT_ONLY = (
    "Only the owners and editors of the system's organisation, admins and auditors can see its "
    "oversight figures."
)
MSG_ADMINS_ONLY = "Only admins can do this."
MSG_BASE64 = "An evidence file's content_base64 is not valid base64."
MSG_NO_STEP = "This decision has no step {step!r} to give a receipt for."

# Notices, each as (Korean, English): stored in both languages when sent.
NOTE_ASSIGNED = (
    "AI 결정 {ref}에 대한 이의 제기 검토를 맡았습니다. 기한: {deadline}",
    "You were assigned the contest of AI decision {ref}. Deadline: {deadline}",
)
NOTE_OVERDUE = (
    "AI 결정 {ref}에 대한 이의 제기가 검토 기한({deadline})을 넘겼습니다.",
    "The contest of AI decision {ref} is past its review deadline ({deadline}).",
)
NOTE_DECIDED = (
    "AI 결정 {ref}에 대한 이의 제기가 처리되었습니다: {outcome}",
    "Your contest of AI decision {ref} was decided: {outcome}",
)
NOTE_UNASSIGNED = (
    "AI 결정 {ref}에 대한 이의 제기를 맡을 검토자가 없습니다. 검토자를 지정하세요.",
    "No reviewer could be assigned to the contest of AI decision {ref}; assign one.",
)
