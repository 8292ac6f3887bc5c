"""One router per resource: health, definitions, runs."""

from . import definitions, health, runs

__all__ = ["definitions", "health", "runs"]
