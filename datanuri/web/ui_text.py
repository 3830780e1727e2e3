"""Korean and English words of the browser UI that are not sentences in a template.

Templates carry their own sentences through `t(ko, en)`; this module holds the vocabularies
(themes, access levels, facet names, licences) and the error page texts, each as (ko, en).
"""

from __future__ import annotations

from markupsafe import Markup

from datanuri.catalog import vocab

Pair = tuple[str, str]

# The catalog's vocabularies (one definition, checked by catalog/fields.py), labelled here.
THEMES: dict[str, Pair] = vocab.THEMES
LICENSES: dict[str, Pair] = vocab.LICENSES
FREQUENCIES: dict[str, Pair] = vocab.FREQUENCIES
PROVISION_TYPES: dict[str, Pair] = vocab.PROVISION_TYPES

ACCESS: dict[str, Pair] = {
    "open": ("공개", "Open"),
    "restricted": ("제한 공개", "Restricted"),
    "personal": ("개인정보 포함", "Personal data"),
}

ACCESS_HELP: dict[str, Pair] = {
    "open": ("누구나 내려받을 수 있습니다.", "Anyone may download it."),
    "restricted": (
        "보유 기관 구성원과 이용 권한이 있는 사람만 행을 볼 수 있습니다.",
        "Only members of the holding organisation and entitled users may see its rows.",
    ),
    "personal": (
        "개인정보가 들어 있어 행을 보여 주거나 내려받을 수 없습니다. 비식별 처리된 공개본을 요청하세요.",
        "It holds personal data: its rows are never shown or downloaded. Ask the holder for a de-identified release.",
    ),
}

LISTING_STATUS: dict[str, Pair] = {
    "draft": ("초안", "Draft"),
    "published": ("판매 중", "On sale"),
    "unpublished": ("판매 중단", "Off sale"),
    "archived": ("보관", "Archived"),
}
PRICE_KINDS: dict[str, Pair] = {
    "one-off": ("버전별 일시 구매", "One-off, per version"),
    "subscription": ("구독", "Subscription"),
    "free-research": ("연구 목적 무료", "Free for research"),
}
LICENCE_TEMPLATES: dict[str, Pair] = {
    "research-only": ("연구·교육 전용 (비영리)", "Research and teaching only (non-commercial)"),
    "commercial-internal": ("기업 내부 이용 (영리)", "Commercial, internal use"),
    "commercial-product": ("제품·서비스 개발 (영리)", "Commercial, products and services"),
    "public-interest": ("공익 목적 (비영리)", "Public interest (non-commercial)"),
}
FOR_SALE: dict[str, Pair] = {"yes": ("판매 중", "On sale")}

FACETS: dict[str, Pair] = {
    "theme": ("주제", "Theme"),
    "organization": ("기관", "Organisation"),
    "region": ("지역", "Region"),
    "access_level": ("공개 수준", "Access"),
    "format": ("형식", "Format"),
    "license": ("이용허락", "Licence"),
    "keyword": ("키워드", "Keyword"),
    "language": ("언어", "Language"),
    "sigungu": ("시군구", "District"),
    "for_sale": ("데이터 상품", "For sale"),
}

# Download buttons, in the order shown; CSV is UTF-8 with a byte-order mark (Excel reads Korean).
DOWNLOADS: dict[str, Pair] = {
    "csv": ("CSV (엑셀, UTF-8)", "CSV (Excel, UTF-8)"),
    "xlsx": ("엑셀 (XLSX)", "Excel (XLSX)"),
    "csv-cp949": ("CSV (CP949, 한글 윈도우)", "CSV (CP949, Korean Windows)"),
    "parquet": ("Parquet", "Parquet"),
    "json": ("JSON", "JSON"),
}

LANGUAGES: dict[str, Pair] = {"ko": ("한국어", "Korean"), "en": ("영어", "English")}

FIELD_TYPES: dict[str, Pair] = {
    "string": ("문자열", "text"),
    "integer": ("정수", "integer"),
    "number": ("실수", "number"),
    "boolean": ("참/거짓", "boolean"),
    "date": ("날짜", "date"),
    "datetime": ("일시", "date-time"),
    "time": ("시각", "time"),
    "year": ("연도", "year"),
}

# A column's role found at ingest (tables.roles): profiled as categories, not as a quantity.
FIELD_ROLES: dict[str, Pair] = {
    "identifier": ("식별번호", "identifier"),
    "code": ("코드", "code"),
}

# Error pages: status -> (title, explanation), each (ko, en).
ERRORS: dict[int, tuple[Pair, Pair]] = {
    400: (
        ("요청이 올바르지 않습니다", "This request is not valid"),
        (
            "주소나 입력값을 확인하고 다시 시도하세요.",
            "Check the address or the values you entered and try again.",
        ),
    ),
    401: (
        ("로그인이 필요합니다", "Please log in"),
        ("이 페이지를 보려면 로그인하세요.", "Log in to see this page."),
    ),
    403: (
        ("볼 수 있는 권한이 없습니다", "You may not see this"),
        (
            "이 내용은 권한이 있는 사용자만 볼 수 있습니다. 필요하면 보유 기관에 문의하세요.",
            "Only users with the right permission may see this. Ask the holding organisation if you need it.",
        ),
    ),
    404: (
        ("페이지를 찾을 수 없습니다", "Page not found"),
        (
            "주소가 바뀌었거나 없는 페이지입니다. 검색으로 찾아보세요.",
            "The address is wrong or the page no longer exists. Try searching for it.",
        ),
    ),
    429: (
        ("요청이 너무 많습니다", "Too many requests"),
        ("잠시 후 다시 시도하세요.", "Wait a moment and try again."),
    ),
    500: (
        ("서버에 문제가 생겼습니다", "Something went wrong"),
        (
            "문제가 기록되었습니다. 잠시 후 다시 시도하고, 계속되면 알려 주세요.",
            "The problem has been logged. Try again in a moment, and report it if it repeats.",
        ),
    ),
}


def pick(pairs: dict[str, Pair], key: str | None, lang: str) -> str:
    """The word for `key` in `lang`, or the key itself when the vocabulary lacks it."""
    if key is None:
        return ""
    pair = pairs.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "ko" else pair[1]


def error_text(status: int, lang: str) -> tuple[str, str]:
    title, body = ERRORS.get(status) or ERRORS[500 if status >= 500 else 400]
    i = 0 if lang == "ko" else 1
    return title[i], body[i]


# Names of the receipt checks (the messages stay as the verifier wrote them).
CHECKS: dict[str, Pair] = {
    "format": ("형식", "format"),
    "public key": ("공개키", "public key"),
    "checkpoint signature": ("체크포인트 서명", "checkpoint signature"),
    "entry": ("기록 해시", "entry hash"),
    "inclusion": ("포함 증명", "inclusion proof"),
    "file": ("파일 해시", "file hash"),
    "cosignatures": ("증인 연서명", "cosignatures"),
    "content": ("Parquet 해시 일치", "Parquet hash matches"),
    "subject": ("대상 버전", "subject version"),
    "checkpoint": ("현재 체크포인트", "current checkpoint"),
}


# ----- publisher console and tokens ------------------------------------------------------------
ROLES: dict[str, Pair] = {
    "owner": ("소유자", "owner"),
    "editor": ("편집자", "editor"),
    "member": ("구성원", "member"),
}

MODES: dict[str, Pair] = {"lenient": ("관대", "Lenient"), "strict": ("엄격", "Strict")}

MODE_HELP: dict[str, Pair] = {
    "lenient": (
        "문제가 있는 행이 있어도 게시합니다. 맞지 않는 값은 텍스트나 빈 값으로 두고, 값 개수가 맞지 "
        "않는 행과 합계 행은 표에서 빼며, 모두 보고서에 적습니다.",
        "Publish even when some rows have problems: values that do not fit are kept as text or "
        "left empty, rows with the wrong number of values and total rows are left out, and all "
        "are listed in a report.",
    ),
    "strict": (
        "문제가 있는 행이 하나라도 있으면 게시하지 않고 그 행들을 보여 줍니다.",
        "Publish nothing if any row has a problem, and list those rows.",
    ),
}

SCOPES: dict[str, Pair] = {
    "read": ("읽기", "read"),
    "publish": ("게시", "publish"),
    "admin": ("관리", "admin"),
}

SCOPE_HELP: dict[str, Pair] = {
    "read": ("데이터 검색, 미리보기, 내려받기", "search, preview and download data"),
    "publish": (
        "데이터셋 만들기, 새 버전 게시, 메타데이터 변경",
        "create datasets, publish versions, edit metadata",
    ),
    "admin": ("관리 작업과 다른 토큰 만들기", "administration, and creating other tokens"),
}

# Token lifetimes offered on the tokens form: days (None = never expires).
TOKEN_EXPIRY: dict[str, Pair] = {
    "30": ("30일", "30 days"),
    "90": ("90일", "90 days"),
    "365": ("1년", "1 year"),
    "never": ("만료 없음", "Never"),
}

PROBLEM_KINDS: dict[str, Pair] = {
    "type": ("형식 불일치", "type mismatch"),
    "column_count": ("값 개수 불일치", "wrong number of values"),
    "total_row": ("합계 행", "total row"),
    "missing_value": ("결측 표시", "missing-value marker"),
    "record": ("레코드 아님", "not a record"),
}

# Messages of the console and tokens pages, (ko, en); tests import these names.
MSG_NOT_EDITOR: Pair = (
    "데이터를 게시하려면 기관의 편집자나 소유자여야 합니다. 기관 소유자나 관리자에게 편집자로 "
    "추가해 달라고 요청하세요.",
    "To publish data you must be an editor or owner of an organisation. Ask an owner of the "
    "organisation or an admin to add you as an editor.",
)
MSG_NAME_RULE: Pair = (
    "영문 소문자, 숫자, '-', '_'로 2~100자, 첫 글자는 영문 소문자나 숫자. 주소에 쓰이며 만든 "
    "뒤에는 바꿀 수 없습니다. 예: seoul-air-quality-2024",
    "2 to 100 lowercase letters, digits, '-' or '_', starting with a letter or digit. It becomes "
    "part of the address and cannot change later. Example: seoul-air-quality-2024",
)
MSG_NAME_BAD: Pair = ("식별자가 규칙에 맞지 않습니다.", "This identifier does not follow the rule.")
MSG_NAME_TAKEN: Pair = (
    "이미 같은 식별자의 데이터셋이 있습니다. 다른 식별자를 고르세요.",
    "A dataset with this identifier already exists. Pick another one.",
)
MSG_TITLE_EMPTY: Pair = ("제목을 입력하세요.", "Enter a title.")
MSG_ORG_CHOOSE: Pair = (
    "편집 권한이 있는 기관 중 하나를 고르세요.",
    "Choose one of the organisations you edit.",
)
MSG_FORM_ERRORS: Pair = ("입력 내용을 확인하세요.", "Check what you entered.")
MSG_PERSONAL_STAYS: Pair = (
    "개인정보가 포함된 데이터셋은 여기서 공개나 제한 공개로 바꿀 수 없습니다. 비식별 처리 "
    "마법사로 비식별 공개본을 만드세요.",
    "A dataset holding personal data cannot be made open or restricted here. Make a de-identified "
    "release with the de-identification wizard.",
)
MSG_CONFIRM_OPEN: Pair = (
    "공개로 바꾸면 누구나 이 데이터셋의 모든 버전을 미리 보고 내려받을 수 있습니다. 이 변경은 "
    "무결성 원장에 기록됩니다. 계속할까요?",
    "Made open, every version of this dataset can be previewed and downloaded by anyone. The "
    "change is recorded in the integrity ledger. Continue?",
)
MSG_ACCESS_SAVED: Pair = ("공개 수준을 바꿨습니다.", "The access level was changed.")
MSG_META_SAVED: Pair = ("기본 정보를 저장했습니다.", "The details were saved.")
MSG_CREATED: Pair = (
    "데이터셋을 만들었습니다. 이제 첫 버전을 올리세요.",
    "The dataset was created. Now upload its first version.",
)
MSG_TOKEN_ONCE: Pair = (
    "이 토큰은 지금 한 번만 보입니다. 안전한 곳에 복사해 두세요. 잃어버리면 새로 만들어야 합니다.",
    "This token is shown only now, once. Copy it somewhere safe; if you lose it, create a new one.",
)
MSG_TOKEN_REVOKE_CONFIRM: Pair = (
    "이 토큰을 폐기하면 이 토큰을 쓰는 스크립트와 프로그램이 곧바로 동작하지 않습니다. 되돌릴 수 없습니다. 폐기할까요?",
    "Once revoked, scripts and programs using this token stop working at once. This cannot be undone. Revoke it?",
)
MSG_TOKEN_REVOKED: Pair = ("토큰을 폐기했습니다.", "The token was revoked.")
MSG_SCOPES_CHOOSE: Pair = ("권한을 하나 이상 고르세요.", "Choose at least one scope.")
MSG_TOKEN_NAME_EMPTY: Pair = ("토큰 이름을 입력하세요.", "Enter a name for the token.")
MSG_SERVICE_ERROR: Pair = ("요청을 처리하지 못했습니다:", "The request could not be done:")


def say(pair: Pair, lang: str) -> str:
    """One console message in `lang`."""
    return pair[0] if lang == "ko" else pair[1]


# ----- pseudonyms and the privacy-loss budget across releases ----------
PRIVACY: dict[str, Pair] = {
    "linkable_warning": (
        "주의: 이 공개본의 가명은 같은 키로 만든 다른 공개본과 연결할 수 있습니다 (정책의 "
        '"linkable": true). 두 공개본을 가진 사람은 가명으로 결합해 레코드를 좁혀 낼 수 있습니다. '
        "연결이 목적이 아니면 linkable을 빼고 다시 공개하세요. 해당 열:",
        "Warning: the pseudonyms of this release are linkable to other releases made with the same "
        'key (the policy\'s "linkable": true). Anyone holding two releases can join them on the '
        "pseudonyms and narrow down the records. Unless linking is the purpose, release again "
        "without linkable. Columns:",
    ),
    "budget_title": (
        "프라이버시 손실 예산 (차분 프라이버시)",
        "Privacy-loss budget (differential privacy)",
    ),
    "budget": ("예산 ε", "Budget ε"),
    "spent": ("사용한 ε", "ε spent"),
    "remaining": ("남은 ε", "ε remaining"),
    "releases": ("차분 프라이버시 공개 수", "Differentially private releases"),
    "declared": ("보유 기관의 소유자가 선언한 예산", "declared by an owner of the holder"),
    "default": ("플랫폼 기본 예산 (선언 없음)", "the platform's default (none declared)"),
    "budget_help": (
        "이 데이터셋의 모든 차분 프라이버시 공개가 쓰는 ε은 OpenDP의 합성으로 더해지며, 예산을 "
        "넘는 공개는 거부됩니다. 예산은 기관 소유자가 `datanuri privacy budget` 명령이나 API로 "
        "정합니다.",
        "The ε of every differentially private release of this dataset adds up (OpenDP's "
        "composition); a release past the budget is refused. An owner of the organisation sets "
        "it with `datanuri privacy budget` or the API.",
    ),
}


# Ledger entry types (events.py kinds), as the ledger pages name them.
EVENT_TYPES: dict[str, Pair] = {
    "dataset.access.changed": ("공개 수준 변경", "Access level changed"),
    "dataset.version.published": ("버전 게시", "Version published"),
    "privacy.release": ("비식별 처리본 공개", "De-identified release"),
    "privacy.key.created": ("가명처리 키 생성", "Pseudonymisation key created"),
    "token.created": ("API 토큰 발급", "API token issued"),
    "token.revoked": ("API 토큰 폐기", "API token revoked"),
    "entitlement.granted": ("이용 권한 부여", "Entitlement granted"),
    "entitlement.revoked": ("이용 권한 회수", "Entitlement revoked"),
    "privacy.budget.declared": ("프라이버시 예산 선언", "Privacy budget declared"),
    "synth.release": ("합성 데이터 공개", "Synthetic data released"),
    "account.second_factor.enrolled": ("2단계 인증 등록", "Second factor enrolled"),
    "privacy.detection.overridden": ("식별자 탐지 결과 변경", "Detection overridden"),
    "audit.recorded": ("AI 공정성 감사 기록", "Audit recorded"),
    "ai.system.registered": ("AI 시스템 등록", "AI system registered"),
    "ai.decision.recorded": ("AI 결정 기록", "AI decision recorded"),
    "ai.decision.corrected": ("AI 결정 정정", "AI decision corrected"),
    "ai.contest.filed": ("이의 제기 접수", "Contest filed"),
    "ai.contest.assigned": ("이의 제기 검토자 지정", "Contest assigned"),
    "ai.contest.escalated": ("이의 제기 기한 초과 보고", "Contest escalated"),
    "ai.contest.decided": ("이의 제기 결정", "Contest decided"),
    "linkage.project.created": ("결합 프로젝트 생성", "Linkage project created"),
    "linkage.salt.issued": ("결합 솔트 발급", "Linkage salt issued"),
    "linkage.keys.uploaded": ("결합키 파일 반입", "Keyed file uploaded"),
    "linkage.match.run": ("결합 실행", "Linkage run"),
    "linkage.query.run": ("결합 공간 질의", "Zone query run"),
    "linkage.export.requested": ("반출 요청", "Export requested"),
    "linkage.export.reviewed": ("반출 심사", "Export reviewed"),
    "linkage.export.released": ("반출 결과 공개", "Export released"),
    "linkage.project.closed": ("결합 프로젝트 종료", "Linkage project closed"),
    "linkage.zone.destroyed": ("결합 공간 파기", "Zone data destroyed"),
    "ai.model.registered": ("AI 모델 버전 등록", "AI model registered"),
    "ai.drift.checked": ("AI 모델 드리프트 점검", "AI model drift checked"),
    "dataset.version.withdrawn": ("버전 철회", "Version withdrawn"),
    "dataset.deleted": ("빈 데이터셋 삭제", "Empty dataset deleted"),
    "access.requested": ("이용 신청", "Access requested"),
    "access.request.approved": ("이용 신청 승인", "Access request approved"),
    "access.request.refused": ("이용 신청 거절", "Access request refused"),
    "access.request.withdrawn": ("이용 신청 철회", "Access request withdrawn"),
    "market.credit.topped_up": ("이용 크레딧 충전", "Credit topped up"),
    "market.sale.charged": ("판매 대금 결제", "Sale charged"),
    "market.sale.refunded": ("판매 대금 환불", "Sale refunded"),
    "mydata.person.linked": ("마이데이터 본인 연계", "MyData person linked"),
    "mydata.offer.declared": ("마이데이터 제공 항목 선언", "MyData offer declared"),
    "mydata.consent.granted": ("마이데이터 전송 동의", "MyData consent granted"),
    "mydata.consent.revoked": ("마이데이터 동의 철회", "MyData consent revoked"),
    "mydata.consent.expired": ("마이데이터 동의 만료", "MyData consent expired"),
    "mydata.transfer": ("마이데이터 전송", "MyData transfer"),
    "mydata.deletion.acknowledged": ("마이데이터 삭제 확인", "MyData deletion acknowledged"),
    "mydata.access": ("마이데이터 본인 열람", "MyData own rows read"),
    "market.order.placed": ("데이터 상품 주문", "Order placed"),
    "market.subscription.lapsed": ("구독 종료", "Subscription lapsed"),
    "desk.request.filed": ("데이터 요청 접수", "Data request filed"),
    "desk.request.supported": ("데이터 요청 공감", "Data request supported"),
    "desk.request.routed": ("데이터 요청 배정", "Data request routed"),
    "desk.request.answered": ("데이터 요청 답변", "Data request answered"),
    "desk.request.extended": ("데이터 요청 기한 연장", "Data request deadline extended"),
    "desk.request.withdrawn": ("데이터 요청 취하", "Data request withdrawn"),
    "desk.request.escalated": ("데이터 요청 기한 경과", "Data request overdue"),
    "desk.dispute.opened": ("데이터 요청 이의 신청", "Data request disputed"),
    "desk.dispute.decided": ("이의 신청 조정 결과", "Data request dispute decided"),
    "desk.firm.profile.saved": ("분석기업 프로필 저장", "Analysis-firm profile saved"),
    "desk.project.posted": ("가공 과제 등록", "Processing project posted"),
    "desk.project.offer.sent": ("가공 과제 제안", "Offer sent on a project"),
    "desk.project.offer.withdrawn": ("가공 과제 제안 철회", "Offer withdrawn"),
    "desk.project.awarded": ("가공 과제 수행기업 선정", "Project awarded"),
    "desk.project.delivered": ("가공 과제 납품", "Project delivered"),
    "desk.project.completed": ("가공 과제 완료", "Project completed"),
    "desk.project.cancelled": ("가공 과제 취소", "Project cancelled"),
    "market.listing.published": ("데이터 상품 판매 게시", "Listing published"),
    "market.listing.unpublished": ("데이터 상품 판매 중단", "Listing taken off sale"),
    "market.listing.licence.changed": ("데이터 상품 이용허락 변경", "Listing licence changed"),
    "market.fingerprint.scheme_set": ("사본 지문 방식 지정", "Fingerprint scheme set"),
    "market.copy.delivered": ("지문 사본 제공", "Fingerprinted copy delivered"),
}


def subject_text(subject: str | None, lang: str) -> str | Markup:
    """A ledger subject ("dataset:air@3", "org:h/key:k", "token:5", "user:3") in words; a kind of
    subject this does not know is shown as it is."""
    if not subject:
        return ""
    ko = lang == "ko"
    kind, _, rest = subject.partition(":")
    if kind == "dataset" and rest.startswith("~"):  # a hidden dataset's commitment (ledger/hiding)
        return Markup("{} <code>{}</code>").format(
            "비공개 데이터셋" if ko else "hidden dataset", rest.partition("@")[0]
        )
    if kind == "dataset" and rest:
        name, _, version = rest.partition("@")
        if version:
            return (
                f"데이터셋 {name} · 버전 {version}" if ko else f"dataset {name}, version {version}"
            )
        return f"데이터셋 {name}" if ko else f"dataset {name}"
    if kind == "org" and "/key:" in rest:
        org, _, key = rest.partition("/key:")
        return Markup("{} 기관의 키 <code>{}</code>" if ko else "key <code>{}</code> of {}").format(
            *((org, key) if ko else (key, org))
        )
    if kind == "data-request" and rest:  # the request desk's entries (desk/events.py)
        return f"데이터 요청 #{rest}" if ko else f"data request #{rest}"
    if kind == "token" and rest:
        return f"API 토큰 #{rest}" if ko else f"API token #{rest}"
    if kind == "user" and rest:
        return actor_text(subject, lang)
    if kind == "desk-project" and rest:  # the request desk's processing projects (desk/firms.py)
        return f"가공 과제 #{rest}" if ko else f"processing project #{rest}"
    if kind == "org" and rest:
        return f"{rest} 기관" if ko else f"organisation {rest}"
    if subject == "market:books":  # the market's double-entry books (book_events.py)
        return "데이터 장터 장부" if ko else "the market's books"
    words = SUBJECT_WORDS.get(kind)
    if words and rest:
        return Markup("{} <code>{}</code>").format(words[0] if ko else words[1], rest)
    return Markup("<code>{}</code>").format(subject)


# Ledger subjects named by a kind and an identifier shown as it is.
SUBJECT_WORDS: dict[str, Pair] = {
    "ai-system": ("AI 시스템", "AI system"),
    "ai-model": ("AI 모델", "AI model"),
    "ai-decision": ("AI 결정", "AI decision"),
    "audit": ("감사", "audit"),
    "linkage-project": ("결합 과제", "linkage project"),
    "mydata-consent": ("마이데이터 동의", "MyData consent"),
    "webhook-endpoint": ("웹훅", "webhook"),
}


def actor_text(actor: str | None, lang: str) -> str:
    """Who acted, as the public ledger may name them: the system, or a user by number (public
    entries carry no e-mail or name)."""
    if not actor:
        return ""
    if actor == "system":
        return "시스템" if lang == "ko" else "system"
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest:
        return f"이용자 #{rest}" if lang == "ko" else f"user #{rest}"
    return actor


# What each hash in a ledger entry is of (events.py `hashes`).
HASH_NAMES: dict[str, Pair] = {
    "parquet": ("Parquet 파일 해시", "Parquet file hash"),
    "source": ("원본 파일 해시", "Source file hash"),
    "report": ("적정성 평가 보고서 해시", "Adequacy report hash"),
    "policy": ("정책 해시", "Policy hash"),
    "output": ("공개 파일 해시", "Released file hash"),
    "purpose": ("이용 목적 해시", "Purpose hash"),
    "reason": ("사유 해시", "Reason hash"),
    "reasons": ("이의 신청 사유 해시", "Dispute reasons hash"),
    "note": ("메모 해시", "Note hash"),
    "text": ("내용 해시", "Text hash"),  # a desk request's or a project's text
    "key": ("키 지문", "Key fingerprint"),
    "profile": ("기업 프로필 해시", "Firm profile hash"),
    "content": ("납품 데이터 해시", "Delivered data hash"),
    "licence": ("이용허락 해시", "Licence hash"),  # a market listing's licence (JSON-LD)
    "previous": ("이전 이용허락 해시", "Previous licence hash"),
    "copy": ("제공 사본 해시", "Delivered copy hash"),  # a fingerprinted copy (Parquet)
    "scheme": ("지문 방식 해시", "Fingerprint scheme hash"),
    "entry": ("분개 해시", "Journal entry hash"),  # the market's books (book_events.py)
    "sale": ("판매 분개 해시", "Sale entry hash"),
    "card": ("모델 카드 해시", "Model card hash"),  # AI systems and decisions
    "input": ("입력 자료 해시", "Input hash"),
    "record": ("기록 해시", "Record hash"),
    "explanation": ("이의 신청 설명 해시", "Explanation hash"),
    "parameters": ("매개변수 해시", "Parameters hash"),
    "result": ("결과 해시", "Result hash"),
    "data": ("자료 해시", "Data hash"),
    "predictions": ("예측값 해시", "Predictions hash"),
    "current": ("현재 구간 자료 해시", "Current window hash"),  # drift checks
    "reference": ("기준 구간 자료 해시", "Reference window hash"),
    "options": ("합성 설정 해시", "Synthesis options hash"),  # synthetic releases
    "ci": ("연계정보 해시", "Linking identifier hash"),  # MyData
    "rows": ("전송 행 해시", "Rows hash"),
    "file": ("파일 해시", "File hash"),  # the linkage zone
    "legal_basis": ("법적 근거 해시", "Legal basis hash"),
    "sql": ("질의문 해시", "Query hash"),
}

# What an AI accountability audit looked at (audit/service.py).
AUDIT_KINDS: dict[str, Pair] = {
    "dataset": ("데이터셋 감사", "dataset audit"),
    "model": ("모델 감사", "model audit"),
    "release": ("공개본 감사", "release audit"),
}

# AI model kinds (audit/registry.py, decisions/systems.py).
MODEL_KINDS: dict[str, Pair] = {
    "linear": ("선형 회귀", "linear"),
    "logistic": ("로지스틱 회귀", "logistic"),
    "tree": ("결정 트리", "tree"),
    "other": ("기타", "other"),
}


def hash_text(key: str, lang: str) -> str | Markup:
    """What a ledger entry's hash `key` is of, in words; numbered and per-organisation keys
    ("evidence0", "input:ORG") by their pattern, and any other key as the identifier it is."""
    ko = lang == "ko"
    if key in HASH_NAMES:
        return pick(HASH_NAMES, key, lang)
    if key.startswith("evidence") and key[8:].isdigit():
        n = int(key[8:]) + 1
        return f"증빙 파일 {n} 해시" if ko else f"Evidence file {n} hash"
    if key.startswith("input:"):
        org = key.partition(":")[2]
        return Markup("{} <code>{}</code>").format(
            "입력 파일 해시:" if ko else "Input file hash:", org
        )
    return Markup("<code>{}</code>").format(key)


# ----- access requests ("이용 신청") -------------------------------------------------------------
REQUEST_STATUS: dict[str, Pair] = {
    "pending": ("검토 중", "waiting"),
    "approved": ("승인됨", "approved"),
    "refused": ("거절됨", "refused"),
    "withdrawn": ("철회함", "withdrawn"),
    "expired": ("기간 만료", "expired"),
    "revoked": ("권한 회수됨", "revoked"),
}
REQUEST_PERIODS: dict[str, Pair] = {
    "30": ("1개월 (30일)", "1 month (30 days)"),
    "90": ("3개월 (90일)", "3 months (90 days)"),
    "180": ("6개월 (180일)", "6 months (180 days)"),
    "365": ("1년 (365일)", "1 year (365 days)"),
    "730": ("2년 (730일)", "2 years (730 days)"),
}
MSG_REQUEST_SENT: Pair = (
    "이용 신청을 보냈습니다. 보유 기관이 결정하면 알림으로 알려 드립니다.",
    "Your request was sent. You will be notified when the holder decides.",
)
MSG_REQUEST_WITHDRAWN: Pair = ("이용 신청을 철회했습니다.", "The request was withdrawn.")
MSG_REQUEST_APPROVED: Pair = (
    "승인했습니다. 신청자에게 이용 권한이 주어졌고 알림이 갔습니다.",
    "Approved: the requester is entitled and was notified.",
)
MSG_REQUEST_REFUSED: Pair = (
    "거절했습니다. 신청자에게 사유와 함께 알림이 갔습니다.",
    "Refused: the requester was notified with the reason.",
)
MSG_BAD_DATE: Pair = (
    "만료일을 YYYY-MM-DD 형식의 날짜로 입력하세요.",
    "Enter the expiry as a date, YYYY-MM-DD.",
)

# The preview's filter conditions (ui/_preview.html, catalog/explore.py OPS).
PREVIEW_OPS: dict[str, Pair] = {
    "eq": ("같음", "equals"),
    "contains": ("포함", "contains"),
    "range": ("범위", "between"),
}

# ----- the data request desk ("데이터 요청", web/routes_desk_pages.py) ---------------------------
# A request's history (RequestDesk.history actions); an action not listed is shown as it is.
DESK_ACTIONS: dict[str, Pair] = {
    "filed": ("요청 접수", "Filed"),
    "supported": ("공감 (나도 필요해요)", "Supported (me too)"),
    "unsupported": ("공감 취소", "Support withdrawn"),
    "routed": ("담당 기관 지정", "Sent to a holder"),
    "extended": ("처리 기한 연장", "Deadline extended"),
    "answered": ("답변", "Answered"),
    "provided": ("제공", "Provided"),
    "processing": ("가공 후 제공 결정", "To be provided after processing"),
    "delivered": ("가공 데이터 제공", "Processed data delivered"),
    "refused": ("제공 거부", "Refused"),
    "transferred": ("다른 기관으로 이송", "Transferred"),
    "escalated": ("기한 초과로 상급 보고", "Escalated: past the deadline"),
    "overdue": ("기한 초과", "Past the deadline"),
    "withdrawn": ("요청 철회", "Withdrawn"),
    "disputed": ("이의 신청", "Dispute opened"),
    "dispute_opened": ("이의 신청", "Dispute opened"),
    "dispute_decided": ("이의 신청 결정", "Dispute decided"),
    "decided": ("이의 신청 결정", "Dispute decided"),
    "reopened": ("기관에 다시 배정", "Back with the holder"),
}
DESK_DONE: dict[str, Pair] = {
    "filed": (
        "요청을 접수했습니다. 담당 기관이 정해지고 답변이 오면 알림으로 알려 드립니다.",
        "Your request was filed. You will be notified when a holder takes it and answers.",
    ),
    "support": (
        "공감했습니다. 이 요청의 진행 상황을 알림으로 받습니다.",
        "You support this request and will be notified of its progress.",
    ),
    "unsupport": ("공감을 취소했습니다.", "You no longer support this request."),
    "withdraw": ("요청을 철회했습니다.", "The request was withdrawn."),
    "dispute": (
        "이의 신청을 접수했습니다. 관리자가 조정 결과를 알려 드립니다.",
        "Your dispute was opened. An admin will tell you the outcome of the mediation.",
    ),
    "answer-provide": (
        "답변했습니다: 제공. 요청자와 공감한 이용자에게 알림이 갔습니다.",
        "Answered: provided. The requester and supporters were notified.",
    ),
    "answer-process": (
        "답변했습니다: 가공 후 제공. 가공이 끝나면 데이터셋을 연결하세요.",
        "Answered: provide after processing. Link the dataset when it is ready.",
    ),
    "answer-refuse": (
        "답변했습니다: 제공 거부. 요청자에게 사유와 함께 알림이 갔습니다.",
        "Answered: refused. The requester was notified with the reason.",
    ),
    "answer-transfer": (
        "다른 기관으로 이송했습니다. 그 기관의 처리 기한이 새로 시작됩니다.",
        "Transferred. The other holder's deadline starts now.",
    ),
    "deliver": (
        "가공한 데이터셋을 연결해 제공했습니다.",
        "The processed dataset was linked and provided.",
    ),
    "extend": (
        "처리 기한을 영업일 10일 연장했습니다.",
        "The deadline was extended by 10 business days.",
    ),
    "route": ("담당 기관을 지정했습니다.", "The request was sent to the holder."),
    "decide": ("이의 신청 결과를 기록했습니다.", "The dispute's outcome was recorded."),
}
MSG_DESK_NOT_HOLDER: Pair = (
    "이 화면은 데이터 요청을 받는 기관의 구성원과 관리자만 볼 수 있습니다.",
    "Only members of an organisation that receives data requests, and admins, may see this page.",
)
MSG_DESK_BAD_CHOICE: Pair = (
    "목록에 있는 값을 고르세요.",
    "Choose one of the listed values.",
)
MSG_DESK_BAD_DATE: Pair = (
    "기간은 YYYY-MM-DD 형식의 날짜로 입력하세요.",
    "Enter the period's dates as YYYY-MM-DD.",
)
MSG_DESK_DATASET: Pair = (
    "제공할 데이터셋을 고르세요.",
    "Choose the dataset that answers the request.",
)
# Where a suggested dataset matched a request's words (desk.suggest.DatasetMatch.fields).
DESK_MATCH_FIELDS: dict[str, Pair] = {
    "title": ("제목", "title"),
    "keywords": ("키워드", "keywords"),
    "description": ("설명", "description"),
    "columns": ("열 이름", "columns"),
    "theme": ("주제", "theme"),
    "organization": ("기관", "organisation"),
    "regions": ("지역", "regions"),
    "region": ("지역", "region"),
}


# ----- the linkage zone's console ("가명정보 결합", linkage/zone.py) -----------------------------
LINKAGE_ROLES: dict[str, Pair] = {
    "key_authority": ("결합키관리기관", "key authority"),
    "holder": ("결합신청자 (보유기관)", "holder"),
    "analyst": ("분석자", "analyst"),
    "reviewer": ("반출 심사자", "reviewer"),
    "operator": ("결합전문기관 (운영)", "zone operator"),
}
LINKAGE_STATUS: dict[str, Pair] = {"open": ("진행 중", "open"), "closed": ("종료", "closed")}
EXPORT_STATUS: dict[str, Pair] = {
    "refused": ("자동 점검 불통과", "refused by the checks"),
    "pending": ("심사 대기", "waiting for review"),
    "approved": ("승인·공개", "approved and published"),
    "rejected": ("반려", "rejected"),
}
MATCH_METHODS: dict[str, Pair] = {
    "exact": ("결합키 일치", "exact keys"),
    "rules": ("규칙 (키 조합)", "rules over keys"),
    "clk": ("블룸 필터 유사도", "Bloom-filter (CLK) similarity"),
    "probabilistic": ("확률적 결합 (펠레기–선터 모형)", "probabilistic (Fellegi–Sunter)"),
}
DISCLOSURE_CHECKS: dict[str, Pair] = {
    "min_count": ("최소 셀 빈도", "minimum cell count"),
    "dominance": ("우월성 (n, k)", "dominance (n, k)"),
    "differencing": ("차분 공격", "differencing"),
}
MSG_LINKAGE_SALT_ONCE: Pair = (
    "솔트는 한 번만 발급되며 결합 공간에는 지문만 남습니다. 내려받은 파일을 보유기관에만 "
    "안전하게 전달하세요.",
    "The salt is issued once and the zone keeps only its fingerprint. Hand the downloaded file "
    "to the holders only, safely.",
)
MSG_LINKAGE_CLOSE_CONFIRM: Pair = (
    "프로젝트를 종료하면 결합 공간의 모든 파일과 행이 파기되고, 파기 증명이 원장에 기록됩니다. "
    "되돌릴 수 없습니다.",
    "Closing the project destroys every file and row of its zone and records the proof in the "
    "ledger. It cannot be undone.",
)
MSG_LINKAGE_CONFIRM_NAME: Pair = (
    "확인을 위해 프로젝트 이름을 그대로 입력하세요.",
    "Type the project's name to confirm.",
)
MSG_LINKAGE_FIELD: Pair = ("이 항목을 입력하세요:", "Fill in:")
MSG_LINKAGE_NO_FILE: Pair = ("올릴 결합키 파일을 고르세요.", "Choose the keyed file to upload.")
