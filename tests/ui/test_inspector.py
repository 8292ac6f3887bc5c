"""The run inspector in a real browser (Debian's Chromium through Playwright) against a served app with a
worker: every example definition is drawn; an approval is approved from its generated form and seen
completing; a failing booking shows its compensations in reverse order; a bad value shows the schema's
error next to its field; the page asks for the token the API wants."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tdsl.dsl_schema.graph import build_graph
from tests.support import project_catalog
from tests.ui.conftest import TOKEN, Stack

TIMEOUT = 20_000  # ms: what a run needs on a loaded machine; the assertions wait for events, not time


async def api(stack: Stack, method: str, path: str, body: Any = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        return await http.request(method, path, json=body)


async def test_page_is_served_without_token_and_asks_for_one_for_data(browser: Browser, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as http:
        shell = await http.get("/ui")
        script = await http.get("/ui/static/app.js")
        data = await http.get("/inspector/config")
    assert shell.status_code == 200 and "text/html" in shell.headers["content-type"]
    assert "default-src 'self'" in shell.headers["content-security-policy"]
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert data.status_code == 401
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await page.goto(stack.ui)
        dialog = page.locator("#token-dialog")
        await expect(dialog).to_be_visible(timeout=TIMEOUT)
        await page.fill("#token-input", TOKEN)
        await page.click("#token-dialog button[value=ok]")
        await expect(page.locator("#definition-list a[data-definition=approval]")).to_be_visible()
        assert await page.evaluate("sessionStorage.getItem('tdsl-token')") == TOKEN
    finally:
        await context.close()


async def test_every_example_definition_is_drawn(page: Page, stack: Stack) -> None:
    catalog = project_catalog()
    assert catalog.entries
    await page.goto(stack.ui)
    for name, entry in sorted(catalog.entries.items()):
        graph = build_graph(entry.data)
        await page.click(f"#definition-list a[data-definition='{name}']")
        await expect(page.locator("main h2")).to_have_text(name)
        svg = page.locator("#graph svg.graph")
        await expect(svg).to_have_attribute("aria-label", f"Graph of {name}")
        await expect(svg.locator("g.node")).to_have_count(len(graph.nodes))
        steps = [node.path for node in graph.nodes if node.role == "step"]
        for path in steps:
            await expect(svg.locator(f"g.node[data-path='{path}']")).to_have_count(1)
        # Every node lies inside the drawing (the layout placed it).
        outside = await svg.evaluate(
            """svg => { const box = svg.viewBox.baseVal;
                 return [...svg.querySelectorAll('g.node')].filter(g => { const b = g.getBBox();
                   return b.width === 0 || b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1
                     || b.y < box.y - 1 || b.y + b.height > box.y + box.height + 1; }).length; }"""
        )
        assert outside == 0, name
        assert (await page.locator(".mermaid-text").text_content() or "").startswith("flowchart TD")


async def start_approval(stack: Stack) -> httpx.Response:
    request = {"id": f"ui-{uuid.uuid4().hex[:8]}"}
    started = await api(stack, "POST", "/definitions/approval/runs", {"input": {"request": request}})
    assert started.status_code == 201, started.text
    return started


async def test_approval_is_approved_from_its_form_and_completes(page: Page, stack: Stack) -> None:
    started = await start_approval(stack)
    workflow_id = started.json()["workflow_id"]
    await page.goto(f"{stack.ui}#/runs/{workflow_id}")
    decision = page.locator("#graph g.node[data-path=decision]")
    await expect(decision).to_have_attribute("data-state", "waiting", timeout=TIMEOUT)
    await expect(page.locator("#waits li[data-step=decision]")).to_contain_text("approve | reject")
    await expect(page.locator("#run-header .badge")).to_have_text("● RUNNING")
    link = page.locator("#temporal-link")
    await expect(link).to_have_attribute(
        "href", f"http://localhost:8233/namespaces/default/workflows/{workflow_id}/{started.json()['run_id']}/history"
    )

    form = page.locator("form[data-action='signal:approve']")
    await form.locator("select[data-variant]").select_option(label="{by}")
    await form.locator("input[data-path='$.by']").fill("alice")
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".answer")).to_contain_text("signal approve sent")

    # The page follows the run without a reload.
    await expect(page.locator("#run-header .badge")).to_have_text("✓ COMPLETED", timeout=TIMEOUT)
    await expect(page.locator("#graph g.node[data-path=action]")).to_have_attribute("data-state", "completed")
    await expect(decision).to_have_attribute("data-state", "completed")
    await expect(page.locator("#outcome")).to_contain_text('"status": "approved"')
    await expect(page.locator("#waits")).to_contain_text("None.")
    await expect(form.locator("button[type=submit]")).to_be_disabled()
    await page.click("button[data-query=status]")
    await expect(page.locator("[data-query-answer=status]")).to_have_text(' = "approved"')
    # A step's calls in the side panel, chosen with the keyboard.
    await page.locator("#graph g.node[data-path=request]").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#step-panel")).to_contain_text("approval.yaml:")
    await expect(page.locator("#step-panel")).to_contain_text("completed")
    signals = await api(stack, "GET", f"/runs/{workflow_id}/queries/status")
    assert signals.json()["result"] == "approved"


async def test_failed_booking_shows_its_compensations_in_reverse_order(page: Page, stack: Stack) -> None:
    booking = f"ui-{uuid.uuid4().hex[:8]}"
    await page.goto(f"{stack.ui}#/definitions/booking_saga")
    form = page.locator("form.start-form")
    # Above 10,000 the payment is declined, after the hotel and the flight were reserved.
    values = {"booking_id": booking, "user_id": "u-1", "hotel_id": "H-1", "flight_id": "F-1", "total": "2e4"}
    for key, value in values.items():
        await form.locator(f"input[data-path='$.{key}']").fill(value)
    await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(f"{stack.ui}#/runs/booking-{booking}", timeout=TIMEOUT)

    await expect(page.locator("#run-header .badge")).to_have_text("✓ COMPLETED", timeout=TIMEOUT)
    saga = page.locator("#saga ol.saga li")
    await expect(saga).to_have_count(2)
    await expect(saga.nth(0)).to_have_attribute("data-step", "flight")
    await expect(saga.nth(1)).to_have_attribute("data-step", "hotel")
    await expect(saga.nth(0)).to_contain_text("cancel_flight")
    await expect(saga.nth(0)).to_contain_text("compensated")
    graph = page.locator("#graph")
    await expect(graph.locator("g.node[data-path=payment]")).to_have_attribute("data-state", "failed")
    for step in ("hotel", "flight"):
        node = graph.locator(f"g.node[data-path={step}]")
        await expect(node).to_have_attribute("data-state", "compensated")
    failed = page.locator("#outcome .failed-step[data-step=payment]")
    await expect(failed).to_contain_text("booking_saga.yaml:")
    await expect(failed).to_contain_text("declined")


async def test_bad_form_value_shows_the_schema_error_next_to_the_field(page: Page, stack: Stack) -> None:
    await page.goto(f"{stack.ui}#/definitions/booking_saga")
    form = page.locator("form.start-form")
    await form.locator("input[data-path='$.booking_id']").fill("ui-bad")
    await form.locator("input[data-path='$.total']").fill("-5")
    await form.locator("button[type=submit]").click()
    total_error = form.locator("[data-error-for='$.total']")
    await expect(total_error).to_contain_text("less than or equal to the minimum of 0")
    await expect(form.locator("input[data-path='$.total']")).to_have_attribute("aria-invalid", "true")
    # A required text field left empty is sent as "" (the schema, not the page, judges it).
    await expect(form.locator("[data-error-for='$.flight_id']")).to_contain_text("should be non-empty")
    assert "#/definitions/booking_saga" in page.url  # nothing was started


async def test_a_run_is_terminated_after_confirmation(page: Page, stack: Stack) -> None:
    started = await start_approval(stack)
    workflow_id = started.json()["workflow_id"]
    await page.goto(f"{stack.ui}#/runs/{workflow_id}")
    await expect(page.locator("#graph g.node[data-path=decision]")).to_have_attribute(
        "data-state", "waiting", timeout=TIMEOUT
    )
    await page.click("#terminate-run")
    await page.fill("#terminate-reason", "withdrawn")
    await page.click("#confirm-dialog button[value=ok]")
    await expect(page.locator("#run-header .badge")).to_have_text("■ TERMINATED", timeout=TIMEOUT)
    await expect(page.locator("#outcome")).to_contain_text("withdrawn")


async def test_approval_is_rejected_with_a_reason(page: Page, stack: Stack) -> None:
    workflow_id = (await start_approval(stack)).json()["workflow_id"]
    await page.goto(f"{stack.ui}#/runs/{workflow_id}")
    await expect(page.locator("#graph g.node[data-path=decision]")).to_have_attribute(
        "data-state", "waiting", timeout=TIMEOUT
    )
    form = page.locator("form[data-action='signal:reject']")
    await form.locator("select[data-variant]").select_option(label="{reason}")
    await form.locator("input[data-path='$.reason']").fill("over budget")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#run-header .badge")).to_have_text("✓ COMPLETED", timeout=TIMEOUT)
    await expect(page.locator("#outcome")).to_contain_text('"reason": "over budget"')
    # The approved action was never reached.
    await expect(page.locator("#graph g.node[data-path=action]")).to_have_attribute("data-state", "")
