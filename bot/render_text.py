"""Plain-text rendering for the terminal (CLI, chat, demo). Pure functions."""

from __future__ import annotations

import textwrap

from knowledge import Answer

LABELS = {
    "en": {
        "source": "Source",
        "related": "Related",
        "suggest": "Did you mean",
        "cut": "(question cut to 500 characters)",
    },
    "ja": {"source": "出典", "related": "関連", "suggest": "もしかして", "cut": "（質問は500文字で切り詰めました）"},
}


def render_answer(answer: Answer, *, width: int = 100) -> str:
    labels = LABELS[answer.lang]
    lines = []
    body = answer.text()
    lines.append(textwrap.fill(body, width=width) if answer.lang == "en" else body)
    if answer.answered and answer.entry:
        lines.append(f"{labels['source']}: {answer.entry.source.cite()}")
        if answer.suggestions:
            titles = " · ".join(e.title.get(answer.lang) for e in answer.suggestions)
            lines.append(f"{labels['related']}: {titles}")
    elif answer.suggestions:
        lines.append(f"{labels['suggest']}:")
        lines += [f"  - {e.title.get(answer.lang)}" for e in answer.suggestions]
    if answer.truncated:
        lines.append(labels["cut"])
    return "\n".join(lines)
