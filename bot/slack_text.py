"""Slack text in and out: plain text from Slack's markup, and escaping so echoed text can't ping anyone."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<([^<>]*)>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ELLIPSIS = "…"


def to_plain(text: str) -> str:
    """Slack's message markup -> what the person typed: `<@U1>` and `<!here>` dropped, links to their label."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith(("@", "!")):
            return ""
        if target.startswith("#"):
            return f"#{label}" if label else ""
        return label or target

    plain = _MARKUP.sub(replace, text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(_CONTROL.sub("", plain).split())


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no `<!channel>`, `<@U…>`, `<#C…>` or links can survive."""
    return _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
