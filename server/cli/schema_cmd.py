"""``tdsl schema``: print the published JSON Schema of definitions.

Editors using the YAML language server validate and complete a definition that starts with the modeline
``# yaml-language-server: $schema=<path or URL of this schema>``.
"""

from __future__ import annotations

import argparse
import json

from tdsl.dsl_schema.validate import workflow_schema

from .common import EXIT_OK
from .lint_cmd import print_output


def run(args: argparse.Namespace) -> int:
    print_output(json.dumps(workflow_schema(), indent=2))
    return EXIT_OK
