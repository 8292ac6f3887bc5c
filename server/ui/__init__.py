"""The run inspector: a web page at ``/ui`` that draws each definition and lays its runs over the drawing,
live (docs/UI.md).

``install_ui(app)`` adds two things to the HTTP app:

* the page itself (``/ui``, ``/ui/static/...``): HTML, JavaScript and CSS only, no data, served without a
  token;
* the JSON routes the page needs beyond the rest of the API (``/inspector/...``), under the same bearer
  token as every other data route.
"""

from __future__ import annotations

from fastapi import FastAPI

from .api import router as api_router
from .shell import install_shell

__all__ = ["install_ui"]


def install_ui(app: FastAPI) -> None:
    """Serve the inspector page and its JSON routes from ``app``."""
    install_shell(app)
    app.include_router(api_router)
