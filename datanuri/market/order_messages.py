"""User-facing messages of market orders, credit and subscriptions (English; Korean in
datanuri/i18n/ko.po). Notices are (Korean, English) pairs."""

from __future__ import annotations

MSG_ORDER_LOGIN = "Log in to order a listing."
MSG_NOT_FOR_SALE = "Listing {id} is not on sale; choose a published listing."
MSG_NO_ORDER = "There is no order {id} you can see."
MSG_KEY_REUSED = (
    "The idempotency key {key!r} was already used for a different order, so nothing was done. "
    "Repeat the original order exactly, or use a new key for a new order."
)
MSG_KEY_FORMAT = "An idempotency key must be 1 to 150 printable characters, not {key!r}."
MSG_VERSION_FIXED = (
    "Listing {id} offers version {listed} only; order it without a version or with {listed}."
)
MSG_NO_VERSION = "Dataset {name} has no version {version} to buy."
MSG_OWN_LISTING = "You hold dataset {name} already; a holder does not buy its own listing."
MSG_FREE_NO_REFUND = "Order {id} was free; there is nothing to refund."
MSG_REFUND_RIGHTS = "Only an owner of the selling organisation or an administrator can refund."
MSG_REFUNDED_ALREADY = "Order {id} is fully refunded already."
MSG_REVOKE_RIGHTS = (
    "Only an owner of the selling organisation or an administrator can revoke a buyer's access."
)
MSG_ORDERS_RIGHTS = "Only the organisation's owners and editors, or administrators, see its sales."
MSG_NO_SUBSCRIPTION = "There is no subscription {id} you can see."
MSG_SUBSCRIPTION_ENDED = "Subscription {id} has ended already."
MSG_CREDIT_LOGIN = "Log in to see your credit."
MSG_NO_USER = "There is no user with the e-mail {email}."

# Notices: (Korean, English).
NOTE_PAID = (
    "주문 {order}번 결제가 완료되었습니다: {dataset} 데이터를 {until}까지 이용할 수 있습니다.",
    "Order {order} is paid: you may use dataset {dataset} until {until}.",
)
NOTE_SOLD = (
    "{dataset} 데이터가 판매되었습니다 (주문 {order}번, {amount}원).",
    "Dataset {dataset} was sold (order {order}, {amount} KRW).",
)
NOTE_REFUNDED = (
    "주문 {order}번에서 {amount}원이 크레딧으로 환불되었습니다.",
    "{amount} KRW of order {order} was refunded to your credit.",
)
NOTE_REVOKED = (
    "주문 {order}번의 {dataset} 데이터 이용 권한이 회수되었습니다.",
    "Your access to dataset {dataset} from order {order} was revoked.",
)
NOTE_RENEWED = (
    "{dataset} 구독이 갱신되었습니다 ({amount}원, {until}까지).",
    "Your subscription to {dataset} was renewed ({amount} KRW, until {until}).",
)
NOTE_LAPSED = (
    "크레딧이 부족하여 {dataset} 구독이 종료되었습니다. 크레딧을 충전한 뒤 다시 구독하십시오.",
    "Your subscription to {dataset} lapsed: your credit was too small. Top up and subscribe again.",
)
NOTE_NEW_VERSION = (
    "구독 중인 {dataset} 데이터의 새 버전 {version}이 공개되었습니다.",
    "A new version {version} of dataset {dataset}, which you subscribe to, is out.",
)
