"""Messages of logins, second factors and login alerts, each as (Korean, English).

Services raise errors with the English text (the API's language, as everywhere); pages show the
Korean one through `in_language`. Tests import these names."""

from __future__ import annotations

Pair = tuple[str, str]

MSG_SECOND_FACTOR: Pair = (
    "두 번째 인증이 필요합니다. 인증 앱의 6자리 코드를 입력하거나, 패스키를 쓰거나, 복구 코드를 입력하세요.",
    "A second factor is needed: enter the 6-digit code from your authenticator app, use your "
    "passkey, or enter a recovery code.",
)
MSG_ENROL_NEEDED: Pair = (
    "이 계정은 데이터를 게시하거나 관리할 수 있어 두 번째 인증이 꼭 필요합니다. 지금 인증 앱(TOTP)이나 "
    "패스키를 등록하세요.",
    "This account can publish or administer data, so it needs a second factor. Set one up now: "
    "an authenticator app (TOTP) or a passkey.",
)
MSG_BAD_CODE: Pair = (
    "코드가 맞지 않거나 이미 쓰였습니다. 인증 앱에 지금 보이는 6자리 코드나 복구 코드를 입력하세요.",
    "The code is not right or was already used. Enter the 6-digit code your authenticator app "
    "shows now, or a recovery code.",
)
MSG_CHALLENGE_GONE: Pair = (
    "이 로그인 단계가 만료되었습니다. 이메일과 비밀번호로 다시 로그인하세요.",
    "This login step has expired. Log in again with your e-mail and password.",
)
MSG_TOO_MANY_CODES: Pair = (
    "틀린 코드가 너무 많습니다. 이메일과 비밀번호로 다시 로그인하세요.",
    "Too many wrong codes. Log in again with your e-mail and password.",
)
MSG_LOGIN_BLOCKED: Pair = (
    "이 로그인은 계정 공격(한 네트워크에서 여러 계정 시도, 짧은 시간의 많은 시도 등)으로 보여 거부되었습니다. "
    "10분 뒤 다시 시도하고, 본인이었다면 관리자에게 알리세요.",
    "This login looks like an attack on accounts (many accounts tried from one network, or many "
    "tries in a short time) and was refused. Wait 10 minutes and try again; if it was you, tell "
    "an admin.",
)
MSG_TOKEN_BLOCKED: Pair = (
    "이 API 토큰이 같은 시각에 다른 네트워크에서도 쓰이고 있어 도난이 의심되므로 이 요청을 거부했고, 소유자와 "
    "관리자에게 알렸습니다. 두 곳 모두 본인이면 10분 뒤 다시 시도하고, 아니면 토큰을 폐기하세요.",
    "This API token is in use from another network at the same time, which looks like a stolen "
    "token: this request was refused and its owner and the admins were alerted. If both uses are "
    "yours, wait 10 minutes; if not, revoke the token.",
)
MSG_NOT_ENROLLING: Pair = (
    "이 단계에서는 두 번째 인증을 등록할 수 없습니다. 다시 로그인하거나 계정 페이지에서 등록하세요.",
    "A second factor cannot be set up in this step. Log in again, or set one up from your "
    "account page.",
)
MSG_NO_PASSKEY: Pair = (
    "이 계정에는 등록된 패스키가 없습니다. 인증 앱의 코드나 복구 코드를 쓰세요.",
    "This account has no passkey. Use the code from your authenticator app or a recovery code.",
)
MSG_RECOVERY_CODES: Pair = (
    "복구 코드입니다. 지금 한 번만 보입니다. 안전한 곳에 적어 두세요. 각 코드는 한 번만 쓸 수 있습니다.",
    "Your recovery codes, shown only now: keep them somewhere safe. Each works once.",
)
MSG_ALERTS_FORBIDDEN: Pair = (
    "보안 알림은 본인 것만 볼 수 있습니다. 모든 알림은 관리자와 감사인이 봅니다.",
    "You can see only your own security alerts; admins and auditors see all of them.",
)

# Why a login or token use was stepped up or blocked (alert reasons).
REASONS: dict[str, Pair] = {
    "new_device": ("처음 보는 기기", "new device"),
    "new_network": ("처음 보는 네트워크", "new network"),
    "unusual_hour": ("평소와 다른 시간", "unusual hour"),
    "impossible_rate": ("짧은 시간에 너무 많은 시도", "impossible rate of attempts"),
    "credential_stuffing": (
        "한 네트워크에서 여러 계정 시도",
        "many accounts tried from one network",
    ),
    "token_two_networks": (
        "한 토큰을 두 네트워크에서 동시에 사용",
        "one token used from two networks at once",
    ),
}
VERDICTS: dict[str, Pair] = {
    "allow": ("허용", "allowed"),
    "step_up": ("두 번째 인증 요구", "second factor asked"),
    "block": ("차단", "blocked"),
}

_ALL: tuple[Pair, ...] = tuple(v for k, v in dict(globals()).items() if k.startswith("MSG_"))


def in_language(message: str, lang: str) -> str:
    """`message` (an English text of this catalogue) in `lang`; other texts unchanged."""
    if lang != "ko":
        return message
    for ko, en in _ALL:
        if message == en:
            return ko
    return message
