"""After-action review: alert spells of runs, incidents linked to warnings, statistics, exports."""

from tocsin.review.spells import Run, Spell, load_run, spells_from_rows
from tocsin.review.warned import Link, link_incidents

__all__ = ["Link", "Run", "Spell", "link_incidents", "load_run", "spells_from_rows"]
