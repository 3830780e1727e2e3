"""MyData's messages in English (the API's and the CLI's language); their Korean is in
`datanuri/i18n/ko.po`, found with `datanuri.i18n.translate` after formatting."""

from __future__ import annotations

# ----- linking identifiers --------------------------------------------------------------------
MSG_BAD_RRN = (
    "A resident registration number has 13 digits (e.g. 900101-1234567); the value given has "
    "{digits} digits. Check it and try again."
)
MSG_NOT_PERSON = (
    "This account is not linked to a person (no verified resident registration number). An "
    "administrator links it with `datanuri mydata link EMAIL`."
)
MSG_ALREADY_LINKED = (
    "This resident registration number is already linked to another account; one person has one "
    "account. Unlink that account first."
)
MSG_ADMIN_ONLY = "Only a platform administrator can do this."
MSG_LOGIN = "Log in first."
MSG_NO_USER = "No user with the e-mail address {email!r}. Check the address."
MSG_WHO_REVOKES = "Say who revokes the consent: the person or the recipient."
# ----- offers ---------------------------------------------------------------------------------
MSG_NOT_PERSONAL = (
    "Dataset {name!r} is not a personal dataset (its access level is {level}); a MyData offer is "
    "made on a personal dataset that holds rows about people."
)
MSG_NO_SUBJECT = (
    "Dataset {name!r} has no column {column!r} to identify people by. Its columns are: {columns}."
)
MSG_NO_COLUMN = (
    "Item {item!r} names column {column!r}, which dataset {name!r} does not have. Its columns "
    "are: {columns}."
)
MSG_SUBJECT_IN_ITEM = (
    "Item {item!r} includes the subject column {column!r}; the resident registration number is "
    "never sent. Remove it from the item."
)
MSG_BAD_ITEM = (
    "Each item needs a name (letters, digits, '.', '_' or '-'), at least one column and labels in "
    "Korean and English ({problem})."
)
MSG_HOLDER_ONLY = "Only an owner or editor of {org!r} can manage its MyData offers."
MSG_NO_OFFER = (
    "Holder {holder!r} offers no MyData transfers of dataset {dataset!r}. Ask the holder to declare "
    "an offer (`datanuri mydata offer {dataset} ...`)."
)
MSG_NO_OFFER_ON = "There is no MyData offer on a dataset named {dataset!r}. List offers with `datanuri mydata offers`."
# ----- authorization details ------------------------------------------------------------------
MSG_DETAILS_TYPE = (
    "Each authorization_details entry must be an object of type 'mydata_transfer'; got {got!r}."
)
MSG_DETAILS_FIELD = (
    "authorization_details of type 'mydata_transfer' needs {field!r} ({what}); it is missing or "
    "malformed."
)
MSG_PERIOD = "The consent period must be 1 to {max_days} days (at most one year); got {days}."
MSG_FREQUENCY = "The frequency must be 'once' or 'periodic'; got {value!r}."
MSG_UNKNOWN_ITEMS = (
    "Holder {holder!r} offers no item(s) {items} on dataset {dataset!r}. The items offered are: "
    "{offered}."
)
MSG_NO_ITEMS = "Name at least one item to transfer."
# ----- consents -------------------------------------------------------------------------------
MSG_NO_CONSENT = "No MyData consent {id!r}."
MSG_CONSENT_NOT_ACTIVE = (
    "Consent {id} is {status}: no more data is sent under it. The person can grant a new consent."
)
MSG_NOT_YOURS = "Consent {id} is not yours."
MSG_OUTSIDE_DATASET = (
    "Consent {id} covers dataset {allowed!r}, not {asked!r}; ask the person for a consent to it."
)
MSG_OUTSIDE_ITEMS = (
    "Consent {id} does not cover item(s) {items}; it covers {allowed}. Ask the person for a new "
    "consent."
)
MSG_PAGE = "Pages are numbered from 1 and hold 1 to {max_size} rows."
MSG_ACK_UNKNOWN = "Consent {id} was not revoked, so there is no deletion to acknowledge."
# ----- receipts -------------------------------------------------------------------------------
MSG_RECEIPT_FORMAT = "This file is not a MyData consent receipt ({why})."
MSG_RECEIPT_BAD_SIGNATURE = (
    "The consent receipt's signature does not verify: the receipt was altered or was not signed "
    "by this platform."
)
MSG_RECEIPT_OTHER_KEY = (
    "The consent receipt was signed by key {got!r}, not by the platform key {expected!r} given to "
    "check it."
)
MSG_RECEIPT_NOT_GRANTED = (
    "The consent receipt's record is not the one its ledger entry recorded when it was granted."
)
# ----- notices (dashboard, webhooks) ----------------------------------------------------------
MSG_REVOKED_NOTICE = (
    "Consent {id} was revoked: delete the data you received under it and acknowledge the deletion."
)
MSG_REVOKED_NOTICE_PERSON = (
    "Consent {id} for {recipient} was revoked; the recipient was asked to delete the data it "
    "received."
)
