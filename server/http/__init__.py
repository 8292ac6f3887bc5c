"""The HTTP service of Temporal DSL (``tdsl serve``, part of ``tdsl dev``).

Public API: :func:`create_app` (the FastAPI app factory) and :func:`install_error_handlers` (our errors as
4xx JSON, for apps that embed the engine themselves).
"""

from .app import create_app
from .errors import install_error_handlers

__all__ = ["create_app", "install_error_handlers"]
