"""Run the cases of test files offline and check their expectations."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tdsl.dsl_schema.catalog import Catalog
from tdsl.dsl_schema.diagnostics import DefinitionRejected
from tdsl.dsl_schema.durations import parse_duration
from tdsl.dsl_schema.payloads import PayloadError
from tdsl.dsl_schema.testfile import (
    DEFAULT_START_TIME,
    TestFile,
    find_test_files,
    load_test_file,
    parse_start_time,
)
from tdsl.interpreter.errors import DefinitionFailedAtRun
from tdsl.interpreter.offline import OfflineResult, Trace, run_offline_sync
from tdsl.interpreter.offline.results import OfflineCall, OfflineHandlerCall

from .compare import MISSING, Mismatch, compare
from .mocks import MockError, build_mocks

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass
class CaseResult:
    """How one case went: ``passed``, ``failed`` (``mismatches`` says how) or ``error`` (it could not run:
    ``message`` says why)."""

    file: str
    case: str
    status: str
    line: int = 1
    wall: float = 0.0
    """Seconds of wall time the case took."""
    cpu: float = 0.0
    """Seconds of CPU time the case took."""
    mismatches: list[Mismatch] = field(default_factory=list)
    message: str = ""
    result: OfflineResult | None = None
    definition: str = ""

    @property
    def id(self) -> str:
        """``approval.test.yaml::approved``."""
        return f"{Path(self.file).name}::{self.case}"

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def explain(self) -> str:
        """The failure as text: one line per difference (empty when the case passed)."""
        if self.status == ERROR:
            return self.message
        return "\n".join(mismatch.render() for mismatch in self.mismatches)


@dataclass
class FileProblem:
    """A test file that could not run (it is invalid, or names an unknown definition)."""

    file: str
    message: str


@dataclass
class TestReport:
    """Every case of a ``tdsl test`` run, plus the files that could not run."""

    __test__ = False  # not a pytest test class

    cases: list[CaseResult] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    wall: float = 0.0

    @property
    def exit_code(self) -> int:
        """0: every case passed; 1: a case failed; 2: something could not run."""
        if self.problems or any(case.status == ERROR for case in self.cases):
            return 2
        return 1 if any(case.status == FAILED for case in self.cases) else 0


class Catalogs:
    """The catalog of each definitions folder, loaded once."""

    def __init__(self, default: str | Path | None = None) -> None:
        self.default = Path(default) if default is not None else None
        self._loaded: dict[Path, Catalog] = {}

    def folders_for(self, test_file: str | Path) -> list[Path]:
        """Where the definition of a test file may be: ``<folder>`` for a file in ``<folder>/tests/``, then
        the default folder (the test file's own folder without one)."""
        parent = Path(test_file).resolve().parent
        found = [parent.parent] if parent.name == "tests" else []
        found.append(self.default.resolve() if self.default is not None else parent)
        return list(dict.fromkeys(found))

    def loaded(self) -> dict[Path, Catalog]:
        """The catalogs loaded so far, by folder."""
        return dict(self._loaded)

    def catalog(self, folder: Path) -> Catalog:
        if folder not in self._loaded:
            self._loaded[folder] = Catalog.load(folder)
        return self._loaded[folder]

    def lookup(self, test_file: str | Path, definition: str) -> Catalog | None:
        """The first catalog (of :meth:`folders_for`) that holds ``definition``."""
        for folder in self.folders_for(test_file):
            catalog = self.catalog(folder)
            if catalog.get(definition) is not None:
                return catalog
        return None


def _seconds(value: Any) -> float:
    return float(parse_duration(value))


def _call_view(call: OfflineCall) -> dict[str, Any]:
    view: dict[str, Any] = {
        "activity": call.name,
        "args": call.args,
        "kwargs": call.kwargs,
        "attempt": call.attempt,
        "outcome": call.outcome,
        "step": call.summary,
        "heartbeats": call.heartbeats,
    }
    if call.error is not None:
        view["error"] = call.error
    return view


def _expect_sequence(
    expected: list[Any], actual: list[dict[str, Any]], path: str, name_key: str
) -> list[Mismatch]:
    """Item by item: a text names the item (``name_key``), a mapping gives the keys to compare."""
    found: list[Mismatch] = []
    for index in range(max(len(expected), len(actual))):
        here = f"{path}[{index}]"
        if index >= len(actual):
            found.append(Mismatch(here, expected[index], MISSING, "missing"))
            continue
        if index >= len(expected):
            found.append(Mismatch(here, MISSING, actual[index][name_key], "unexpected"))
            continue
        want = expected[index]
        if isinstance(want, str):
            want = {name_key: want}
        for key, value in want.items():
            got = actual[index].get(key, MISSING)
            found.extend(compare(value, got, f"{here}.{key}", subset=key == "error"))
    return found


def _handler_expectations(
    kind: str, entries: list[dict[str, Any]], calls: list[OfflineHandlerCall]
) -> list[Mismatch]:
    found: list[Mismatch] = []
    # The run answers them in time order (stable for equal times), as OfflineResult lists them.
    order = sorted(range(len(entries)), key=lambda i: _seconds(entries[i]["at"]))
    for index, call in zip(order, calls, strict=True):
        entry = entries[index]
        here = f"{kind}[{index}] ({entry['name']} at {entry['at']})"
        what = "query" if kind == "queries" else "update"
        outcome = call.outcome
        if "result" in entry:
            if outcome != "answered":
                note = f"the {what} was {outcome}"
                found.append(Mismatch(here, entry["result"], call.error or outcome, note))
            else:
                found.extend(compare(entry["result"], call.result, f"{here}.result"))
        for failure in ("rejected", "failed"):
            want = entry.get(failure)
            if want in (None, False):
                continue
            if outcome != failure:
                got = call.result if outcome == "answered" else outcome
                found.append(Mismatch(here, failure, got, f"the {what} was {outcome}"))
            elif isinstance(want, dict):
                found.extend(compare(want, call.error or {}, f"{here}.error", subset=True))
        if "result" not in entry and entry.get("rejected") in (None, False) and \
                entry.get("failed") in (None, False) and outcome != "answered":
            # Nothing expected but an answer: a rejection or error is a failure all the same.
            found.append(Mismatch(here, "an answer", call.error or outcome, f"the {what} was {outcome}"))
    return found


def _error_view(result: OfflineResult) -> dict[str, Any] | None:
    if result.error is None:
        return None
    return {"type": result.error.type, "message": result.error.message, "step": result.error.step}


def check_expectations(case: dict[str, Any], result: OfflineResult) -> list[Mismatch]:
    """Every difference between ``case``'s expectations (``expect``, update and query results) and
    ``result``."""
    expect: dict[str, Any] = case.get("expect") or {}
    found: list[Mismatch] = []
    if "status" in expect and expect["status"] != result.status:
        note = result.failure or (f"blocked in {result.pending_waits}" if result.pending_waits else "")
        found.append(Mismatch("status", expect["status"], result.status, note))
    if "output" in expect:
        found.extend(compare(expect["output"], result.output, "output"))
    if "output_contains" in expect:
        found.extend(compare(expect["output_contains"], result.output, "output", subset=True))
    if "error" in expect:
        error = _error_view(result)
        want = dict(expect["error"])
        contains = want.pop("message_contains", None)
        if error is None:
            found.append(Mismatch("error", expect["error"], None, f"the run {result.status}"))
        else:
            found.extend(compare(want, error, "error", subset=True))
            if contains is not None and contains not in error["message"]:
                found.append(Mismatch("error.message", f"...{contains}...", error["message"]))
    if "calls" in expect:
        calls = [_call_view(call) for call in result.calls]
        found.extend(_expect_sequence(expect["calls"], calls, "calls", "activity"))
    if "compensations" in expect:
        found.extend(_expect_sequence(expect["compensations"], result.compensations, "compensations", "step"))
    if "elapsed" in expect:
        found.extend(compare(_seconds(expect["elapsed"]), result.elapsed, "elapsed"))
    if "ignored_signals" in expect:
        ignored = [entry.get("signal") for entry in result.ignored_signals]
        found.extend(compare(expect["ignored_signals"], ignored, "ignored_signals"))
    found.extend(_handler_expectations("queries", case.get("queries") or [], result.queries))
    found.extend(_handler_expectations("updates", case.get("updates") or [], result.updates))
    return found


def execute_case(
    test: TestFile, index: int, catalog: Catalog, trace: Trace | None = None
) -> OfflineResult:
    """Run case ``index`` of ``test`` offline (raises what stops it from running); ``trace`` records what it
    went through."""
    case = test.cases[index]
    start = parse_start_time(case.get("start_time") or test.doc.data.get("start_time") or DEFAULT_START_TIME)
    return run_offline_sync(
        test.definition,
        case.get("input"),
        activities=build_mocks(test.doc.data.get("mocks"), case.get("mocks")),
        signals=[(s["at"], s["name"], s.get("payload")) for s in case.get("signals") or []],
        queries=[(q["at"], q["name"], q.get("payload")) for q in case.get("queries") or []],
        updates=[(u["at"], u["name"], u.get("payload")) for u in case.get("updates") or []],
        catalog=catalog,
        workflow_id=case.get("workflow_id"),
        start_time=start,
        cancel_at=case.get("cancel_at"),
        trace=trace,
    )


def run_case(test: TestFile, index: int, catalog: Catalog, trace: Trace | None = None) -> CaseResult:
    """Run case ``index`` of ``test`` and check it (``trace``: record what it went through)."""
    case = test.cases[index]
    outcome = CaseResult(
        file=test.file,
        case=case["name"],
        status=PASSED,
        line=test.position(("cases", index))[0],
        definition=test.definition,
    )
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = execute_case(test, index, catalog, trace)
    except PayloadError as err:
        outcome.status, outcome.message = ERROR, f"input: {err}"
    except (MockError, DefinitionFailedAtRun, ValueError) as err:
        outcome.status, outcome.message = ERROR, f"{type(err).__name__}: {err}"
    else:
        outcome.result = result
        outcome.mismatches = check_expectations(case, result)
        if outcome.mismatches:
            outcome.status = FAILED
    outcome.wall = time.perf_counter() - wall
    outcome.cpu = time.process_time() - cpu
    return outcome


def load_for_run(path: str | Path, catalogs: Catalogs) -> tuple[TestFile, Catalog]:
    """Load a test file and the catalog its definition is in; raise :class:`FileProblem`-worthy errors
    (:class:`DefinitionRejected` for the file, ``LookupError`` for an unknown definition)."""
    test = load_test_file(path)
    catalog = catalogs.lookup(path, test.definition)
    if catalog is None:
        folders = catalogs.folders_for(path)
        known = sorted({name for folder in folders for name in catalogs.catalog(folder).names()})
        invalid = [file for folder in folders for file in catalogs.catalog(folder).invalid
                   if Path(file).stem == test.definition]
        why = f" ({invalid[0]} has errors: run tdsl lint)" if invalid else ""
        line, col = test.position(("definition",))
        where = " or ".join(str(folder) for folder in folders)
        raise LookupError(
            f"{test.file}:{line}:{col}: unknown definition {test.definition!r} in {where}{why} "
            f"(known: {', '.join(known) or 'none'})"
        )
    return test, catalog


def run_paths(
    paths: Iterable[str | Path],
    *,
    definitions: str | Path | None = None,
    select: str | None = None,
    trace: Trace | None = None,
    catalogs: Catalogs | None = None,
) -> TestReport:
    """Run every case of the test files in ``paths`` (files, or folders searched for ``*.test.yaml``).
    ``definitions``: the folder of definitions for test files that are not in its ``tests/`` folder.
    ``select``: only the cases whose id (``file::case``) contains it. ``trace`` records what the cases went
    through (coverage); ``catalogs`` are the definitions loaded (given to see them afterwards)."""
    report = TestReport()
    started = time.perf_counter()
    catalogs = catalogs if catalogs is not None else Catalogs(definitions)
    for path in find_test_files(list(paths)):
        try:
            test, catalog = load_for_run(path, catalogs)
        except DefinitionRejected as err:
            report.problems.append(FileProblem(str(path), err.render()))
            continue
        except LookupError as err:
            report.problems.append(FileProblem(str(path), str(err)))
            continue
        for index, case in enumerate(test.cases):
            if select is not None and select not in f"{path.name}::{case['name']}":
                continue
            report.cases.append(run_case(test, index, catalog, trace))
    report.wall = time.perf_counter() - started
    return report
