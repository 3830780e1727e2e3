"""User-facing messages of fingerprinted deliveries and `datanuri trace` from the deliveries
(Korean in datanuri/i18n/ko.po). Format with ``.format(**kw)``."""

from __future__ import annotations

MSG_NO_PLAN = (
    "Dataset {name!r} has no fingerprint scheme, so its copies carry no fingerprint; declare one "
    "with `datanuri market fingerprint set {name} --scheme FILE`, or pass --scheme."
)
MSG_NO_DELIVERIES = (
    "No candidate buyers were given, and no fingerprinted copy of dataset {name!r} has been "
    "delivered, so there is no recipient to name; pass the candidates with --buyers FILE."
)
MSG_PLAN_SET = "Copies of {name} delivered to entitled recipients now carry their fingerprint."
