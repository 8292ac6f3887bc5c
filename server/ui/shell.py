"""The inspector's page and static files: they carry no data, so they are served without a token (every
data call the page makes goes to the JSON API with the token)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "install_shell"]

STATIC = Path(__file__).resolve().parent / "static"

# The page loads only its own files and talks only to its own origin.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def install_shell(app: FastAPI) -> None:
    """``GET /ui`` (the page) and ``/ui/static/*`` (its scripts and styles)."""

    @app.get("/ui", include_in_schema=False)
    async def ui_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=_HEADERS)

    @app.get("/ui/", include_in_schema=False)
    async def ui_slash() -> RedirectResponse:
        return RedirectResponse("/ui", status_code=308)

    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
