"""The public map: a page served by ``tocsin serve`` with its own small read-only routes."""
