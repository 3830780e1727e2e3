"""Messages of market listings and their licences, in English (the API's and the CLI's
language). Their Korean is in `datanuri/i18n/ko.po`; pages and the plain-language licence use
`datanuri.i18n.translate`."""

from __future__ import annotations

# ----- licence validation ----------------------------------------------------------------------
MSG_LICENCE_NO_ACTIONS = "A licence must permit at least one action, such as use."
MSG_LICENCE_ACTION = "The licence cannot permit {action!r}; permitted actions are: {known}."
MSG_LICENCE_PURPOSE = "Unknown purpose {purpose!r}; purposes are: {known}."
MSG_LICENCE_COMMERCIAL_PURPOSE = (
    "A non-commercial licence cannot allow the commercial purpose {purpose!r}."
)
MSG_LICENCE_TERRITORY = "Territory {code!r} is not a two-letter ISO 3166-1 country code such as KR."
MSG_LICENCE_TERM = "The term of use must be between 1 and {max_days} days; got {days}."
MSG_LICENCE_NO_REID = (
    "Every licence on datanuri forbids re-identification; it cannot be switched off."
)
MSG_LICENCE_ONWARD = (
    "The licence forbids onward sale and distribution, so it cannot also permit {action!r}."
)
MSG_LICENCE_TEMPLATE = "Unknown licence template {name!r}; templates are: {known}."
MSG_LICENCE_NOT_ODRL = "The licence is not an ODRL offer written by datanuri: {why}."

# ----- the licence in plain words --------------------------------------------------------------
TXT_MAY = "You may: {actions}."
TXT_PURPOSES = "Only for: {purposes}."
TXT_ANY_PURPOSE = "For any lawful purpose."
TXT_COMMERCIAL = "Commercial use is allowed."
TXT_NON_COMMERCIAL = "Commercial use is not allowed."
TXT_TERRITORY = "Only within: {territory}."
TXT_TERM_DAYS = "For {days} days from the purchase."
TXT_ENDS_ON = "Until {date} at the latest."
TXT_ATTRIBUTE = "You must name the holder, {holder}, as the source."
TXT_NO_REID = "You must not try to re-identify any person in the data or link it to do so."
TXT_NO_ONWARD = "You must not sell, give or distribute the data to others."
TXT_NO_DERIVE = "You must not make derived datasets from it."

# ----- listings --------------------------------------------------------------------------------
MSG_NO_LISTING = "There is no listing {id} (or you may not see it)."
MSG_NOT_RESTRICTED = (
    "Only restricted datasets can be offered for sale; {name!r} is {level}. Open data is free "
    "to download, and personal data is offered only through a de-identified release dataset."
)
MSG_NOT_HOLDER = "Only the editors and owners of {org!r} can manage listings of its datasets."
MSG_TITLE = "A listing needs a title of 1 to {max} characters."
MSG_DESCRIPTION = "The description can be at most {max} characters long."
MSG_PRICE = "Unknown price model {kind!r}; use one-off, subscription or free-research."
MSG_PRICE_AMOUNT = "A price must be a whole number of won from {min} to {max}; got {value}."
MSG_PRICE_PERIOD = "A subscription is per month or per year; got {period!r}."
MSG_FREE_NEEDS_RESEARCH = (
    "A listing free for research must have a licence that allows research only."
)
MSG_STATUS = "The listing is {status}; it cannot be {action} now."
MSG_NO_SAMPLE = (
    "A listing needs a sample before it is published: rows of a released de-identified "
    "version, or a synthetic sample file."
)
MSG_SAMPLE_RELEASE = (
    "Version {version} of {name!r} is not a de-identified release (privacy release) of this "
    "dataset; a sample from released rows must come from one."
)
MSG_SAMPLE_IDENTIFIERS = (
    "The synthetic sample has columns that look like direct identifiers: {columns}. A sample "
    "must hold no personal identifiers."
)
MSG_SAMPLE_REAL_ROWS = (
    "{count} rows of the synthetic sample are rows of the dataset itself; a sample must never "
    "hold real restricted rows."
)
MSG_SAMPLE_EMPTY = "The sample file has no rows."
MSG_SAMPLE_TOO_BIG = "A sample holds at most {max} rows; the file has {rows}."
MSG_VERSION = "Dataset {name!r} has no version {version} to offer."
MSG_BAD_STATUS = "Status must be one of {known}."
MSG_PRICE_TEXT = (
    "Cannot read the price {text!r}; write one-off:50000, subscription:month:30000 (or "
    "subscription:year:...) or free-research."
)
