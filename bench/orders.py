"""Order inputs shared by the benchmarks (valid for ``definitions/order_processing.yaml``)."""

from __future__ import annotations

from typing import Any


def order(prefix: str, number: int) -> dict[str, Any]:
    """The ``number``-th benchmark order; ids are unique per ``prefix``."""
    return {
        "order_id": f"{prefix}-{number}",
        "user_id": f"user-{number % 97}",
        "items": [{"sku": "BOOK-1", "quantity": 1 + number % 3}],
        "total": 10.0 + number % 50,
        "email": "bench@example.com",
    }
