"""AI accountability audits: dataset audits (representation, label balance, missingness,
proxies), model audits (group metrics equal to Fairlearn's, bootstrap intervals, thresholds,
hints) and audits of de-identified releases (suppression and loss per group).

Pure modules (`metrics`, `dataset_audit`, `release_audit`, `thresholds`, `hints`, `report`)
are separate from `service` (rights, storage, ledger)."""
