"""The YAML loader: plain data, the position of every key and value, and syntax errors with file:line:col."""

from __future__ import annotations

import pytest

from tdsl.dsl_schema.diagnostics import YamlSyntaxError
from tdsl.dsl_schema.loader import json_path, load_file, load_text

TEXT = """\
name: demo
steps:
  - id: pay
    activity: charge
    args: [1, {k: v}, [2, 3]]
    kwargs:
      amount: 10
      lines:
        - sku: A
          qty: 2
        - B
  - set:
      total: "{{ steps.pay.amount }}"
"""


def test_data_is_plain_json() -> None:
    doc = load_text(TEXT, "demo.yaml")
    assert doc.data == {
        "name": "demo",
        "steps": [
            {
                "id": "pay",
                "activity": "charge",
                "args": [1, {"k": "v"}, [2, 3]],
                "kwargs": {"amount": 10, "lines": [{"sku": "A", "qty": 2}, "B"]},
            },
            {"set": {"total": "{{ steps.pay.amount }}"}},
        ],
    }
    assert type(doc.data) is dict and type(doc.data["steps"]) is list
    assert type(doc.data["name"]) is str


@pytest.mark.parametrize(
    ("path", "value_at", "key_at"),
    [
        (("name",), (1, 7), (1, 1)),
        (("steps",), (3, 3), (2, 1)),
        (("steps", 0), (3, 5), None),
        (("steps", 0, "id"), (3, 9), (3, 5)),
        (("steps", 0, "activity"), (4, 15), (4, 5)),
        (("steps", 0, "args"), (5, 11), (5, 5)),
        (("steps", 0, "args", 0), (5, 12), None),
        (("steps", 0, "args", 1), (5, 15), None),
        (("steps", 0, "args", 1, "k"), (5, 19), (5, 16)),
        (("steps", 0, "args", 2, 1), (5, 27), None),
        (("steps", 0, "kwargs"), (7, 7), (6, 5)),
        (("steps", 0, "kwargs", "amount"), (7, 15), (7, 7)),
        (("steps", 0, "kwargs", "lines", 0), (9, 11), None),
        (("steps", 0, "kwargs", "lines", 0, "sku"), (9, 16), (9, 11)),
        (("steps", 0, "kwargs", "lines", 0, "qty"), (10, 16), (10, 11)),
        (("steps", 0, "kwargs", "lines", 1), (11, 11), None),
        (("steps", 1, "set", "total"), (13, 14), (13, 7)),
    ],
)
def test_every_key_and_value_has_its_position(
    path: tuple[str | int, ...], value_at: tuple[int, int], key_at: tuple[int, int] | None
) -> None:
    doc = load_text(TEXT, "demo.yaml")
    assert doc.value_positions[path] == value_at
    assert doc.position(path) == value_at
    if key_at is not None:
        assert doc.key_positions[path] == key_at
        assert doc.position(path, key=True) == key_at
    else:
        assert path not in doc.key_positions  # list items have no key


def test_every_node_is_in_the_source_map() -> None:
    doc = load_text(TEXT, "demo.yaml")

    def paths(node: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
        found = [path]
        if isinstance(node, dict):
            for key, value in node.items():
                found += paths(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += paths(value, (*path, index))
        return found

    for path in paths(doc.data):
        assert path in doc.value_positions, path
        line, col = doc.value_positions[path]
        assert 1 <= line <= len(TEXT.splitlines()) and col >= 1


def test_position_of_a_missing_path_falls_back_to_the_nearest_node() -> None:
    doc = load_text(TEXT, "demo.yaml")
    assert doc.position(("steps", 0, "retry", "maximum_attempts")) == (3, 5)
    assert doc.position(("nowhere",)) == (1, 1)


def test_diagnostic_carries_file_position_and_json_path() -> None:
    doc = load_text(TEXT, "demo.yaml")
    diagnostic = doc.diagnostic(("steps", 0, "kwargs", "lines", 0, "qty"), "E999", "bad quantity")
    assert diagnostic.format() == "demo.yaml:10:16: E999 bad quantity"
    assert diagnostic.json_path == "$.steps[0].kwargs.lines[0].qty"
    assert diagnostic.excerpt(TEXT) == "              qty: 2\n                   ^"
    assert json_path(()) == "$"


def test_keys_are_strings_as_in_json() -> None:
    doc = load_text("vars:\n  2: two\n  true: yes\n  null: nothing\n  1.5: half\n")
    assert doc.data == {"vars": {"2": "two", "true": "yes", "null": "nothing", "1.5": "half"}}
    assert doc.key_positions[("vars", "true")] == (3, 3)


def test_dates_and_other_yaml_types_stay_text() -> None:
    doc = load_text("version: 2024-01-31\nflag: yes\n")
    assert doc.data == {"version": "2024-01-31", "flag": "yes"}


def test_sha256_is_of_the_exact_text() -> None:
    import hashlib

    assert load_text(TEXT).sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert load_text(TEXT + "\n").sha256 != load_text(TEXT).sha256


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("name: a\nsteps:\n  - id: x\n    id: y\n", 4, 5, 'duplicate key "id"'),
        ("name: a\nname: b\n", 2, 1, 'duplicate key "name"'),
        ("steps:\n  - activity: a\n    args: [1, 2\n", 3, 16, "expected ',' or ']'"),  # end of the last line
        ("name: a\nsteps:\n  - id: x\n   bad: indent\n", 4, 4, "expected <block end>"),
        ("name: 'open\n", 1, 7, "unexpected end of stream"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed here"),
        ("name: a\n\tsteps: []\n", 2, 1, "found character '\\t'"),
        ("---\nname: a\n---\nname: b\n", 3, 1, "expected a single document"),
    ],
)
def test_syntax_errors_give_file_line_col(text: str, line: int, col: int, words: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_text(text, "defs/bad.yaml")
    [diagnostic] = caught.value.diagnostics
    where = (diagnostic.file, diagnostic.line, diagnostic.col, diagnostic.code)
    assert where == ("defs/bad.yaml", line, col, "E001")
    assert diagnostic.message.startswith("YAML syntax error: ")
    assert words in diagnostic.message
    assert str(caught.value).startswith(f"defs/bad.yaml:{line}:{col}: E001 YAML syntax error")


def test_duplicate_key_error_shows_the_line_with_a_caret() -> None:
    text = "name: a\nsteps:\n  - id: x\n    id: y\n"
    with pytest.raises(YamlSyntaxError) as caught:
        load_text(text, "dup.yaml")
    assert caught.value.render().splitlines()[1:] == ["        id: y", "        ^"]


def test_load_file_names_the_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "flow.yaml"
    path.write_text("name: flow\nname: again\n", encoding="utf-8")
    with pytest.raises(YamlSyntaxError) as caught:
        load_file(path)
    assert caught.value.diagnostics[0].format().startswith(f"{path}:2:1: E001")
