"""``tdsl list`` and ``tdsl status`` print what runs hold (ids, workflow types) with control characters
escaped: whoever started a run chose its id, and must not get to drive the terminal of whoever lists it."""

from __future__ import annotations

from temporalio.client import Client

from tdsl.server.cli.terminal import safe
from tests.server.cli import tdsl
from tests.server.helpers import eventually, unique

ESCAPE = "\x1b]0;owned\x07\x1b[2J"


def test_safe_escapes_what_acts_on_a_terminal() -> None:
    assert safe("plain-id ünïcode") == "plain-id ünïcode"
    assert safe(ESCAPE) == "\\x1b]0;owned\\x07\\x1b[2J"
    assert safe("a\nb\rc\x00d\x9be\u2028f\u202eg\udc00") == "a\\x0ab\\x0dc\\x00d\\x9be\\u2028f\\u202eg\\udc00"
    assert safe("line one\nline\x1b two", keep_newlines=True) == "line one\nline\\x1b two"


async def test_list_and_status_escape_ids_and_types(client: Client, temporal_address: str) -> None:
    # Started with the bare client, as any Temporal client could: the service itself refuses such ids.
    workflow_id = unique("evil") + ESCAPE
    workflow_type = unique("Type") + ESCAPE
    clean_id = unique("clean")
    queue = unique("nobody-polls")
    handles = [
        await client.start_workflow(workflow_type, id=workflow_id, task_queue=queue),
        await client.start_workflow(workflow_type, id=clean_id, task_queue=queue),
    ]
    try:

        async def listed() -> bool:
            ids = {e.id async for e in client.list_workflows(f"TaskQueue = '{queue}'")}
            return ids == {workflow_id, clean_id}

        await eventually(listed, what="both runs in the visibility store")
        address = ("--address", temporal_address)
        listing = await tdsl("list", "--limit", "200", *address)
        assert listing.code == 0, listing.err
        assert "\x1b" not in listing.out and "\x07" not in listing.out
        assert safe(workflow_id) in listing.out
        assert safe(workflow_type) in listing.out.splitlines()
        status = await tdsl("status", clean_id, *address)
        assert status.code == 0, status.err
        assert "\x1b" not in status.out
        assert status.out.splitlines()[0].startswith(f"{clean_id}  {safe(workflow_type)}  RUNNING")
    finally:
        for handle in handles:
            await handle.terminate()
