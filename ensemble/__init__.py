"""Ensemble: a self-hosted, sovereign collaboration suite for public administrations."""

__version__ = "0.1.0"
