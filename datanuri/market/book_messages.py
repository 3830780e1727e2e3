"""User-facing messages of the books (English; Korean in datanuri/i18n/ko.po)."""

from __future__ import annotations

MSG_NOT_WHOLE = "The {what} must be a whole number of won, not {value!r}."
MSG_TOO_LARGE = "An amount can be at most {limit} won."
MSG_NOT_POSITIVE = "An amount to pay, top up or refund must be more than 0 won, not {value}."
MSG_ENTRY_LEGS = "A journal entry needs at least two postings."
MSG_ENTRY_LEG_AMOUNT = "Each posting of a journal entry must move a non-zero amount, not {amount}."
MSG_ENTRY_SAME_ACCOUNT = "A journal entry can post to account {account} only once."
MSG_UNBALANCED = "A journal entry must balance: its postings add up to {total} instead of 0."
MSG_BAD_SPLIT = "An amount can be split only by weights of 0 or more that are not all 0."
MSG_FEE_RANGE = "The fee must be from 0 to 10000 basis points (0% to 100%), not {fee_bps}."
MSG_REFUND_TOO_MUCH = (
    "A refund of {amount} won is more than is left to refund of this sale ({left} won); "
    "nothing was refunded."
)
MSG_INSUFFICIENT_CREDIT = (
    "The buyer's credit is {balance} won, less than the {amount} won to pay; nothing was "
    "charged. Top up the credit first."
)
MSG_WOULD_GO_NEGATIVE = (
    "Account {account} ({type}) would go below 0 won by this entry; nothing was posted."
)
MSG_KEY_REUSED = (
    "The idempotency key {key!r} was already used for a different request, so nothing was done. "
    "Repeat the original request exactly, or use a new key for a new request."
)
MSG_KEY_FORMAT = "An idempotency key must be 1 to 200 printable characters, not {key!r}."
MSG_MEMO_LONG = "A memo can be at most 500 characters long."
MSG_NO_ENTRY = "There is no journal entry {entry}."
MSG_NOT_A_SALE = "Journal entry {entry} is not a sale, so it cannot be refunded."
MSG_NO_ACCOUNT = "There is no account {account}."
MSG_NO_USER = "There is no active user with id {user}."
MSG_TOP_UP_RIGHTS = "Only platform administrators can top up a buyer's credit."
MSG_CHARGE_RIGHTS = "Only the buyer or the platform can pay from a buyer's credit."
MSG_REFUND_RIGHTS = (
    "Only an owner of the organisation that sold it or a platform administrator can refund a sale."
)
MSG_STATEMENT_RIGHTS = (
    "Only the account's owner or a platform administrator can read its balance and statement."
)
MSG_BOOKS_RIGHTS = "Only platform administrators and auditors can check the books."

# Problems `Books.verify` reports (for operators and auditors).
PROB_UNBALANCED = "Journal entry {entry} does not balance or has fewer than two postings."
PROB_DIGEST = "Journal entry {entry} no longer matches the digest recorded in the ledger."
PROB_ORPHANS = "Postings name journal entries that do not exist: {entries}."
PROB_CACHED = "The cached balance of account {account} differs from the sum of its postings."
PROB_NEGATIVE = "Account {account} is below 0 won, which it must never be."
PROB_OVERREFUNDED = "Sale {entry} was refunded more than it charged."
