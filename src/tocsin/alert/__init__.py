"""Alerting: the zone state machine, CAP 1.2 messages, manual alerts and drills."""
