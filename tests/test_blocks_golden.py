"""Rendered Block Kit, compared with golden files. Regenerate: UPDATE_GOLDEN=1 pytest tests/test_blocks_golden.py"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bot.blocks import answer_message, home_view
from handlers.commands import help_message
from knowledge import Answer, KnowledgeBase, Lang, retrieve

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, rendered: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs; review, then UPDATE_GOLDEN=1"


def answered(kb: KnowledgeBase, question: str, lang: Lang, entry_id: str) -> Answer:
    entry = kb.entry(entry_id)
    related = tuple(kb.entry(r) for r in entry.related[:3])
    return Answer(question, lang, answered=True, entry=entry, score=0.97, suggestions=related)


def test_answer_messages_match_golden(kb: KnowledgeBase) -> None:
    english = answer_message(answered(kb, "What does Direction 7 ask for?", "en", "v3-item-7"), question_id=42)
    check_golden("answer_en", english.as_kwargs())
    japanese = answered(kb, "指示9は何を求めていますか？" + "あ" * 600, "ja", "v3-item-9")
    japanese = Answer(**{**japanese.__dict__, "truncated": True})
    check_golden("answer_ja_shareable", answer_message(japanese, question_id=7, shareable=True).as_kwargs())
    refused = Answer(
        "How do I bake <!channel> bread for <@U0BOSS>?",
        "en",
        answered=False,
        entry=None,
        score=0.1,
        suggestions=(kb.entry("topic-getting-started"),),
    )
    check_golden("abstain_en", answer_message(refused, question_id=43).as_kwargs())


def test_home_and_help_match_golden(kb: KnowledgeBase) -> None:
    check_golden("home", home_view(kb))
    check_golden("help", help_message().as_kwargs())


def within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        if "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000
            elif "text" in element:
                assert len(element["text"]) <= 3000
        assert len(block.get("elements", [])) <= 25


def test_every_entry_renders_within_block_kit_limits(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        for lang in ("en", "ja"):
            answer = retrieve(entry.questions[lang][0], kb)
            message = answer_message(answer, question_id=1, shareable=True)
            assert message.text
            within_limits(message.blocks)
    within_limits(home_view(kb)["blocks"])
