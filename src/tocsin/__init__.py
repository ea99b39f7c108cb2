"""Tocsin: civil early warning of drone attacks."""

__version__ = "0.1.0"
