"""MyData: a person directs a holder to send their own rows to a recipient they choose, under a
consent record (ISO/IEC TS 27560 fields) that the ledger records before it takes effect."""
