"""Simulation and scoring: synthetic raids, sensor networks, and the warning scorer."""
