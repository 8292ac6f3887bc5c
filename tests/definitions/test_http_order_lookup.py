"""definitions/http_order_lookup.yaml on the real dev server, against a real local order service: the order
is looked up and the lookup recorded with the token from the worker's environment (never in the history),
a shipped order is mailed about, an unknown one is an answer, a refused token fails the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tests.http_step.service import RunningService, Service
from tests.support import harness

from .helpers import events


@pytest.fixture(scope="module")
def orders() -> Iterator[Service]:
    with RunningService(token="orders-token-7d1f") as running:
        yield running


@pytest.fixture
def token(orders: Service, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ORDERS_API_TOKEN", orders.token)
    return orders.token


def lookup(orders: Service, order_id: str) -> dict[str, Any]:
    return {"service_url": orders.base_url, "order_id": order_id}


async def test_a_shipped_order_is_recorded_and_mailed_about(
    client: Client, task_queue: str, orders: Service, token: str
) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("http_order_lookup", lookup(orders, "A-1"))
        result = await handle.result()
        history = b"".join(event.SerializeToString() for event in await events(handle))
    assert result == {"order_id": "A-1", "found": True, "status": "shipped", "notified": True}
    assert ("A-1", {"event": "looked_up", "by": handle.id}) in orders.order_events
    assert [e.args for e in ledger.entries(handle.id)] == [
        ("ann@example.com", "Order A-1 has shipped", "Your order A-1 is on its way.")
    ]
    assert token.encode() not in history


async def test_an_unknown_order_is_an_answer(
    client: Client, task_queue: str, orders: Service, token: str
) -> None:
    async with harness(client, task_queue) as h:
        result = await h.execute("http_order_lookup", lookup(orders, "Z-9"))
    assert result == {"order_id": "Z-9", "found": False}


async def test_a_refused_token_fails_the_run(
    client: Client, task_queue: str, orders: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERS_API_TOKEN", "not-the-token")
    async with harness(client, task_queue) as h:
        handle = await h.start("http_order_lookup", lookup(orders, "A-2"))
        with pytest.raises(WorkflowFailureError) as caught:
            await handle.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "HTTPError"
    assert cause.details[0]["error"]["details"]["status"] == 401
    assert cause.details[0]["error"]["step"] == "order"
