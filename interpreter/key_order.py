"""The declared order of a definition's mappings, carried beside it so it survives the data converter.

Temporal's JSON converter writes mapping keys sorted, so a definition that reaches a worker has lost the
order it was written in: ``parallel.branches`` declared ``zed``, ``amy`` would start, race and push
compensations as ``amy``, ``zed`` there, while an offline run keeps the declared order. A run's input
therefore carries ``key_order``: the declared key order of every mapping whose keys are not already sorted,
by JSON pointer (RFC 6901) from the input's root. The run puts the keys back in that order before the
definition is validated, so a worker, an offline run and every continued run, child and batch agree.

Runs started before the input carried ``key_order`` have none: their definitions keep the sorted order they
always had on a worker, so their histories replay unchanged. Workflow-safe: plain data only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["declared_orders", "pointer", "restore_orders"]


def pointer(*tokens: str | int) -> str:
    """The JSON pointer of ``tokens`` (``~`` and ``/`` escaped as ``~0`` and ``~1``)."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def declared_orders(value: Any, at: str, into: dict[str, list[str]]) -> dict[str, list[str]]:
    """Add to ``into`` the key order of every mapping in ``value`` (at pointer ``at``) whose keys are not
    sorted (the order JSON gives them anyway); returns ``into``."""
    if isinstance(value, dict):
        keys = [str(key) for key in value]
        if keys != sorted(keys):
            into[at] = keys
        for key, item in value.items():
            declared_orders(item, f"{at}{pointer(key)}", into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            declared_orders(item, f"{at}/{index}", into)
    return into


def restore_orders(value: Any, at: str, orders: dict[str, list[str]]) -> Any:
    """``value`` (at pointer ``at``) with the mappings named in ``orders`` in their declared key order.
    Keys the order does not name (it never happens with an order made by :func:`declared_orders`) follow
    in the order they have."""
    if not orders:
        return value
    if isinstance(value, dict):
        order = orders.get(at)
        keys = list(value)
        if order is not None:
            named = [key for key in order if key in value]
            keys = named + [key for key in keys if key not in set(named)]
        return {key: restore_orders(value[key], f"{at}{pointer(key)}", orders) for key in keys}
    if isinstance(value, list):
        return [restore_orders(item, f"{at}/{index}", orders) for index, item in enumerate(value)]
    return value
