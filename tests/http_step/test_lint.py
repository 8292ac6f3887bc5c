"""What the linter says about ``http`` steps beyond their own codes (the fixtures E330-W335 show those): a
compensation is an activity call checked like any other, and in a saga an http step that changes something
should be undone (W800) while a read need not."""

from __future__ import annotations

from tdsl.dsl_schema.compile import compile_text
from tests.support import example_registry

SAGA = """
name: saga_http
steps:
  - id: pay
    activity: charge_payment
    args: [u-1, 10]
    compensate: {activity: refund_payment, args: ["{{ result.transaction_id }}"]}
  - id: read
    http: {url: "https://api.example.com/orders/1"}
  - id: book
    http: {method: POST, url: "https://api.example.com/bookings", json: {seat: 3}}
    compensate: {activity: cancel_hotl, args: ["{{ result.json.id }}"]}
  - id: notify
    http: {method: POST, url: "https://api.example.com/notifications"}
  - activity: send_email
    args: [a@example.com, subject, body]
"""


def test_http_steps_in_a_saga() -> None:
    compiled = compile_text(SAGA, "saga.yaml", example_registry())
    found = [(d.code, d.line, d.message) for d in compiled.diagnostics]
    assert found[0] == ("E400", 12, "unknown activity 'cancel_hotl'; did you mean 'cancel_hotel'?")
    # The GET (line 8) changes nothing; the POST with a compensation (line 10) is undone; the last step
    # (line 15) is exempt as always: only the POST without one is reported.
    assert [(code, line) for code, line, _ in found[1:]] == [("W800", 13)]
    assert "step 'notify' (http POST) has no compensate in a saga" in found[1][2]
