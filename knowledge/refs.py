"""Canonical references: the exact spellings other tools rely on (design.md, knowledge-base contract)."""

from __future__ import annotations

import re

VERSIONS = ("v1", "v2", "v3")
CURRENT_VERSION = "v3"

# Checks per item in Appendix A-2 of Ver 3.0 (40 in all).
V3_CHECKS_PER_ITEM = {1: 3, 2: 3, 3: 5, 4: 3, 5: 10, 6: 4, 7: 5, 8: 2, 9: 3, 10: 2}

TOPICS = (
    "overview",
    "publishers",
    "versions",
    "changes-v2",
    "changes-v3",
    "legal-status",
    "directors-duty",
    "audience",
    "ciso",
    "pdca",
    "residual-risk",
    "incidents-background",
    "pwc-survey",
    "keidanren",
    "fujitsu",
    "appi",
    "my-number",
    "nisc",
    "english-version",
    "visualization-tool",
    "practices",
    "frameworks",
    "sme-guidelines",
    "security-action",
    "getting-started",
    "version-mapping",
)
BOT_TOPICS = ("help", "checkins", "digest", "readiness", "privacy")


def _build_canonical() -> tuple[str, ...]:
    refs: list[str] = []
    for version in VERSIONS:
        refs += [f"{version}.principle.{n}" for n in range(1, 4)]
        refs += [f"{version}.item.{n}" for n in range(1, 11)]
    refs += ["v1.principles", "v1.items", "v2.items", "v3.principles", "v3.items"]
    refs += [f"v3.appendix.{letter}" for letter in "ABCDEF"]
    refs += [f"topic.{name}" for name in TOPICS]
    refs += [f"bot.{name}" for name in BOT_TOPICS]
    return tuple(refs)


CANONICAL_REFS: tuple[str, ...] = _build_canonical()
CHECK_REFS: tuple[str, ...] = tuple(
    f"v3.check.{item}.{number}" for item, count in V3_CHECKS_PER_ITEM.items() for number in range(1, count + 1)
)
_ALL_REFS = frozenset(CANONICAL_REFS) | frozenset(CHECK_REFS)

_ITEM_REF = re.compile(r"^(v[123])\.(item|principle)\.(\d+)$")


def is_known_ref(ref: str) -> bool:
    return ref in _ALL_REFS


def ref_to_id(ref: str) -> str:
    """The slug convention for an entry whose primary ref is `ref` (v3.appendix.A -> v3-appendix-a)."""
    return ref.replace(".", "-").lower()


def parse_item_ref(ref: str) -> tuple[str, str, int] | None:
    """`v1.item.7` -> ("v1", "item", 7); None for refs that are not a numbered item or principle."""
    match = _ITEM_REF.match(ref)
    if not match:
        return None
    return match.group(1), match.group(2), int(match.group(3))
