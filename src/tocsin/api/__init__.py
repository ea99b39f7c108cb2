"""The HTTP service: `tocsin serve` (FastAPI on uvicorn)."""
