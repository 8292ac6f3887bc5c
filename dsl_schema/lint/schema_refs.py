"""The ``$ref`` of a definition's JSON Schemas that can never resolve when a payload is validated.

At run time a schema is validated with a registry that holds the JSON Schema meta-schemas and never retrieves
anything (``dsl_schema/payloads.py``). So a ``$ref`` resolves only within the schema itself (``#...``, or the
``$id`` of the schema or of a subschema, relative URIs resolved against the enclosing ``$id`` as JSON Schema
says) or to a meta-schema; any other reference (``https://schemas.example.com/person.json``) makes every
payload invalid. :func:`remote_refs` finds those references, for the linter (E705).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from ..loader import JsonPath
from ..payloads import NO_RETRIEVAL

# Keywords whose values are data, not schemas: a "$ref" key inside them is no reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


def remote_refs(schema: Any) -> Iterator[tuple[JsonPath, str]]:
    """``(path of the $ref key inside the schema, reference)`` of every ``$ref`` of ``schema`` that resolves
    neither inside it nor to a meta-schema, in document order."""
    known: set[str] = set()
    refs: list[tuple[JsonPath, str, str]] = []  # path, reference as written, reference made absolute

    def walk(node: Any, path: JsonPath, base: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*path, index), base)
            return
        if not isinstance(node, dict):
            return
        resource = node.get("$id")
        if isinstance(resource, str):
            base = urljoin(base, resource)
            known.add(urldefrag(base).url)
        ref = node.get("$ref")
        if isinstance(ref, str):
            refs.append(((*path, "$ref"), ref, urljoin(base, ref)))
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                walk(value, (*path, key), base)

    walk(schema, (), "")
    for path, ref, absolute in refs:
        if ref.startswith("#"):
            continue  # within the schema resource it is written in
        target = urldefrag(absolute).url
        if target in known or target in NO_RETRIEVAL:
            continue
        yield path, ref
