"""datanuri: a trusted data exchange.

Publish data in open, machine-learning-ready formats; find it; release personal data only
de-identified or with consent; record every trust-relevant event in an integrity ledger.
"""

from datanuri.errors import DatanuriError

__version__ = "0.1.0"

__all__ = ["Client", "Config", "DatanuriError", "Platform", "__version__"]


def __getattr__(name: str):  # lazy, so `import datanuri` stays light for the CLI and SDK
    if name == "Platform":
        from datanuri.platform import Platform

        return Platform
    if name == "Config":
        from datanuri.config import Config

        return Config
    if name == "Client":
        from datanuri.client import Client

        return Client
    raise AttributeError(name)
