"""Channels that deliver what the alert stage decided."""
