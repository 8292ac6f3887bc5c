"""The verbs of ``tdsl`` and their arguments, without their implementations.

Building the parser (and ``tdsl --help``) imports only this module and :mod:`.common`; each verb names its
implementation as a :class:`~.common.Command` (``<verb module>:<function>``), imported when the verb runs. So
``tdsl status`` never pays for the web stack or the definition language, and ``--help`` for none of them.
"""

from __future__ import annotations

import argparse

from .common import Command, add_connection_options

__all__ = ["VERBS", "register_all"]

_CLI = "tdsl.server.cli"

# What ``tdsl lint --format`` accepts (tdsl.dsl_schema.lint.FORMATS; tests/server/test_cli_lazy.py keeps both
# equal). Spelled out so that building the parser does not import the linter.
LINT_FORMATS = ("text", "json", "github")
# What ``tdsl graph --format`` accepts (tdsl.dsl_schema.graph.FORMATS; tests/graph keeps both equal).
GRAPH_FORMATS = ("mermaid", "dot")


def _dev(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dev", help="start a local Temporal dev server, a worker and the HTTP API")
    parser.add_argument("--port", type=int, help="Temporal frontend port (default 7233)")
    parser.add_argument("--ui-port", type=int, help="Web UI port (default 8233)")
    parser.add_argument("--state-dir", help="folder for the SQLite state (default .state)")
    parser.add_argument("--http-host", help="HTTP API interface (default http.host, 127.0.0.1)")
    parser.add_argument("--http-port", type=int, help="HTTP API port (default http.port, 8000; 0 picks one)")
    parser.add_argument("--no-http", action="store_true", help="do not serve the HTTP API")
    parser.add_argument(
        "--example", metavar="NAME", help="after start, run this definition once and print its result"
    )
    parser.add_argument(
        "--example-input", metavar="JSON", help="input of the example run (JSON or @file.json)"
    )
    parser.add_argument("--exit-after-example", action="store_true", help="stop after the example run")
    add_connection_options(parser)
    parser.set_defaults(func=Command(f"{_CLI}.dev_cmd", "run"))


def _worker(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="run a worker (DSL workflow + registered activities)")
    add_connection_options(parser)
    parser.set_defaults(func=Command(f"{_CLI}.worker_cmd", "run"))


def _run(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start a run of a definition and print its result")
    parser.add_argument("name", help="definition (or registered workflow) name")
    parser.add_argument("--input", "-i", help="run input: JSON, @file.json, or - for stdin")
    parser.add_argument(
        "--id", dest="workflow_id", help="workflow id (default: the definition's id template)"
    )
    parser.add_argument("--no-wait", action="store_true", help="print the workflow id instead of the result")
    parser.add_argument("--delay", type=float, help="start delay in seconds")
    parser.add_argument("--timeout", type=float,
                        help="seconds to wait for the result (default 300; 0: no limit); exit 3 when the "
                             "run is still running then")
    parser.add_argument("--progress", action="store_true",
                        help="show the progress on stderr while waiting (default: when it is a terminal)")
    parser.add_argument("--quiet", "-q", action="store_true", help="do not show the progress")
    add_connection_options(parser)
    parser.set_defaults(func=Command(f"{_CLI}.run_cmd", "run"))


def _lint(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint", help="check definitions: YAML syntax, the JSON Schema and semantic checks",
        description="Check definitions: YAML syntax, the JSON Schema and semantic checks "
                    "(docs/LINT_CODES.md lists the codes). Exit status 0: no errors (warnings allowed); "
                    "1: errors; 2: could not run.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="definition files or folders (default: the configured definitions folder)")
    parser.add_argument("--format", choices=LINT_FORMATS, default="text",
                        help="text (with source lines and carets), json, or github (Actions annotations)")
    parser.add_argument("--config", help="configuration file (default: $TDSL_CONFIG or ./config.yaml)")
    parser.add_argument("--definitions",
                        help="definitions folder: linted by default; child definitions are looked up there")
    parser.add_argument("--activity-module", action="append", dest="activity_modules",
                        help="module registering activities; repeatable; replaces the configured modules "
                             "(env TDSL_ACTIVITY_MODULES)")
    parser.set_defaults(func=Command(f"{_CLI}.lint_cmd", "run"))


# What ``tdsl test --format`` accepts (tdsl.server.testing.report.FORMATS; tests/dsltest keep both equal).
TEST_FORMATS = ("text", "json", "junit")


def _test(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "test", help="run definition tests (*.test.yaml) offline on virtual time",
        description="Run the cases of definition test files offline: mocked activities, virtual time, no "
                    "Temporal server (docs/TESTING.md). Exit status 0: every case passed; 1: a case failed; "
                    "2: could not run (an invalid test file, an unknown definition).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="test files or folders (default: the definitions folder's tests/)")
    parser.add_argument("--format", choices=TEST_FORMATS, default="text",
                        help="text (a line per case, differences of failures), json, or junit (JUnit XML)")
    parser.add_argument("-k", dest="select", metavar="TEXT",
                        help="only the cases whose id (file.test.yaml::case) contains TEXT")
    parser.add_argument("--coverage", action="store_true",
                        help="also report the steps, branches and compensations no case ran")
    parser.add_argument("--config", help="configuration file (default: $TDSL_CONFIG or ./config.yaml)")
    parser.add_argument("--definitions", help="definitions folder (for test files outside its tests/)")
    parser.set_defaults(func=Command(f"{_CLI}.test_cmd", "run"))


def _schema(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("schema", help="print the JSON Schema of definitions")
    parser.set_defaults(func=Command(f"{_CLI}.schema_cmd", "run"))


def _graph(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "graph", help="draw a definition (or a run of one) as a Mermaid or DOT flowchart",
        description="Draw a definition as a flowchart: Mermaid (renders in GitHub and GitLab Markdown) or "
                    "Graphviz DOT. With --run, the run's pinned definition with what it did (completed, "
                    "running, failed, skipped, compensated). With --all, one Markdown page per definition "
                    "(docs/GRAPHS.md).",
    )
    parser.add_argument("target", nargs="?", metavar="NAME|FILE",
                        help="a definition file, or the name of a definition in the definitions folder")
    parser.add_argument("--format", choices=GRAPH_FORMATS, default="mermaid", help="mermaid (default) or dot")
    parser.add_argument("--run", metavar="ID", help="draw this run (workflow id) over its pinned definition")
    parser.add_argument("--all", action="store_true",
                        help="write a Markdown page per definition of the folder, and an index, to --out")
    parser.add_argument("--out", metavar="DIR", help="folder of the pages (with --all), e.g. docs/graphs")
    parser.add_argument("--check", action="store_true",
                        help="with --all: write nothing, exit 1 when a page is stale")
    add_connection_options(parser, worker=False)
    parser.set_defaults(func=Command(f"{_CLI}.graph_cmd", "run"))


def _serve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the HTTP API (docs at /docs) with a worker")
    parser.add_argument("--host", help="interface to listen on (default http.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default http.port, 8000; 0 picks one)")
    parser.add_argument("--no-worker", action="store_true", help="only the API; workers run elsewhere")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    add_connection_options(parser)
    parser.set_defaults(func=Command(f"{_CLI}.serve_cmd", "run"))


def _ops(subparsers: argparse._SubParsersAction) -> None:
    """The verbs that address one run (or list runs): they read no definitions and import no activities."""

    def command(name: str, help: str, function: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help, description=help)
        parser.set_defaults(func=Command(f"{_CLI}.ops_cmd", function))
        return parser

    def finish(parser: argparse.ArgumentParser) -> None:
        add_connection_options(parser, worker=False, definitions=False)

    p = command("status", "show a run's status and its built-in progress", "status")
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true", help="print JSON")
    finish(p)

    p = command("result", "print a run's result (exit 3 while it is still running)", "result")
    p.add_argument("workflow_id")
    p.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for the run to end"
    )
    finish(p)

    p = command("signal", "send a signal to a run", "signal")
    p.add_argument("workflow_id")
    p.add_argument("name", help="signal name (declared by the run's definition)")
    p.add_argument("payload", nargs="?", help="payload: JSON, @file.json or - for stdin")
    finish(p)

    p = command("query", "ask a run a query (also after it ended)", "query")
    p.add_argument("workflow_id")
    p.add_argument("name", help="query name (declared by the run's definition, or __progress)")
    finish(p)

    p = command("update", "send an update to a run and print its result", "update")
    p.add_argument("workflow_id")
    p.add_argument("name", help="update name (declared by the run's definition)")
    p.add_argument("payload", nargs="?", help="payload: JSON, @file.json or - for stdin")
    finish(p)

    p = command("cancel", "cancel a run (YAML runs compensate what they did)", "cancel")
    p.add_argument("workflow_id")
    finish(p)

    p = command("terminate", "terminate a run at once (no compensation)", "terminate")
    p.add_argument("workflow_id")
    p.add_argument("--reason", help="recorded in the run's history")
    finish(p)

    p = command("list", "list recent runs, grouped by definition", "list_runs")
    p.add_argument("--definition", "-d", help="only runs of this definition")
    p.add_argument("--status", help="only runs with this status (RUNNING, COMPLETED, FAILED, ...)")
    p.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    finish(p)


# What ``tdsl replay --format`` accepts (tdsl.server.replay.FORMATS; tests/replay keeps both equal).
REPLAY_FORMATS = ("text", "json", "junit")


def _replay(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay", help="replay workflow histories against this release (do runs in flight keep working?)",
        description="Replay workflow histories against this release's interpreter and report, per history, "
                    "OK or the first divergence (event id, step, what the history has, what the code would "
                    "do). Sources: JSON history files or folders, and/or --query (runs on the configured "
                    "server). --record DIR --workflow-id ID writes a run's history to DIR and replays it. "
                    "Exit status 0: every history replays; 1: a divergence; 2: could not run.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="history JSON files or folders (fetch_history().to_json() or "
                             "temporal workflow show -o json)")
    parser.add_argument("--query", metavar="QUERY",
                        help="also replay the runs this visibility query selects, e.g. "
                             "\"WorkflowType='approval' AND ExecutionStatus='Running'\"")
    parser.add_argument("--limit", type=int, metavar="N", help="replay at most N runs of --query")
    parser.add_argument("--record", metavar="DIR",
                        help="write the history of the run --workflow-id names to DIR/<name>.json")
    parser.add_argument("--workflow-id", help="with --record: the run's workflow id")
    parser.add_argument("--run-id", help="with --record: one run of the workflow id (default: the latest)")
    parser.add_argument("--name",
                        help="with --record: the file's name without .json (default: the workflow id)")
    parser.add_argument("--format", choices=REPLAY_FORMATS, default="text",
                        help="text, json, or junit (XML for CI test reports)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    add_connection_options(parser, worker=False, definitions=False)
    parser.set_defaults(func=Command(f"{_CLI}.replay_cmd", "run"))


def _schedules(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedules", help="apply the definitions' declared schedules to Temporal, and operate them",
        description="Declared schedules (docs/SCHEDULES.md). A schedule is named by its id or as "
                    "DEFINITION:SCHEDULE on the configured task queue.",
    )
    actions = parser.add_subparsers(dest="schedules_command", metavar="ACTION", required=True)

    def action(name: str, help: str, function: str, *, schedule: bool = True) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help)
        if schedule:
            sub.add_argument("schedule", help="schedule id, or DEFINITION:SCHEDULE")
        sub.set_defaults(func=Command(f"{_CLI}.schedules_cmd", function))
        return sub

    def finish(sub: argparse.ArgumentParser, *, json: bool = True) -> None:
        if json:
            sub.add_argument("--json", action="store_true", help="print JSON")
        add_connection_options(sub)

    p = action("apply", "create, update (and with --prune delete) schedules to match the definitions",
               "apply", schedule=False)
    p.add_argument("--prune", action="store_true",
                   help="also delete the schedules tdsl owns on this task queue that are no longer declared")
    p.add_argument("--dry-run", action="store_true", help="print what would change; change nothing")
    finish(p)
    finish(action("list", "list the schedules tdsl owns on this task queue", "list_schedules",
                  schedule=False))
    finish(action("describe", "show one schedule: state, declaration, next and recent runs", "describe"),
           json=False)
    p = action("pause", "pause a schedule", "pause")
    p.add_argument("--note", help="why (shown with the schedule)")
    finish(p)
    p = action("unpause", "unpause a schedule", "unpause")
    p.add_argument("--note", help="shown with the schedule")
    finish(p)
    finish(action("trigger", "start a run now, as the schedule would", "trigger"))
    p = action("backfill", "start the runs the schedule would have started in a past window", "backfill")
    p.add_argument("--start", required=True, help="window start, ISO 8601 (UTC when no zone is given)")
    p.add_argument("--end", required=True, help="window end, ISO 8601")
    finish(p)
    finish(action("delete", "delete a schedule (apply creates a declared one again)", "delete"), json=False)


def _completion(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "completion", help="print a shell completion script (bash or zsh)",
        description='Print a shell completion script: eval "$(tdsl completion bash)" in ~/.bashrc, or '
                    'eval "$(tdsl completion zsh)" in ~/.zshrc.',
    )
    parser.add_argument("shell", choices=("bash", "zsh"), help="the shell")
    parser.set_defaults(func=Command(f"{_CLI}.completion_cmd", "run"))


def _upgrade(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upgrade", help="offer the current definition of NAME to its open runs, checked",
        description="Offer the current definition of NAME (from the definitions folder) to its open runs: "
                    "each run is checked statically (every step it ran or is running unchanged) and by "
                    "replaying its history against the new definition; the run itself validates the offer "
                    "and moves at its next safe point (docs/UPGRADE.md). Exit status 0: every run moved "
                    "(or is compatible, with --dry-run); 1: a run was refused or rejected; 2: could not run.",
    )
    parser.add_argument("name", help="definition name")
    parser.add_argument("--dry-run", action="store_true",
                        help="only report, per run, compatible (and where it would move) or why not")
    parser.add_argument("--query", metavar="QUERY",
                        help="only the open runs this visibility query selects, "
                             "e.g. \"StartTime > '2026-01-01'\"")
    parser.add_argument("--run-id", metavar="ID", help="only this run (a workflow id or a run id)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_options(parser)
    parser.set_defaults(func=Command(f"{_CLI}.upgrade_cmd", "run"))


# In the order ``tdsl --help`` lists them.
VERBS = [
    _dev, _worker, _run, _lint, _test, _schema, _graph, _serve, _schedules, _replay, _upgrade, _ops,
    _completion,
]


def register_all(subparsers: argparse._SubParsersAction) -> None:
    """Add every verb to ``subparsers``."""
    for register in VERBS:
        register(subparsers)
