"""``python -m tdsl.server.cli``: the same as the ``tdsl`` console script."""

from . import main

main()
