"""The desk's messages in English (the API's and the CLI's language); their Korean is in
`datanuri/i18n/ko.po`, found with `datanuri.i18n.translate` after formatting. Notices are stored
in both languages: `notice()` formats one and translates it."""

from __future__ import annotations

from collections.abc import Mapping

from datanuri.i18n import catalogue

# ----- input ------------------------------------------------------------------------------------
MSG_TITLE_SHORT = "Give the request a title of at least {title_min} characters."
MSG_TITLE_LONG = "The title can be at most {title_max} characters long."
MSG_DESCRIPTION_SHORT = (
    "Describe the data you need in at least {description_min} characters: what it covers, "
    "which items and at what detail."
)
MSG_DESCRIPTION_LONG = "The description can be at most {description_max} characters long."
MSG_PURPOSE_SHORT = (
    "Describe what the data is for in at least {purpose_min} characters; only the holder and "
    "the desk's admins read it."
)
MSG_PURPOSE_LONG = "The purpose can be at most {purpose_max} characters long."
MSG_REASONS_SHORT = "Explain why you contest the answer in at least {reasons_min} characters."
MSG_REASONS_LONG = "The reasons can be at most {reasons_max} characters long."
MSG_NOTE_NEEDED = "Give a reason; the requester is told it."
MSG_NOTE_LONG = "The note can be at most {note_max} characters long."
MSG_FORMAT = "The format {value!r} is not one the desk knows. Use one of: {allowed}."
MSG_FREQUENCY = "The frequency {value!r} is not one the desk knows. Use one of: {allowed}."
MSG_METHOD = "The processing method {value!r} is not one the desk knows. Use one of: {allowed}."
MSG_REASON = "The refusal reason {value!r} is not one of the legal reasons. Use one of: {allowed}."
MSG_OUTCOME = "The mediation outcome {value!r} is not valid. Use one of: {allowed}."
MSG_PERIOD = "The period's start must not be after its end."
MSG_BAD_STATUS = "The status {value!r} is not valid. Use one of: {allowed}."

# ----- rights and states ------------------------------------------------------------------------
MSG_LOGIN = "Log in with your own account to file or join a data request."
MSG_NO_REQUEST = "No data request number {id}."
MSG_ADMIN_ONLY = "Only the desk's admins can do this."
MSG_HOLDER_ONLY = (
    "Only the editors and owners of the organisation the request is routed to can do this."
)
MSG_MEMBERS_ONLY = (
    "Only the organisation's members and the desk's admins see its incoming requests."
)
MSG_REQUESTER_ONLY = "Only the person who filed the request can do this."
MSG_CLOSED = "This request is closed ({status}); it cannot be changed any more."
MSG_NOT_ROUTED = "This request is not waiting for its holder's answer (it is {status})."
MSG_NOT_FILED = "This request has already been answered or closed (it is {status})."
MSG_NOT_PROCESSING = (
    "Only a request answered 'provide after processing' can be delivered (it is {status})."
)
MSG_ALREADY_EXTENDED = "The deadline of this request has already been extended once."
MSG_ALREADY_SUPPORTED = "You already support this request."
MSG_NOT_SUPPORTED = "You do not support this request."
MSG_OWN_REQUEST = "You filed this request; your support is already counted."
MSG_SAME_ORG = "The request is already with {organization}; transfer it to another organisation."
MSG_NO_DISPUTE_GROUND = (
    "A dispute can be opened only for a refused request or one past its deadline."
)
MSG_DISPUTE_OPEN = "A dispute about this request is already in mediation."
MSG_NO_OPEN_DISPUTE = "This request has no dispute in mediation."
MSG_NOT_VISIBLE = (
    "The dataset {dataset!r} cannot answer a request: it is hidden or holds personal data. "
    "Provide a dataset the requester can obtain, or answer 'provide after processing'."
)
MSG_CLI_AS = (
    "Name the person with --as EMAIL: filing, joining, withdrawing and disputing a request are "
    "a user's own acts."
)
MSG_CLI_ANSWER = (
    "Answer with: provide --dataset NAME | process --method METHOD | refuse --reason CODE "
    "--note TEXT | transfer --org NAME."
)

# ----- notices (stored in Korean and English) -----------------------------------------------------
NOTE_ROUTED = "Data request #{id} «{title}» was sent to {organization}; answer due by {due_on}."
NOTE_ROUTED_HOLDER = (
    "A data request was routed to {organization}: #{id} «{title}». Answer by {due_on}."
)
NOTE_PROVIDED = "Data request #{id} «{title}» was answered: the data is provided as {dataset}."
NOTE_PROCESSING = (
    "Data request #{id} «{title}» will be provided after processing ({method}) by {organization}."
)
NOTE_REFUSED = "Data request #{id} «{title}» was refused by {organization}: {reason}."
NOTE_TRANSFERRED = (
    "Data request #{id} «{title}» was transferred to {organization}; answer due by {due_on}."
)
NOTE_EXTENDED = "The deadline of data request #{id} «{title}» was extended to {due_on}."
NOTE_ESCALATED = "Data request #{id} «{title}» to {organization} is past its deadline ({due_on})."
NOTE_DISPUTE_OPENED = "A dispute was opened about data request #{id} «{title}»."
NOTE_DISPUTE_DECIDED = "The dispute about data request #{id} «{title}» was decided: {outcome}."
NOTE_WITHDRAWN = "Data request #{id} «{title}» was withdrawn by its requester."


def notice(
    template: str, ko: Mapping[str, object] | None = None, /, **fields: object
) -> tuple[str, str]:
    """A notice as (Korean, English): the English template formatted with `fields`, and its
    Korean template from the catalogue formatted with the same fields, or with `ko`'s values
    where they differ (labels such as a refusal reason's)."""
    en = template.format(**fields)
    korean = next((t.korean for t in catalogue().templates if t.english == template), template)
    return korean.format(**{**fields, **(ko or {})}), en
