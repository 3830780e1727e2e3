"""datanuri: a trusted data exchange."""
