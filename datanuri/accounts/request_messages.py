"""Messages of access requests and their notifications, each as (Korean, English).

Services raise errors with the English text (the API's language); pages show the Korean one
through `in_language`. Notices are stored in both languages, formatted when sent."""

from __future__ import annotations

Pair = tuple[str, str]

MSG_LOGIN: Pair = (
    "이용 신청은 로그인한 뒤 본인 계정으로 할 수 있습니다.",
    "Log in with your own account to ask for access.",
)
MSG_NOT_RESTRICTED: Pair = (
    "이용 신청은 제한 공개 데이터셋에만 할 수 있습니다. 공개 데이터는 바로 내려받을 수 있습니다.",
    "Access can be requested only for restricted datasets; open ones can be downloaded as they are.",
)
MSG_PERSONAL: Pair = (
    "개인정보가 들어 있는 데이터셋의 행은 누구에게도 제공되지 않습니다. 보유 기관에 비식별 처리된 공개본을 요청하세요.",
    "The rows of a dataset with personal data are released to nobody. Ask the holder for a "
    "de-identified release.",
)
MSG_ALREADY_ALLOWED: Pair = (
    "이미 이 데이터셋의 행을 볼 수 있습니다. 신청할 필요가 없습니다.",
    "You can already read this dataset's rows; there is nothing to request.",
)
MSG_DUPLICATE: Pair = (
    "이 데이터셋에 대한 신청이 이미 검토 중입니다. 계정 페이지의 '내 이용 신청'에서 확인하거나 철회하세요.",
    "You already have a request for this dataset waiting for a decision. See or withdraw it under "
    "'My access requests' on your account page.",
)
MSG_PURPOSE_SHORT: Pair = (
    "이용 목적을 {purpose_min}자 이상 적으세요. 무엇에 어떻게 쓰려는지 보유 기관이 판단할 수 있어야 합니다.",
    "Describe the purpose in at least {purpose_min} characters, so the holder can judge what the data is "
    "for and how it will be used.",
)
MSG_PURPOSE_LONG: Pair = (
    "이용 목적은 {purpose_max}자까지 적을 수 있습니다.",
    "The purpose can be at most {purpose_max} characters long.",
)
MSG_DAYS: Pair = (
    "이용 기간은 1일에서 {max_days}일 사이로 고르세요.",
    "Choose a period of use between 1 and {max_days} days.",
)
MSG_REASON_NEEDED: Pair = (
    "거절 사유를 적으세요. 신청자에게 전달됩니다.",
    "Give the reason for refusing; the requester is told it.",
)
MSG_REASON_LONG: Pair = (
    "사유는 {reason_max}자까지 적을 수 있습니다.",
    "The reason can be at most {reason_max} characters long.",
)
MSG_EXPIRY: Pair = (
    "만료일은 내일부터 {max_days}일 안의 날짜로 정하세요.",
    "Choose an expiry date from tomorrow up to {max_days} days from now.",
)
MSG_NOT_PENDING: Pair = (
    "이 신청은 이미 처리되었습니다(승인, 거절 또는 철회).",
    "This request was already decided (approved, refused or withdrawn).",
)
MSG_NO_REQUEST: Pair = (
    "해당 이용 신청이 없습니다.",
    "No such access request.",
)
MSG_NOT_YOURS: Pair = (
    "본인의 신청만 철회할 수 있습니다.",
    "You can withdraw only your own requests.",
)
MSG_NO_LONGER_RESTRICTED: Pair = (
    "이 데이터셋은 더 이상 제한 공개가 아니어서 승인할 수 없습니다.",
    "This dataset is no longer restricted, so the request cannot be approved.",
)

# Notices (formatted with dataset, user, date, reason).
NOTE_NEW: Pair = (
    "{user}님이 «{dataset}» 이용을 신청했습니다 ({days}일).",
    "{user} asked for access to «{dataset}» ({days} days).",
)
NOTE_APPROVED: Pair = (
    "«{dataset}» 이용 신청이 승인되었습니다. {date_ko}까지 이용할 수 있습니다.",
    "Your request for «{dataset}» was approved: you have access until {date_en}.",
)
NOTE_REFUSED: Pair = (
    "«{dataset}» 이용 신청이 거절되었습니다. 사유: {reason}",
    "Your request for «{dataset}» was refused. Reason: {reason}",
)

_ALL: tuple[Pair, ...] = tuple(v for k, v in dict(globals()).items() if k.startswith("MSG_"))


def in_language(message: str, lang: str, **limits: object) -> str:
    """`message` (an English text of this catalogue, formatted with `limits`) in `lang`; other
    texts unchanged."""
    if lang != "ko":
        return message
    for ko, en in _ALL:
        if message == en.format(**limits):
            return ko.format(**limits)
    return message
