"""The stable diagnostic codes: one table, the source of ``docs/LINT_CODES.md``.

A code never changes meaning once published. The first letter is the severity: ``E`` errors keep a definition
out of the catalog (it can never be started) and make ``tdsl lint`` exit 1; ``W`` warnings are reported but
the definition still loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Severity


@dataclass(frozen=True)
class Code:
    """One diagnostic code: its severity, the family of checks it belongs to, and what it means."""

    code: str
    family: str
    summary: str

    @property
    def severity(self) -> Severity:
        return "warning" if self.code.startswith("W") else "error"


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # files and YAML (dsl_schema.loader, dsl_schema.catalog)
        Code("E001", "file", "YAML syntax error, or a YAML value that cannot be loaded (the first one)"),
        Code("E002", "file", "the file cannot be read (missing, unreadable or not UTF-8)"),
        Code("E003", "file",
             "the file is over a limit: its size, the values its aliases expand to, or its nesting depth"),
        Code("E004", "file", "a YAML tag (`!include`, `!!python/...`) or a recursive alias (refused)"),
        Code("E005", "file", "a symbolic link to a file outside the definitions folder (never read)"),
        # JSON Schema and models (dsl_schema.validate, dsl_schema.catalog)
        Code("E100", "schema", "schema violation (a value out of range, a bad pattern, an empty list, ...)"),
        Code("E101", "schema", "a step has no kind key (activity, set, wait, ...)"),
        Code("E102", "schema", "unknown key"),
        Code("E103", "schema", "missing required key (for example a `while` without `max_iterations`)"),
        Code("E104", "schema", "wrong type, or a number that is no duration (negative, over 100 years)"),
        Code("E105", "schema", "invalid name of a variable, signal, query, update or branch"),
        Code("E110", "catalog", "two files define the same definition name"),
        # steps and control flow (dsl_schema.lint.check_steps)
        Code("E200", "steps", "duplicate step id (ids are unique in the whole definition)"),
        Code("W201", "steps",
             "unreachable step or clause (after a `return`/`fail`, a catch-all, an always-true case)"),
        Code("W202", "steps", "`while` condition is constant: always false, or always true with no way out"),
        Code("W203", "steps", "large `while` bound where the run cannot continue as new"),
        # expressions (dsl_schema.lint.check_expressions)
        Code("E300", "expressions", "Jinja2 syntax error in an expression"),
        Code("E301", "expressions", "reference to a step id that no step has"),
        Code("E302", "expressions", "reference to a step that has not run at that point"),
        Code("E303", "expressions", "reference to a variable that nothing sets"),
        Code("E304", "expressions", "unknown name, or unknown attribute of a built-in name"),
        Code("E305", "expressions", "unknown filter or test"),
        Code("E306", "expressions", "non-deterministic construct (random, lipsum, cycler, now(), ...)"),
        Code("E307", "expressions", "attribute the sandbox refuses (names starting with an underscore)"),
        Code("W308", "expressions", "condition is a plain string (always true) or empty (always false)"),
        # http steps (dsl_schema.lint.check_http)
        Code("E330", "http", "`url` that is not an absolute http(s) URL (empty, another scheme, no host)"),
        Code("E331", "http", "`method` that is not an HTTP method (GET, POST, PUT, PATCH, DELETE, ...)"),
        Code("E332", "http", "`json` and `body` both given"),
        Code("E333", "http", "`expect` entry that is not a status (100-599) nor a pattern such as `2xx`"),
        Code("E334", "http",
             "`auth` names an invalid environment variable (it names a secret, never holds it)"),
        Code("W335", "http", "`Authorization` header written in `headers` (secrets belong in `auth`)"),
        # expression bounds (dsl_schema.expression_limits)
        Code("E120", "bounds", "expression too long, with too many tokens, or nested too deeply"),
        Code("E121", "bounds", "constant expression over an evaluation bound (big power, repetition, range)"),
        # error handling and constructs without effect (dsl_schema.lint.check_errors)
        Code("E310", "errors", "expression in `catch.errors` (types are matched as written; use `when:`)"),
        Code("E311", "errors", "`raise` outside a `catch` clause (there is no caught error to raise)"),
        Code("W312", "errors", "`on_timeout` of a `wait_for` without `timeout` (it can never run)"),
        # activities (dsl_schema.lint.check_activities)
        Code("E400", "activities", "unknown activity (not in the activity registry)"),
        Code("E401", "activities", "wrong number of positional arguments, or a required argument missing"),
        Code("E402", "activities", "unknown keyword argument"),
        Code("E403", "activities", "argument given both by position and by keyword"),
        # schedules (dsl_schema.lint.check_schedules)
        Code("E450", "schedules", "invalid cron expression in a schedule"),
        Code("E451", "schedules", "unknown time zone in a schedule"),
        Code("E452", "schedules", "invalid schedule duration (interval, offset, catchup_window, jitter)"),
        Code("E453", "schedules", "schedule `input` does not match the definition's input schema"),
        Code("E454", "schedules", "schedule without exactly one of `cron` and `interval`"),
        Code("E455", "schedules", "schedule `offset` without `interval`, or not shorter than it"),
        Code("W450", "schedules", "schedule `jitter` not shorter than its `interval`"),
        # signals, queries, updates (dsl_schema.lint.check_messages)
        Code("E500", "messages", "signal used but not declared"),
        Code("W501", "messages", "signal declared but never waited for nor read"),
        Code("W502", "messages", "query declared without a value (always null)"),
        Code("W503", "messages", "update has no effect (sets nothing that is read, returns nothing)"),
        Code("E504", "messages", "reserved signal, query or update name (starting with `__`)"),
        # child definitions (dsl_schema.lint.check_values)
        Code("E600", "children", "unknown child definition"),
        # literal values (dsl_schema.lint.check_values)
        Code("E700", "values", "invalid duration"),
        Code("E701", "values", "invalid timestamp"),
        Code("E702", "values", "`input`, signal or update `schema` is not a valid JSON Schema"),
        Code("E703", "values", "retry `maximum_interval` shorter than `initial_interval`"),
        Code("E704", "values", "`foreach` items that are not a list"),
        Code("E705", "values", "remote `$ref` in a JSON Schema (never retrieved: it can never resolve)"),
        # fan-out size (dsl_schema.lint.check_fanout)
        Code("E140", "fanout", "`foreach` over a known number of items whose results cannot fit a payload"),
        Code("W140", "fanout", "`foreach` over a known 100,000 items or more that collects every result"),
        # saga (dsl_schema.lint.check_saga)
        Code("W800", "saga", "side-effecting step without `compensate` in a saga definition"),
    )
}


def severity_of(code: str) -> Severity:
    """The severity of ``code`` (unknown codes are errors)."""
    known = CODES.get(code)
    return known.severity if known is not None else "error"
