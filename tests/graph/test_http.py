"""``GET /definitions/{name}/graph`` and ``GET /runs/{id}/graph`` through the app, with real runs of the
example definitions on the session dev server."""

from __future__ import annotations

from pathlib import Path

import httpx
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tests.server.helpers import make_settings, unique, waiting_for_signal

from .conftest import ROOT
from .helpers import classes, finished_run, saga_input
from .syntax import check_dot, check_mermaid


async def test_a_definition_graph_in_both_formats(http: httpx.AsyncClient) -> None:
    response = await http.get("/definitions/booking_saga/graph")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    nodes, edges = check_mermaid(response.text)
    assert {"s_hotel", "s_flight", "s_payment", "s_hotel_undo"} <= nodes
    assert ("s_hotel", "s_hotel_undo", "compensate") in edges
    dot = await http.get("/definitions/booking_saga/graph", params={"format": "dot"})
    assert dot.status_code == 200
    assert check_dot(dot.text)[0] == nodes


async def test_unknown_names_and_formats_are_refused(http: httpx.AsyncClient) -> None:
    missing = await http.get("/definitions/no_such_definition/graph")
    assert missing.status_code == 404
    assert "no_such_definition" in missing.text
    assert (await http.get("/definitions/booking_saga/graph", params={"format": "svg"})).status_code == 422
    assert (await http.get(f"/runs/{unique('nobody')}/graph")).status_code == 404


async def test_a_failed_saga_shows_what_was_compensated(http: httpx.AsyncClient) -> None:
    workflow_id = await finished_run(http, "booking_saga", saga_input(total=15_000))  # payment declined
    response = await http.get(f"/runs/{workflow_id}/graph")
    assert response.status_code == 200
    check_mermaid(response.text)
    assert classes(response.text) == {
        "s_hotel": "compensated",
        "s_hotel_undo": "compensated",
        "s_flight": "compensated",
        "s_flight_undo": "compensated",
        "s_payment": "failed",
    }
    dot = (await http.get(f"/runs/{workflow_id}/graph", params={"format": "dot"})).text
    check_dot(dot)
    payment = next(line for line in dot.splitlines() if line.startswith("    s_payment ["))
    assert 'fillcolor="#f8d7da"' in payment


async def test_a_completed_run_shows_completed_and_skipped_steps(http: httpx.AsyncClient) -> None:
    workflow_id = await finished_run(http, "data_processing", {"dataset_id": f"{unique('sales')}-150"})
    text = (await http.get(f"/runs/{workflow_id}/graph")).text
    check_mermaid(text)
    assert classes(text) == {
        "s_total": "completed",
        "s_batches": "completed",
        "s_batches_activity_0": "completed",
        "s_policy": "skipped",  # no batch failed: its if was false
    }


async def test_a_booked_trip_is_all_completed(http: httpx.AsyncClient) -> None:
    workflow_id = await finished_run(http, "booking_saga", saga_input())
    text = (await http.get(f"/runs/{workflow_id}/graph")).text
    assert classes(text) == {"s_hotel": "completed", "s_flight": "completed", "s_payment": "completed"}


async def test_a_waiting_run_is_drawn_from_its_pinned_definition(
    http: httpx.AsyncClient, client: Client, tmp_path: Path
) -> None:
    # A run started from an edited copy of approval.yaml: its graph shows the copy's steps, not today's
    # definitions folder (which the app serves).
    folder = tmp_path / "definitions"
    folder.mkdir()
    text = (ROOT / "definitions" / "approval.yaml").read_text()
    (folder / "approval.yaml").write_text(text.replace("- id: request", "- id: ask"))
    other = TemporalEngine(settings=make_settings(unique("graph-pinned"), definitions=folder), client=client)
    await other.start()
    try:
        runs = other.require_runs()
        started = await runs.start("approval", {"request": {"id": unique("R")}})
        await waiting_for_signal(runs, started.workflow_id)
        text = (await http.get(f"/runs/{started.workflow_id}/graph")).text
        await runs.terminate(started.workflow_id)
    finally:
        await other.stop()
    nodes, _ = check_mermaid(text)
    assert "s_ask" in nodes and "s_request" not in nodes
    assert classes(text) == {"s_ask": "completed", "s_decision": "running"}


async def test_a_failed_run_shows_the_step_that_failed_it(http: httpx.AsyncClient) -> None:
    dataset = f"{unique('logs')}-corrupt150-corrupt420-1000"
    body = {"input": {"dataset_id": dataset}, "wait": True, "timeout": 60}
    started = await http.post("/definitions/data_processing/runs", json=body)
    assert started.json()["status"] == "FAILED", started.text
    text = (await http.get(f"/runs/{started.json()['workflow_id']}/graph")).text
    check_mermaid(text)
    assert classes(text) == {
        "s_total": "completed",
        "s_batches": "completed",  # two batches failed, tolerated by the loop
        "s_batches_activity_0": "completed",
        "s_policy": "failed",  # the fail step, named by the run's error
    }
