"""The data market: listings, orders, money, fingerprints."""
