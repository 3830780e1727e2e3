"""The data request desk ("데이터 114"): anyone asks for data that is not yet open; the desk
suggests what already exists and who likely holds it, routes the request to a holder, tracks the
answer against the legal deadline (Public Data Act: 10 business days, extendable once), takes
disputes, publishes statistics, and matches holders with analysis firms for processing work.

Modules: `calendar` (Korean business days), `rules` (statuses, answers, refusal reasons),
`tables` (ORM rows), `service` (`RequestDesk`), `suggest` (existing data, holders, duplicates),
`firms` (analysis-firm profiles, processing projects, ranking).
"""
