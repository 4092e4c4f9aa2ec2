"""Shared by the fault and kill batteries."""

from __future__ import annotations

from collections import Counter

from tests.conftest import World


def delivered(world: World) -> Counter[int]:
    """Delivery id -> how many messages carrying its metadata Slack accepted."""
    counts: Counter[int] = Counter()
    for messages in world.emulator.messages.values():
        for message in messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if "delivery_id" in payload:
                counts[payload["delivery_id"]] += 1
    return counts
