"""User-facing messages of price suggestions and their backtest (Korean in datanuri/i18n/ko.po).

Format with ``.format(**kw)``; the reasons are formatted with English values for English and
Korean values for Korean, then the Korean one is translated."""

from __future__ import annotations

REASON_COMPARABLES = "Similar listings sold at (yearly figures): {listed}."
REASON_RAISES = (
    "Compared with the average comparable listing, {feature} raises the suggestion by about {pct}%."
)
REASON_LOWERS = (
    "Compared with the average comparable listing, {feature} lowers the suggestion by about {pct}%."
)
REASON_FREQUENCY = "This one is updated {frequency}."
MSG_TOO_FEW = (
    "A price can be suggested only from at least {needed} priced comparable listings, and the "
    "market has {count}; set the price yourself, or record the market's history first."
)
MSG_BACKTEST_SHORT = (
    "The market's history has {count} priced observations and a backtest needs at least "
    "{needed}; record more history first."
)
MSG_FREE = "Listing {id} is free for research, so there is no price to suggest."
MSG_HISTORY_ADMIN = "Only admins can record the market's price history."
MSG_BACKTEST_LOGIN = "Log in, or send an API token, to see the backtest."
