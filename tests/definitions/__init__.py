"""Integration tests of ``definitions/``: one module per definition, success and failure paths."""
