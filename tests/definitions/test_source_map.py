"""The source map a run carries: every step's line under the path the interpreter gives it, so a failure
names the file and line of its step. Runs started before source maps existed carry none and fail as before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.dsl_schema.catalog import Catalog, CatalogEntry
from tdsl.dsl_schema.compile import compile_text
from tdsl.dsl_schema.kinds import KINDS
from tdsl.dsl_schema.source_map import locate
from tdsl.interpreter import run_offline_sync

NESTED = """\
name: nested
signals:
  go: {}
steps:
  - id: guarded
    try:
      - id: risky
        activity: work
        args: [risky]
    catch:
      - errors: [Nope]
        steps:
          - activity: work
            args: [caught]
    finally:
      - set: {done: true}
  - id: loop
    foreach:
      items: [1, 2]
      steps:
        - id: each
          activity: work
          args: ["{{ item }}"]
  - id: pick
    switch:
      cases:
        - if: "{{ input.case }}"
          steps:
            - id: in_case
              activity: work
              args: [case]
      default:
        - activity: work
          args: [default]
  - id: both
    parallel:
      branches:
        left:
          - id: l1
            activity: work
            args: [left]
        right:
          - activity: work
            args: [right]
  - id: waiting
    wait_for:
      signals:
        go:
          - id: on_go
            activity: work
            args: [go]
      timeout: 1s
      on_timeout:
        - id: late
          activity: work
          args: [late]
output: done
"""


def compiled_entry() -> CatalogEntry:
    return CatalogEntry.of(compile_text(NESTED, "flows/nested.yaml"), file="nested.yaml")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(NESTED.splitlines(), start=1) if needle in line)


def test_every_step_is_mapped_under_its_run_time_path() -> None:
    source = compiled_entry().source
    assert source is not None and source["file"] == "nested.yaml"
    assert source["lines"] == {
        "guarded": 5,
        "guarded/try/risky": 7,
        "guarded/catch#0/activity#0": 13,
        "guarded/finally/set#0": 16,
        "loop": 17,
        "loop/each": 21,
        "pick": 24,
        "pick/case#0/in_case": 29,
        "pick/default/activity#0": 33,
        "both": 35,
        "both/left/l1": 39,
        "both/right/activity#0": 43,
        "waiting": 45,
        "waiting/go/on_go": 49,
        "waiting/on_timeout/late": 54,
        "output": 57,
    }
    assert line_of(NESTED, "id: on_go") == 49
    # Loop iterations and compensations belong to their step; unknown paths to their nearest known parent.
    assert locate(source, "loop[1]/each") == ("nested.yaml", 21)
    assert locate(source, "guarded/try/risky.compensate") == ("nested.yaml", 7)
    assert locate(source, "both/left/gone") == ("nested.yaml", 35)
    assert locate(None, "loop") is None and locate(source, None) is None


def failing(at: str) -> Any:
    def work(what: Any) -> str:
        if str(what) == at:
            raise ApplicationError(f"{what} broke", type="Broken")
        if what == "risky":
            raise ApplicationError("not this time", type="Nope")
        return f"did {what}"

    return work


def test_a_failing_step_names_its_file_and_line_in_an_offline_run() -> None:
    entry = compiled_entry()
    cases = [("caught", "guarded/catch#0/activity#0", 13), ("2", "loop[1]/each", 21),
             ("default", "pick/default/activity#0", 33), ("right", "both/right/activity#0", 43),
             ("late", "waiting/on_timeout/late", 54)]
    for at, step, line in cases:
        result = run_offline_sync(entry, {"case": False}, activities={"work": failing(at)})
        assert result.status == "failed", at
        assert result.failure == f"nested.yaml:{line}: step '{step}' failed: Broken: {at} broke"
        assert result.error is not None
        details = result.error.as_dict()
        assert (details["file"], details["line"], details["step"]) == ("nested.yaml", line, step)


def test_a_definition_without_a_source_map_fails_as_before() -> None:
    entry = compiled_entry()
    plain = CatalogEntry(entry.definition, entry.data, entry.sha256, entry.file)
    result = run_offline_sync(plain, {"case": False}, activities={"work": failing("2")})
    assert result.failure == "step 'loop[1]/each' failed: Broken: 2 broke"
    assert result.error is not None and result.error.record()["file"] is None


def test_text_without_a_file_has_no_source_map() -> None:
    assert CatalogEntry.of(compile_text(NESTED, "<string>")).source is None


def test_a_child_run_carries_the_source_map_of_its_own_definition(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "name: parent\nsteps:\n  - id: kid\n    child: {definition: kid}\n", encoding="utf-8"
    )
    (tmp_path / "kid.yaml").write_text(
        "name: kid\nsteps:\n  - set: {x: 1}\n  - id: work\n    activity: work\n    args: [2]\n",
        encoding="utf-8",
    )
    catalog = Catalog.load(tmp_path)
    assert catalog.entries["parent"].pinned().get("source") == {"file": "parent.yaml", "lines": {"kid": 3}}
    result = run_offline_sync("parent", None, catalog=catalog, activities={"work": failing("2")})
    assert result.failure == (
        "parent.yaml:3: step 'kid' failed: Broken: kid.yaml:4: step 'work' failed: Broken: 2 broke"
    )


EVERY_NESTING = """\
name: every_nesting
signals:
  go: {}
steps:
  - id: guarded
    try:
      - activity: work  # fails: risky
        args: [risky]
    catch:
      - errors: [Other]
        steps:
          - activity: work
            args: [unused]
      - errors: [Nope]
        steps:
          - set: {caught: true}
          - id: handler  # fails: caught
            activity: work
            args: [caught]
    finally:
      - set: {done: true}
      - activity: work  # fails: cleanup
        args: [cleanup]
  - id: again
    while:
      condition: "{{ loop.index < 2 }}"
      max_iterations: 3
      steps:
        - activity: work  # fails: w1
          args: ["w{{ loop.index }}"]
  - id: each
    foreach:
      items: [1, 2]
      steps:
        - id: item_work  # fails: f2
          activity: work
          args: ["f{{ item }}"]
  - id: pick
    switch:
      cases:
        - if: "{{ input.case == 0 }}"
          steps:
            - activity: work
              args: [case0]
        - if: "{{ input.case == 1 }}"
          steps:
            - activity: work  # fails: case1
              args: [case1]
      default:
        - activity: work  # fails: default
          args: [default]
  - id: both
    parallel:
      branches:
        left:
          - foreach:
              items: [a, b]
              steps:
                - activity: work  # fails: left-b
                  args: ["left-{{ item }}"]
        right:
          - activity: work  # fails: right
            args: [right]
  - id: waiting
    wait_for:
      signals:
        go:
          - activity: work  # fails: go
            args: [go]
      timeout: 1h
      on_timeout:
        - set: {late: true}
        - activity: work  # fails: late
          args: [late]
  - id: block
    do:
      - set: {in_block: true}
      - activity: work  # fails: block
        args: [block]
output: done
"""

# (kind, label of the nested list in the kind's declaration, failing argument, run-time path of the failure)
EVERY_FAILURE = [
    ("try", "try", "risky", "guarded/try/activity#0"),
    ("try", "catch", "caught", "guarded/catch#1/handler"),
    ("try", "finally", "cleanup", "guarded/finally/activity#1"),
    ("while", "steps", "w1", "again[1]/activity#0"),
    ("foreach", "steps", "f2", "each[1]/item_work"),
    ("switch", "case", "case1", "pick/case#1/activity#0"),
    ("switch", "default", "default", "pick/default/activity#0"),
    ("parallel", "branch", "right", "both/right/activity#0"),
    ("parallel", "branch", "left-b", "both/left/foreach#0[1]/activity#0"),
    ("wait_for", "signal", "go", "waiting/go/activity#0"),
    ("wait_for", "on_timeout", "late", "waiting/on_timeout/activity#1"),
    ("do", "do", "block", "block/do/activity#1"),
]


def marked_line(marker: str) -> int:
    """The line of :data:`EVERY_NESTING` that ends with ``marker``."""
    return next(n for n, line in enumerate(EVERY_NESTING.splitlines(), start=1) if line.endswith(marker))


def test_the_declared_path_segments_are_the_ones_the_interpreter_runs_nested_steps_under() -> None:
    # Every nested list of every kind is exercised: a new nesting kind must add its case here.
    declared = {(key, spec.label) for key, kind in KINDS.items() for spec in kind.nested}
    assert {(kind, label) for kind, label, _, _ in EVERY_FAILURE} == declared
    entry = CatalogEntry.of(compile_text(EVERY_NESTING, "flows/every.yaml"), file="every.yaml")
    source = entry.source
    assert source is not None
    for _, _, at, step in EVERY_FAILURE:
        signals = [(60, "go")] if at == "go" else []
        result = run_offline_sync(entry, {"case": 1 if at == "case1" else 9}, signals=signals,
                                  activities={"work": failing(at)})
        assert result.error is not None, at
        details = result.error.as_dict()
        # The interpreter's own path for the failing step, mapped as it is (not through an enclosing step)...
        assert details["step"] == step
        assert re.sub(r"\[\d+\]", "", step) in source["lines"]
        # ... to the line of the failing step.
        line = marked_line(f"# fails: {at}")
        assert (details["file"], details["line"]) == ("every.yaml", line), at
        assert result.failure == f"every.yaml:{line}: step '{step}' failed: Broken: {at} broke"
