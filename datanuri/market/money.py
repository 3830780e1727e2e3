"""Money as whole numbers, pure: `Won` amounts in integer minor units, journal-entry validation,
and exact splitting of an amount into shares (largest remainder). No floats anywhere: a float
given as an amount is refused, never rounded.

Sign convention of postings: a debit is positive, a credit negative; an entry's postings add up
to zero. An account's balance as its owner reads it is the sum of its postings times the sign of
its normal side (+1 for a debit-normal account, -1 for a credit-normal one), so the usual
balances are not negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from datanuri import errors
from datanuri.market import book_messages as M

CURRENCY = "KRW"  # the won has no minor unit in use: one minor unit is one won
MAX_AMOUNT = 10**15  # well inside the safe integer range of JSON and of a 64-bit column
BPS = 10_000  # basis points in a whole

AccountType = Literal[
    "buyer_credit", "holder_receivable", "platform_fee", "refunds_payable", "external_cash"
]
ACCOUNT_TYPES: tuple[AccountType, ...] = (
    "buyer_credit",
    "holder_receivable",
    "platform_fee",
    "refunds_payable",
    "external_cash",
)
Side = Literal["debit", "credit"]
# The platform's view: the outside world's cash is what came in (debit); credit owed to buyers,
# money owed to holders, fees earned and refunds owed are credits.
NORMAL_SIDE: dict[str, Side] = {
    "buyer_credit": "credit",
    "holder_receivable": "credit",
    "platform_fee": "credit",
    "refunds_payable": "credit",
    "external_cash": "debit",
}
# Accounts whose natural balance may never go below zero (the outside world may).
NEVER_NEGATIVE = frozenset({"buyer_credit", "holder_receivable", "platform_fee", "refunds_payable"})


def whole(value: object, what: str = "amount") -> int:
    """`value` as an int, refusing floats, booleans, decimals and strings (no silent rounding)."""
    if type(value) is not int:
        raise errors.InvalidInput(M.MSG_NOT_WHOLE.format(what=what, value=value))
    return value


@dataclass(frozen=True, order=True)
class Won:
    """An amount of Korean won in minor units (an int; may be negative for differences)."""

    minor: int

    def __post_init__(self) -> None:
        whole(self.minor)
        if abs(self.minor) > MAX_AMOUNT:
            raise errors.InvalidInput(M.MSG_TOO_LARGE.format(limit=MAX_AMOUNT))

    @classmethod
    def positive(cls, value: Won | int) -> Won:
        """An amount to move: a whole number of won above zero."""
        won = value if isinstance(value, Won) else cls(whole(value))
        if won.minor <= 0:
            raise errors.InvalidInput(M.MSG_NOT_POSITIVE.format(value=won.minor))
        return won

    def __add__(self, other: Won) -> Won:
        return Won(self.minor + other.minor)

    def __sub__(self, other: Won) -> Won:
        return Won(self.minor - other.minor)

    def __neg__(self) -> Won:
        return Won(-self.minor)

    def __str__(self) -> str:
        return f"₩{self.minor:,}"


def sign(side: Side) -> int:
    """+1 for a debit-normal account, -1 for a credit-normal one."""
    return 1 if side == "debit" else -1


@dataclass(frozen=True)
class Leg:
    """One posting of an entry being made: `amount` (signed minor units) to `account_id`."""

    account_id: int
    amount: int


def check_entry(legs: Sequence[Leg]) -> tuple[Leg, ...]:
    """The legs of a balanced entry, or `InvalidInput`: at least two, each a non-zero int within
    the limit, accounts distinct, adding up to zero."""
    if len(legs) < 2:
        raise errors.InvalidInput(M.MSG_ENTRY_LEGS)
    seen: set[int] = set()
    for leg in legs:
        amount = whole(leg.amount)
        if amount == 0 or abs(amount) > MAX_AMOUNT:
            raise errors.InvalidInput(M.MSG_ENTRY_LEG_AMOUNT.format(amount=amount))
        if leg.account_id in seen:
            raise errors.InvalidInput(M.MSG_ENTRY_SAME_ACCOUNT.format(account=leg.account_id))
        seen.add(leg.account_id)
    total = sum(leg.amount for leg in legs)
    if total != 0:
        raise errors.InvalidInput(M.MSG_UNBALANCED.format(total=total))
    return tuple(legs)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` (>= 0) into parts proportional to `weights` (>= 0, not all zero) that add up
    to exactly `total`: each part is its quota rounded down, and the units left over go one each
    to the largest remainders (the earlier weight first on a tie). Integer arithmetic only."""
    whole(total, "total")
    if total < 0 or not weights or any(whole(w, "weight") < 0 for w in weights):
        raise errors.InvalidInput(M.MSG_BAD_SPLIT)
    scale = sum(weights)
    if scale == 0:
        raise errors.InvalidInput(M.MSG_BAD_SPLIT)
    floors = [total * w // scale for w in weights]
    remainders = [total * w % scale for w in weights]
    left = total - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors


def split_fee(amount: int, fee_bps: int) -> tuple[int, int]:
    """(holder's part, platform's fee) of a sale of `amount` with a fee of `fee_bps` basis
    points: exact shares by largest remainder, adding up to `amount`."""
    fee_bps = whole(fee_bps, "fee_bps")
    if not 0 <= fee_bps <= BPS:
        raise errors.InvalidInput(M.MSG_FEE_RANGE.format(fee_bps=fee_bps))
    net, fee = allocate(amount, [BPS - fee_bps, fee_bps])
    return net, fee


def refund_parts(charged: Sequence[int], refunded_before: int, amount: int) -> list[int]:
    """How much of each of a sale's credited parts (`charged`: the holder's part, the fee) a
    refund of `amount` takes back, after `refunded_before` was refunded already.

    The parts of all refunds so far are the proportional split of their running total, so a sale
    refunded in full in any number of steps gives back exactly what each part received, and no
    part ever gives back more than it got. (Two parts round like one number rounded to the
    nearest, which only grows with the total; the check below keeps that true for any split.)"""
    total = sum(charged)
    if not 0 < amount <= total - refunded_before:
        raise errors.InvalidInput(
            M.MSG_REFUND_TOO_MUCH.format(amount=amount, left=total - refunded_before)
        )
    before = allocate(refunded_before, charged)
    after = allocate(refunded_before + amount, charged)
    parts = [a - b for a, b in zip(after, before, strict=True)]
    if any(p < 0 for p in parts) or any(a > c for a, c in zip(after, charged, strict=True)):
        raise AssertionError("a proportional refund took back more than a part received")
    return parts
