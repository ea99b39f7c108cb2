"""One error tree for the whole project."""


class TocsinError(Exception):
    """Base of every error Tocsin raises on purpose."""


class InputError(TocsinError):
    """A file or record given to Tocsin is malformed; the message names it."""


class GeoError(TocsinError):
    """A region or geometry cannot be used."""


class IngestError(TocsinError):
    """A record cannot be taken in."""


class TrackError(TocsinError):
    """The tracker was given something it cannot use."""


class AlertError(TocsinError):
    """An alert cannot be decided or encoded."""


class StoreError(TocsinError):
    """The event log failed; an alert that cannot be stored is never published."""


class PublishError(TocsinError):
    """A channel failed to deliver."""
