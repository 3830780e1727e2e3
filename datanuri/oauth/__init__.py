"""MyData's OAuth 2 authorization server (FAPI 2.0 style): registered recipient apps, pushed
authorization requests, single-use codes, DPoP-bound tokens. Built on Authlib and joserfc."""
