"""Messages of logins, second factors and login alerts, each as (Korean, English).

Services raise errors with the English text (the API's language, as everywhere); pages show the
Korean one through `in_language`. Tests import these names."""

from __future__ import annotations

from datanuri.accounts.validate import MAX_PASSWORD, MIN_PASSWORD

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

# Self-service: sign-up, e-mail verification and password reset (accounts/selfservice.py).
MSG_SIGNUP_OFF: Pair = (
    "이 서버는 직접 가입을 받지 않습니다. 관리자에게 계정을 요청하세요.",
    "This server does not take sign-ups. Ask an admin for an account.",
)
MSG_SIGNUP_SENT: Pair = (
    "확인 메일을 보냈습니다. 메일의 링크를 열어 가입을 마치세요. 메일이 보이지 않으면 스팸함을 확인하거나 "
    "확인 메일을 다시 보내세요.",
    "We sent a confirmation mail. Open its link to finish signing up. If you do not see it, look "
    "in your spam folder or send it again.",
)
MSG_UNVERIFIED: Pair = (
    "이메일 주소 확인이 아직 끝나지 않았습니다. 가입할 때 받은 메일의 링크를 여세요. 메일이 없으면 확인 메일을 "
    "다시 보내세요.",
    "Your e-mail address is not confirmed yet. Open the link in the mail you got when you signed "
    "up, or send the confirmation mail again.",
)
MSG_VERIFIED: Pair = (
    "이메일 주소를 확인했습니다. 이제 로그인하세요.",
    "Your e-mail address is confirmed. Log in now.",
)
MSG_LINK_BAD: Pair = (
    "이 링크는 맞지 않거나, 이미 쓰였거나, 만료되었습니다. 새 링크를 요청하세요.",
    "This link is not valid, was already used or has expired. Ask for a new one.",
)
MSG_RESET_SENT: Pair = (
    "그 주소로 가입한 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. 링크는 한 번만, 정해진 시간 안에만 "
    "쓸 수 있습니다.",
    "If an account uses that address, we sent it a link to set a new password. The link works "
    "once and only for a short time.",
)
MSG_RESET_DONE: Pair = (
    "비밀번호를 바꿨고 이 계정의 모든 로그인 세션을 끝냈습니다. 새 비밀번호로 로그인하세요.",
    "Your password is changed and every session of this account has ended. Log in with the new "
    "password.",
)
MSG_BAD_EMAIL: Pair = (
    "이메일 주소가 올바르지 않습니다. name@example.org 같은 주소를 입력하세요.",
    "That is not an e-mail address. Enter one like name@example.org.",
)
MSG_BAD_NAME: Pair = (
    "이름을 입력하세요(200자 이하, 제어 문자 없이).",
    "Enter a name (at most 200 characters, no control characters).",
)
MSG_PASSWORD_RULE: Pair = (
    f"비밀번호는 {MIN_PASSWORD}자 이상 {MAX_PASSWORD}자 이하여야 합니다.",
    f"A password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
)
MSG_PASSWORD_MISMATCH: Pair = (
    "두 비밀번호가 같지 않습니다. 같은 비밀번호를 두 번 입력하세요.",
    "The two passwords differ. Enter the same password twice.",
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
