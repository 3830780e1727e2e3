"""Messages of the firm desk. Errors are raised with the English text (the API's language); pages
show the Korean one from datanuri/i18n/ko.po. Notices are stored in both languages, so they are
(Korean, English) pairs here, formatted when sent."""

from __future__ import annotations

Pair = tuple[str, str]

MSG_REQUIRED = "Fill in {what}; it cannot be empty."
MSG_TOO_LONG = "{what} can be at most {limit} characters long."
MSG_UNKNOWN_CODE = "Unknown {what}: {codes}. Choose from: {known}."
MSG_MONEY = "{what} must be an amount in won from 0 to {limit}."
MSG_BUDGET_ORDER = "The lowest budget cannot be above the highest one."
MSG_DAYS = "The time to deliver must be from 1 to {limit} days."
MSG_DUE_PAST = "The due date must be after today (Korean time)."
MSG_RATING = "Rate the work with a whole number from 1 to 5."
MSG_LOGIN = "Log in with your own account to use the analysis-firm desk."
MSG_NO_FIRM = "No analysis firm with the name {name!r}."
MSG_NO_ORG = "No organisation with the name {name!r}."
MSG_PROFILE_OWNERS = "Only the organisation's owners and platform admins can edit its firm profile."
MSG_FIRM_EDITORS = "Only the firm's editors and owners can send or withdraw its offers."
MSG_POST_FOR_ORG = "You can post for an organisation only as one of its editors or owners."
MSG_NO_PROJECT = "No such processing project."
MSG_NO_OFFER = "No such offer."
MSG_NOT_OPEN = "This project no longer takes offers: it is {status}."
MSG_ONLY_POSTER = "Only the one who posted the project can do this."
MSG_ONLY_FIRM = "Only the editors and owners of the firm that won the project can deliver it."
MSG_OFFER_TWICE = "Your firm already has an offer waiting on this project; withdraw it first."
MSG_OWN_PROJECT = "A firm cannot send an offer on a project posted for itself."
MSG_MISSING_CERTS = "This project needs certifications the firm does not hold: {codes}."
MSG_OFFER_DECIDED = "This offer was already decided or withdrawn."
MSG_WRONG_STATE = "The project is {status}; this step needs it to be {needed}."
MSG_NO_VERSION = "Dataset {dataset!r} has no published version {version}."
MSG_VERSION_WITHDRAWN = "Version {version} of {dataset!r} was withdrawn; deliver a current one."
MSG_NOT_VISIBLE = (
    "The one who posted the project cannot see dataset {dataset!r}; publish it where they can "
    "see it (or grant them access) before delivering."
)

# Notices, formatted with project, firm, title.
NOTE_OFFER: Pair = (
    "«{title}» 과제에 {firm}의 제안이 도착했습니다.",
    "{firm} sent an offer on your project «{title}».",
)
NOTE_ACCEPTED: Pair = (
    "{firm}의 제안이 «{title}» 과제에 선정되었습니다.",
    "The offer of {firm} on «{title}» was accepted.",
)
NOTE_CLOSED: Pair = (
    "«{title}» 과제는 다른 기업의 제안이 선정되어 {firm}의 제안이 마감되었습니다.",
    "Another offer was chosen for «{title}»; the offer of {firm} is closed.",
)
NOTE_DELIVERED: Pair = (
    "{firm}이(가) «{title}» 과제의 결과 데이터를 납품했습니다. 확인 후 완료 처리해 주세요.",
    "{firm} delivered the dataset for «{title}». Check it and mark the project completed.",
)
NOTE_COMPLETED: Pair = (
    "«{title}» 과제가 완료되었습니다 (평점 {rating}/5).",
    "«{title}» was marked completed (rating {rating}/5).",
)
NOTE_CANCELLED: Pair = (
    "«{title}» 과제가 취소되었습니다.",
    "The project «{title}» was cancelled.",
)
