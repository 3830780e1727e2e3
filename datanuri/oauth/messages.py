"""User-facing English messages of the authorization server (Korean in datanuri/i18n/ko.po)."""

DPOP_MISSING = "This request needs exactly one DPoP proof in the 'DPoP' header (RFC 9449)."
DPOP_HEADER = (
    "The DPoP proof's header is not right: it needs typ 'dpop+jwt', an asymmetric 'alg' and the "
    "public key in 'jwk'."
)
DPOP_SIGNATURE = "The DPoP proof is not a valid signed JWT. Sign a new proof with your key."
DPOP_CLAIMS = "The DPoP proof lacks its 'jti'. Send a new proof with a fresh unique 'jti'."
DPOP_STALE = "The DPoP proof's 'iat' is too old or in the future. Send a freshly made proof."
DPOP_TARGET = (
    "The DPoP proof was made for another request: its 'htm' and 'htu' must name this request's "
    "method and URL."
)
DPOP_ATH = "The DPoP proof's 'ath' does not match the access token sent with it."
DPOP_REPLAY = "This DPoP proof was already used. Make a new proof (a new 'jti') for every request."
DPOP_KEY = "The DPoP proof is signed with another key than the one this token is bound to."
TOKEN_INVALID = (
    "The access token is unknown, expired or revoked. Get a new one from the token endpoint."
)
TOKEN_SCHEME = "Send the access token as 'Authorization: DPoP <token>' with a DPoP proof."
CLIENT_NOT_FOUND = "No registered app has this client id. Register the app first."
REQUEST_URI_INVALID = (
    "This authorization request is unknown, expired or already used. Ask the app to start again."
)
PKCE_S256 = "This server requires PKCE with code_challenge_method 'S256'."
REQUEST_URI_REQUIRED = (
    "The authorization endpoint only takes a 'request_uri' from a pushed authorization request "
    "(RFC 9126)."
)
DETAILS_REQUIRED = (
    "The request needs 'authorization_details' (RFC 9396): a JSON list with one entry of type "
    "'mydata_transfer'."
)
PURPOSE_UNDECLARED = "The app did not declare this purpose when it was registered: {purpose}."
REGISTRATION_INVALID = "The app's registration is not valid: {reason}"
REDIRECT_HTTPS = "Redirect URIs must use https (http is allowed only for localhost)."
JWKS_REQUIRED = "The app must register its public keys ('jwks') for private_key_jwt."
JWKS_PRIVATE = "The registered 'jwks' must hold public keys only, no private key material."
OWNER_ONLY = "Only an owner of the organisation (or a platform admin) registers its apps."
NO_ORGANISATION = "There is no organisation named {name!r}."
REGISTRATION_JSON = "Send the client metadata as a JSON object."
OTHER_HOLDER = "This consent covers data held by {allowed!r}, not {asked!r}."
LOGIN_TO_DECIDE = "Log in to decide on this request."
CONSENT_ID_REQUIRED = "Name the consent whose data you deleted in the form field 'consent_id'."
CLIENT_AUTH = (
    "Authenticate the app with a signed client assertion (private_key_jwt): send "
    "'client_assertion_type' and 'client_assertion' in the form."
)
