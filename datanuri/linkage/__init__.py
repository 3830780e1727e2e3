"""Record linkage (issue #17): linkage keys made at each data holder, and matching.

`normalise` (identifiers as one text), `keys` (HMAC-SHA-256 ``lk_*`` keys under a project salt),
`clk` (hardened Bloom-filter encodings for dirty identifiers), `match` (exact, rules, CLK,
Fellegi–Sunter; the linkage report) and `tokenize` (a holder's file in, keys and kept attributes
out, refused if a raw identifier would remain). Pure logic: no database, no server.
"""
