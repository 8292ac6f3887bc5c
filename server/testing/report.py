"""Render a :class:`~.runner.TestReport` as text (one line per case), JSON or JUnit XML."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from .runner import ERROR, FAILED, CaseResult, TestReport

FORMATS = ("text", "json", "junit")

_LABEL = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def case_line(case: CaseResult) -> str:
    """``PASS approval.test.yaml::approved (3 ms)``."""
    return f"{_LABEL[case.status]} {case.id} ({_ms(case.wall)})"


def case_failure(case: CaseResult) -> str:
    """Where the case is and what differed (empty for a passed case)."""
    if case.passed:
        return ""
    return f"{case.file}:{case.line}: case {case.case!r} of {case.definition}\n{case.explain()}"


def summary(report: TestReport) -> str:
    counts = Counter(case.status for case in report.cases)
    parts = [f"{counts[status]} {status}" for status in ("passed", "failed", "error") if counts[status]]
    if report.problems:
        parts.append(f"{len(report.problems)} file{'s' if len(report.problems) > 1 else ''} could not run")
    return f"{', '.join(parts) or 'no cases'} in {report.wall:.2f} s"


def render_text(report: TestReport) -> str:
    lines: list[str] = []
    for problem in report.problems:
        lines.append(f"ERROR {problem.file}")
        lines.append(_indent(problem.message))
    for case in report.cases:
        lines.append(case_line(case))
        if not case.passed:
            lines.append(_indent(case_failure(case)))
    lines.append(summary(report))
    return "\n".join(lines)


def case_dict(case: CaseResult) -> dict[str, Any]:
    return {
        "id": case.id,
        "file": case.file,
        "line": case.line,
        "definition": case.definition,
        "case": case.case,
        "status": case.status,
        "wall_ms": round(case.wall * 1000, 3),
        "cpu_ms": round(case.cpu * 1000, 3),
        "mismatches": [m.as_dict() for m in case.mismatches],
        "message": case.message,
    }


def render_json(report: TestReport) -> str:
    counts = Counter(case.status for case in report.cases)
    data = {
        "cases": [case_dict(case) for case in report.cases],
        "problems": [{"file": p.file, "message": p.message} for p in report.problems],
        "summary": {
            "passed": counts["passed"],
            "failed": counts["failed"],
            "error": counts["error"],
            "problems": len(report.problems),
            "wall_ms": round(report.wall * 1000, 3),
        },
        "exit_code": report.exit_code,
    }
    return json.dumps(data, indent=2, default=str)


def render_junit(report: TestReport) -> str:
    """JUnit XML: a test suite per test file, a test case per case; a file that could not run is one
    test case with an error."""
    root = ElementTree.Element("testsuites", name="tdsl test")
    suites: dict[str, list[CaseResult]] = {}
    for case in report.cases:
        suites.setdefault(case.file, []).append(case)
    for problem in report.problems:
        suite = ElementTree.SubElement(root, "testsuite", name=problem.file, tests="1", failures="0",
                                       errors="1", time="0")
        testcase = ElementTree.SubElement(suite, "testcase", classname=Path(problem.file).name,
                                          name="(load)", file=problem.file)
        ElementTree.SubElement(testcase, "error", message="could not run").text = problem.message
    for file, cases in suites.items():
        suite = ElementTree.SubElement(
            root, "testsuite", name=file, tests=str(len(cases)),
            failures=str(sum(c.status == FAILED for c in cases)),
            errors=str(sum(c.status == ERROR for c in cases)),
            time=f"{sum(c.wall for c in cases):.3f}",
        )
        for case in cases:
            testcase = ElementTree.SubElement(
                suite, "testcase", classname=Path(file).name, name=case.case, file=file,
                line=str(case.line), time=f"{case.wall:.3f}",
            )
            if case.status == FAILED:
                first = case.mismatches[0].render() if case.mismatches else "failed"
                ElementTree.SubElement(testcase, "failure", message=first).text = case_failure(case)
            elif case.status == ERROR:
                ElementTree.SubElement(testcase, "error", message=case.message.splitlines()[0]).text = \
                    case.message
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode")


def render(report: TestReport, format: str) -> str:
    """The report in ``format`` (one of :data:`FORMATS`)."""
    if format == "json":
        return render_json(report)
    if format == "junit":
        return render_junit(report)
    return render_text(report)
