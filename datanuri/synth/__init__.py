"""Synthetic data: differentially private (MST) and baseline (Gaussian copula) synthesizers,
their fidelity, utility and privacy report, and the release of a synthetic twin."""
