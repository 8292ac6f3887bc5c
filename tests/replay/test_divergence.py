"""A history that today's code would not produce is reported with its first divergence, in the DSL's terms:
event id, step path, what the history has and what the code would do."""

from __future__ import annotations

from pathlib import Path

from tdsl.server.replay import Labelled, ReplayOutcome, load_file, replay_histories
from tests.replay.tampering import edit_definition, golden, write


async def replay(*paths: Path) -> list[ReplayOutcome]:
    return [o async for o in replay_histories([Labelled(str(p), load_file(p)) for p in paths])]


async def test_a_renamed_activity_is_named_with_its_event_and_step(tmp_path: Path) -> None:
    history = edit_definition(
        golden("order_processing_success"), '"activity":"charge_payment"', '"activity":"charge_card"'
    )
    [outcome] = await replay(write(tmp_path, "renamed", history))
    divergence = outcome.divergence
    assert divergence is not None and not outcome.ok
    assert (divergence.event_id, divergence.step) == (5, "payment")
    assert divergence.explain() == (
        "event 5, step payment: the history has activity charge_payment (step payment); "
        "the code would schedule activity charge_card (step payment)"
    )
    assert "charge_card" in divergence.message  # Temporal's own words are kept as detail


async def test_a_timer_where_the_history_has_an_activity(tmp_path: Path) -> None:
    history = edit_definition(
        golden("order_processing_success"), '"steps":[', '"steps":[{"id":"cool_off","wait":"2s"},'
    )
    [outcome] = await replay(write(tmp_path, "timer", history))
    assert outcome.divergence is not None
    assert outcome.divergence.explain() == (
        "event 5, step payment: the history has activity charge_payment (step payment); "
        "the code would start timer of 2s (step cool_off)"
    )


async def test_a_divergence_deep_in_a_run_names_the_nested_step(tmp_path: Path) -> None:
    # The second activity of the saga is renamed: the first still matches, the second diverges.
    history = edit_definition(
        golden("booking_saga_success"), '"activity":"reserve_flight"', '"activity":"reserve_train"'
    )
    [outcome] = await replay(write(tmp_path, "saga", history))
    divergence = outcome.divergence
    assert divergence is not None and divergence.history is not None and divergence.code is not None
    assert divergence.history.name == "reserve_flight" and divergence.code.name == "reserve_train"
    assert divergence.step == divergence.history.step == divergence.code.step
    assert divergence.event_id is not None and divergence.event_id > 5


async def test_a_child_started_under_another_workflow_id(tmp_path: Path) -> None:
    # Children's ids derive from the parent's: replaying under another id diverges at the child.
    path = write(tmp_path, "child", golden("subscription_renewal_two_periods"))
    history = load_file(path)
    other = type(history)("someone-else", history.events)
    [outcome] = [o async for o in replay_histories([Labelled("other id", other)])]
    divergence = outcome.divergence
    assert divergence is not None and divergence.history is not None and divergence.code is not None
    assert divergence.history.kind == divergence.code.kind == "child"
    assert divergence.history.target == "golden-subscription_renewal_two_periods/renewal-1"
    assert divergence.code.target == "someone-else/renewal-1"
    assert "child workflow order_processing with id someone-else/renewal-1" in divergence.explain()


async def test_good_and_bad_histories_in_one_replay(tmp_path: Path) -> None:
    good = write(tmp_path, "good", golden("approval_approved"))
    renamed = edit_definition(
        golden("send_reminder_delay"), '"activity":"send_reminder"', '"activity":"notify"'
    )
    bad = write(tmp_path, "bad", renamed)
    outcomes = await replay(good, bad, good)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert [o.source for o in outcomes] == [str(good), str(bad), str(good)]
    assert outcomes[0].workflow_type == "approval" and outcomes[0].workflow_id == "golden-approval_approved"
