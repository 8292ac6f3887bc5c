"""Definition files written to break the linter and the catalog: each is refused with a code and a position,
quickly, and never stops the other files of a folder from loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdsl.dsl_schema.catalog import Catalog
from tdsl.dsl_schema.diagnostics import DefinitionRejected
from tdsl.dsl_schema.lint import lint_paths, lint_text
from tdsl.dsl_schema.loader import MAX_FILE_BYTES, load_text

from .support import FIXTURES

VALID = "name: fine\nsteps:\n  - id: one\n    set: {x: 1}\n"


def _formatted(text: str) -> list[str]:
    return [d.format() for d in lint_text(text, "def.yaml")]


def _expression(expression: str, name: str = "hostile") -> str:
    return f'name: {name}\nsteps:\n  - id: s\n    set:\n      x: "{{{{ {expression} }}}}"\n'


def test_a_recursive_alias_is_refused_where_its_anchor_is_not_turned_into_null() -> None:
    assert _formatted("name: x\nsteps: [{set: {x: 1}}]\nloop: &a [1, *a]\n") == [
        "def.yaml:3:7: E004 an alias is used inside its own anchor (a recursive alias)"
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [("!include /etc/passwd", "!include"), ("!!python/object/apply:os.system [ls]",
                                            "!!python/object/apply:os.system")],
)
def test_a_tag_is_refused_at_its_position_not_dropped(value: str, tag: str) -> None:
    assert _formatted(f"name: x\nsteps:\n  - set: {{x: {value}}}\n") == [
        f"def.yaml:3:14: E004 YAML tag {tag} is not accepted (definitions hold plain data: no includes, "
        "no language objects)"
    ]


def test_the_standard_tags_still_load() -> None:
    assert load_text("name: !!str x\nv: !!int 3\nw: !!float 1\n").data == {"name": "x", "v": 3, "w": 1.0}


@pytest.mark.parametrize(("char", "code"), [("\x00", "0000"), ("\x07", "0007"), ("\x1b", "001B")])
def test_a_control_character_is_reported_on_its_own_line(char: str, code: str) -> None:
    text = f"name: x\nsteps:\n  - set: {{x: 1}}\n  - set: {{y: \"a{char}b\"}}\n"
    assert _formatted(text) == [
        f"def.yaml:4:16: E001 YAML syntax error: control character U+{code} is not allowed in YAML"
    ]


def test_an_unclosed_quote_is_reported_where_it_opens() -> None:
    text = "name: x\nsteps:\n  - set: {x: \"abc}\n  - set: {y: 1}\n  - set: {z: 1}\n"
    assert _formatted(text) == [
        "def.yaml:3:14: E001 YAML syntax error: while scanning a quoted scalar found unexpected end of stream"
    ]


def test_deep_nesting_is_refused_at_the_deepest_level() -> None:
    text = "name: x\nsteps: [{set: {x: 1}}]\nv: " + "[" * 70 + "]" * 70 + "\n"
    assert _formatted(text) == ["def.yaml:3:68: E003 the document is nested more than 64 levels deep"]


def test_deep_block_nesting_is_refused_where_it_passes_the_limit() -> None:
    text = "name: x\nsteps: [{set: {x: 1}}]\nv:\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 70))
    assert _formatted(text) == ["def.yaml:67:129: E003 the document is nested more than 64 levels deep"]


def test_block_nesting_past_the_parser_recursion_is_refused_at_its_line() -> None:
    text = "name: x\nsteps: [{set: {x: 1}}]\nv:\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(1, 1000))
    assert _formatted(text) == ["def.yaml:67:65: E003 the document is nested more than 64 levels deep"]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(VALID + "# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    report = lint_paths([big])
    assert [(d.code, d.line, d.col) for d in report.diagnostics] == [("E003", 1, 1)]
    assert "at most 2,000,000" in report.diagnostics[0].message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (" + ".join(["1"] * 1000), "E120 the expression has more than 1,000 tokens"),
        (" + ".join(["1"] * 60), "E120 the expression is nested more than 50 levels deep (an operator, call, "
                                 "filter or attribute counts one level)"),
        ("input" + ".a" * 300_000, "E120 the template has 600,011 characters (at most 20,000)"),
        ("(" * 70 + "1" + ")" * 70, "E120 the expression nests more than 20 brackets"),
        ("'a' * 10**10", "E121 the expression is over an evaluation bound: a repetition 1 x 10,000,000,000 "
                         "long (at most 1,000,000)"),
        ("range(10**9) | list", "E121 the expression is over an evaluation bound: range of 1,000,000,000 "
                                "numbers (at most 1,000,000)"),
    ],
    ids=["1000-term sum", "60-term sum", "600 kB attribute chain", "70 parentheses", "repetition", "range"],
)
def test_an_expression_over_a_limit_is_refused_with_its_position(expression: str, message: str) -> None:
    assert _formatted(_expression(expression)) == [f"def.yaml:5:10: {message}"]


def test_expressions_within_the_limits_stay_clean() -> None:
    assert _formatted(_expression(" + ".join(["1"] * 40) + " + 2 ** 64 + ('ab' * 3) | length")) == []


def _alias_bomb() -> str:
    return (FIXTURES / "E003_alias_bomb.yaml").read_text(encoding="utf-8")


def test_the_catalog_refuses_each_hostile_file_and_loads_the_others(tmp_path: Path) -> None:
    (tmp_path / "fine.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "bomb.yaml").write_text(_alias_bomb(), encoding="utf-8")
    (tmp_path / "parens.yaml").write_text(_expression("(" * 70 + "1" + ")" * 70, "p"), encoding="utf-8")
    (tmp_path / "sum.yaml").write_text(_expression(" + ".join(["1"] * 1000), "s"), encoding="utf-8")
    (tmp_path / "power.yaml").write_text(_expression("9 ** 999999999", "w"), encoding="utf-8")
    (tmp_path / "tag.yaml").write_text("name: t\nsteps: !!python/object/apply:os.system [ls]\n",
                                       encoding="utf-8")
    catalog = Catalog.load(tmp_path)
    assert catalog.names() == ["fine"]
    codes = {Path(file).name: [d.code for d in err.diagnostics] for file, err in catalog.invalid.items()}
    assert codes == {"bomb.yaml": ["E003"], "parens.yaml": ["E120"], "sum.yaml": ["E120"],
                     "power.yaml": ["E121"], "tag.yaml": ["E004"]}


def test_a_link_out_of_the_folder_is_refused_and_its_content_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "fine.yaml").write_text(VALID, encoding="utf-8")
    (folder / "link.yaml").symlink_to(secret)
    catalog = Catalog.load(folder)
    assert catalog.names() == ["fine"]
    (rejected,) = catalog.invalid.values()
    link = str(folder / "link.yaml")
    assert [(d.file, d.code, d.line) for d in rejected.diagnostics] == [(link, "E005", 1)]
    for named in ([folder], [folder / "link.yaml"]):
        report = lint_paths(named)
        assert [d.code for d in report.diagnostics] == ["E005"]
        assert "root:" not in report.diagnostics[0].format() + "".join(report.texts.values())


def test_deep_flow_nesting_is_refused_before_the_parser_runs(tmp_path: Path) -> None:
    # the YAML scanner takes time quadratic in flow nesting: 300,000 brackets are refused at once
    (tmp_path / "deep.yaml").write_text("name: d\nv: " + "[" * 300_000 + "]" * 300_000 + "\n",
                                        encoding="utf-8")
    (tmp_path / "fine.yaml").write_text(VALID, encoding="utf-8")
    catalog = Catalog.load(tmp_path)
    assert catalog.names() == ["fine"]
    assert [d.format() for d in catalog.invalid[str(tmp_path / "deep.yaml")].diagnostics] == [
        f"{tmp_path / 'deep.yaml'}:2:68: E003 the document is nested more than 64 levels deep"
    ]


def test_brackets_inside_quotes_comments_and_block_text_are_no_nesting() -> None:
    brackets = "[" * 100
    text = (f"name: x\n# {brackets}\ndescription: |\n  {brackets}\n  more\nsteps:\n"
            f"  - set: {{a: \"{brackets}\", b: '{brackets}', c: [[1], {{d: 2}}]}}\n")
    assert load_text(text).data["steps"][0]["set"]["a"] == brackets


def test_lint_of_two_thousand_steps_is_clean(tmp_path: Path) -> None:
    lines = ["name: many_steps", "steps:", "  - id: s0", '    set: {x0: "{{ input.a }}"}']
    for index in range(1, 2000):
        lines += [f"  - id: s{index}", f'    set: {{x{index}: "{{{{ steps.s{index - 1} }}}}"}}']
    file = tmp_path / "many.yaml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lint_paths([file]).diagnostics == []


def test_a_refused_file_raises_definition_rejected_not_a_python_error() -> None:
    with pytest.raises(DefinitionRejected):
        load_text(_alias_bomb())
