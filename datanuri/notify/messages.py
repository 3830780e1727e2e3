"""User-facing English messages of the notification channels (Korean in datanuri/i18n/ko.po)."""

from __future__ import annotations

# ----- webhook endpoints -------------------------------------------------------------------------
LOGIN = "Log in with your own account to manage webhooks and notification settings."
NO_ENDPOINT = "There is no webhook endpoint {id} that you can manage."
NOT_OWNER = "Only an owner of organisation {org} (or an admin) can manage its webhooks."
NO_ORG = "There is no organisation named {org}."
BAD_URL = "The webhook URL {url} is not a valid http(s) address."
HTTPS_ONLY = (
    "Webhook URLs must use https (plain http only to 127.0.0.1 or localhost, and only when an "
    "admin sets webhook_allow_loopback for tests and demos)."
)
PRIVATE_TARGET = (
    "The webhook host {host} resolves to a private, loopback or link-local address ({address}); "
    "such targets are refused unless an admin sets webhook_allow_private."
)
UNRESOLVED = "The webhook host {host} could not be resolved: {error}."
BAD_KINDS = "Event kinds are names such as desk.request.created or desk.*; {kind!r} is not."
TOO_MANY = "You can have at most {limit} webhook endpoints."
DISABLED = "The webhook endpoint is disabled; deliveries to it are not sent."
DISABLED_AFTER = "Disabled after {failures} failed deliveries in a row (last: {error})."
# ----- deliveries --------------------------------------------------------------------------------
HTTP_STATUS = "The receiver answered HTTP {status}."
NO_ANSWER = "The receiver could not be reached: {error}."
MAIL_FAILED = "The mail could not be sent: {error}."
NO_ADDRESS = "The user has no active account with an e-mail address."
# ----- verifying (receivers) ---------------------------------------------------------------------
MISSING_HEADERS = "The webhook-id, webhook-timestamp and webhook-signature headers are required."
BAD_TIMESTAMP = "The webhook-timestamp header is not a Unix time in seconds."
STALE = "The webhook timestamp is more than {tolerance} seconds away from now (a replay?)."
BAD_SIGNATURE = "No webhook signature matches the body with this secret."
BAD_SECRET = "A webhook secret is 'whsec_' followed by base64."
