"""Definitions the upgrade tests start and then edit (YAML text, so the source map has real lines)."""

from __future__ import annotations

APPROVAL_V1 = """\
name: upg_approval
version: 1
signals:
  approve: {}
vars: {decided: false}
steps:
  - id: request
    activity: send_email
    args: [boss@example.com, Please approve, "{{ input.id }}"]
  - id: decision
    wait_for:
      signals:
        approve:
          - set: {decided: true}
  - id: notify
    activity: send_email
    args: [team@example.com, Wrong template, "{{ input.id }}"]
output:
  notified: "{{ steps.notify }}"
  decided: "{{ vars.decided }}"
"""

# The fix: the notification after the approval gets its right subject, and a second notification is added.
APPROVAL_V2 = APPROVAL_V1.replace("version: 1", "version: 2").replace(
    "Wrong template", "\"Approved: {{ input.id }}\""
).replace(
    "output:",
    """  - id: audit
    activity: send_email
    args: [audit@example.com, Approved, "{{ input.id }}"]
output:""",
)

# An edit to a step that already ran: the request's subject.
APPROVAL_V2_EDITS_REQUEST = APPROVAL_V1.replace("version: 1", "version: 2").replace(
    "Please approve", "Please approve soon"
)

LOOP_V1 = """\
name: upg_loop
version: 1
signals:
  tick: {}
vars: {renewals: 0}
steps:
  - id: billing
    while:
      condition: "{{ vars.renewals < input.rounds }}"
      max_iterations: 20
      steps:
        - id: period
          wait_for:
            signals:
              tick: []
        - id: renew
          activity: send_email
          args: [user@example.com, "Renewal v1", "round {{ loop.index }}"]
        - set: {renewals: "{{ vars.renewals + 1 }}"}
output:
  renewals: "{{ vars.renewals }}"
"""

LOOP_V2 = LOOP_V1.replace("version: 1", "version: 2").replace("Renewal v1", "Renewal v2")

SAGA_V1 = """\
name: upg_saga
version: 1
signals:
  go: {}
steps:
  - id: hotel
    activity: reserve_hotel
    args: ["{{ input.hotel }}"]
    compensate:
      activity: cancel_hotel
      args: ["{{ steps.hotel.reservation_id }}"]
  - id: hold
    wait_for:
      signals:
        go: []
  - id: flight
    activity: reserve_flight
    args: ["{{ input.flight }}"]
    compensate:
      activity: cancel_flight
      args: ["{{ steps.flight.reservation_id }}"]
  - id: payment
    activity: charge_payment
    args: [user, "{{ input.amount }}"]
"""

# The flight's compensation changes (the operations team is told instead), the hotel's stays as it ran.
SAGA_V2 = SAGA_V1.replace("version: 1", "version: 2").replace(
    """      activity: cancel_flight
      args: ["{{ steps.flight.reservation_id }}"]""",
    """      activity: send_email
      args: [ops@example.com, Cancel the flight, "{{ steps.flight.reservation_id }}"]""",
)
