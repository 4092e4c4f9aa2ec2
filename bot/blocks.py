"""Block Kit rendering: pure functions from domain data to Slack message and view payloads.

Every message carries a plain-text fallback and stays inside Block Kit's limits (section text 3,000
characters, button text 75, context elements 10, blocks 50 per message, 100 per Home tab).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.slack_text import clip, escape
from knowledge import Answer, Entry, KnowledgeBase, Lang
from knowledge.retrieval import MAX_QUESTION_CHARS

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
ECHO_LIMIT = 300  # characters of a user's own question echoed back
VALUE_LIMIT = 2000

# Every interactive element the app renders; handlers register exactly these.
OPEN_ENTRY = "open_entry"  # suffixed _0.._2: action ids must be unique inside one actions block
FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
SHARE_ANSWER = "share_answer"
OPEN_ENTRY_SLOTS = 3
ACTION_IDS = (*(f"{OPEN_ENTRY}_{i}" for i in range(OPEN_ENTRY_SLOTS)), FEEDBACK_UP, FEEDBACK_DOWN, SHARE_ANSWER)

Block = dict[str, Any]

LABELS: dict[Lang, dict[str, str]] = {
    "en": {
        "source": "Source",
        "related": "Related:",
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "share": "Share in channel",
        "asked": "You asked",
        "suggest": "Did you mean…",
        "noted": "I've noted your question so the people who curate my knowledge can add it.",
        "cut": f"Your question was longer than {MAX_QUESTION_CHARS} characters; I read the first {MAX_QUESTION_CHARS}.",
        "thanks_up": "Thanks, glad it helped.",
        "thanks_down": "Thanks for telling me. The curators will look at this answer.",
        "shared_by": "Shared by",
    },
    "ja": {
        "source": "出典",
        "related": "関連：",
        "helpful": "👍 役に立った",
        "not_helpful": "👎 役に立たなかった",
        "share": "チャンネルに共有",
        "asked": "ご質問",
        "suggest": "こちらのことでしょうか…",
        "noted": "この質問は記録しました。ナレッジの管理者が回答の追加を検討します。",
        "cut": f"ご質問が{MAX_QUESTION_CHARS}文字を超えていたため、先頭の{MAX_QUESTION_CHARS}文字で回答しました。",
        "thanks_up": "ありがとうございます。お役に立てて何よりです。",
        "thanks_down": "ご意見ありがとうございます。管理者がこの回答を見直します。",
        "shared_by": "共有者",
    },
}


@dataclass(frozen=True)
class Message:
    text: str  # the fallback shown in notifications and by clients that can't draw blocks
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def plain(text: str, limit: int = BUTTON_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def button(action_id: str, text: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(text),
        "value": value[:VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def entry_value(entry_id: str, lang: Lang) -> str:
    return f"{entry_id}|{lang}"


def parse_entry_value(value: str) -> tuple[str, Lang]:
    entry_id, _, lang = value.partition("|")
    return entry_id, ("ja" if lang == "ja" else "en")


def _entry_buttons(entries: tuple[Entry, ...], lang: Lang) -> Block:
    return {
        "type": "actions",
        "elements": [
            button(f"{OPEN_ENTRY}_{i}", entry.title.get(lang), entry_value(entry.id, lang))
            for i, entry in enumerate(entries[:OPEN_ENTRY_SLOTS])
        ],
    }


def entry_blocks(entry: Entry, lang: Lang) -> list[Block]:
    labels = LABELS[lang]
    return [
        section(f"*{escape(entry.title.get(lang))}*\n{escape(entry.answer.get(lang))}"),
        context(f"{labels['source']}: {escape(entry.source.cite())}"),
    ]


def answer_message(
    answer: Answer,
    *,
    question_id: int | None,
    shareable: bool = False,
) -> Message:
    """The reply to a question: the answer with its source, related entries and feedback; or an
    honest "I don't know" with the question echoed (escaped) and "Did you mean…" buttons."""
    lang = answer.lang
    labels = LABELS[lang]
    blocks: list[Block] = []
    if answer.answered and answer.entry is not None:
        entry = answer.entry
        blocks += entry_blocks(entry, lang)
        if answer.suggestions:
            blocks.append(context(labels["related"]))
            blocks.append(_entry_buttons(answer.suggestions, lang))
        text = f"{entry.title.get(lang)}: {entry.answer.get(lang)}"
    else:
        echo = escape(clip(answer.question, ECHO_LIMIT))
        blocks.append(section(f"{escape(answer.text())}\n>{labels['asked']}: {echo}"))
        if answer.suggestions:
            blocks.append(context(labels["suggest"]))
            blocks.append(_entry_buttons(answer.suggestions, lang))
        blocks.append(context(labels["noted"]))
        text = answer.text()
    if answer.truncated:
        blocks.append(context(labels["cut"]))
    controls = []
    if question_id is not None and answer.answered:
        controls += [
            button(FEEDBACK_UP, labels["helpful"], f"{question_id}|{lang}"),
            button(FEEDBACK_DOWN, labels["not_helpful"], f"{question_id}|{lang}"),
        ]
    if shareable and answer.answered and answer.entry is not None:
        controls.append(button(SHARE_ANSWER, labels["share"], entry_value(answer.entry.id, lang), style="primary"))
    if controls:
        blocks.append({"type": "actions", "elements": controls})
    return Message(clip(text, SECTION_LIMIT), blocks)


def entry_message(entry: Entry, kb: KnowledgeBase, lang: Lang) -> Message:
    """An entry opened from a button: its answer and its own related entries."""
    related = tuple(e for e in (kb.find(r) for r in entry.related) if e is not None)
    blocks = entry_blocks(entry, lang)
    if related:
        blocks += [context(LABELS[lang]["related"]), _entry_buttons(related, lang)]
    return Message(clip(f"{entry.title.get(lang)}: {entry.answer.get(lang)}", SECTION_LIMIT), blocks)


def shared_message(entry: Entry, lang: Lang, user_id: str) -> Message:
    blocks = [*entry_blocks(entry, lang), context(f"{LABELS[lang]['shared_by']} <@{user_id}>")]
    return Message(clip(f"{entry.title.get(lang)}: {entry.answer.get(lang)}", SECTION_LIMIT), blocks)


def feedback_thanks(lang: Lang, *, helpful: bool) -> Message:
    text = LABELS[lang]["thanks_up" if helpful else "thanks_down"]
    return Message(text, [context(text)])


def text_message(text: str) -> Message:
    """A plain reply (help, lists, errors) as one or more sections of escaped mrkdwn."""
    return rich_message(escape(text))


def rich_message(markup: str) -> Message:
    """A reply already in mrkdwn, built only from trusted pieces and escaped user text."""
    size = SECTION_LIMIT - 200
    chunks = [markup[i : i + size] for i in range(0, len(markup), size)] or [""]
    return Message(clip(markup, SECTION_LIMIT), [section(chunk) for chunk in chunks[:10]])


HOME_EXAMPLES = (
    "What are the ten items?",
    "Is following the guidelines mandatory?",
    "What does Direction 7 ask for?",
    "サプライチェーン対策はどの指示ですか？",
    "2015年版と最新版の違いは？",
)


def home_view(
    kb: KnowledgeBase, my_items: list[str] | None = None, readiness: list[str] | None = None
) -> dict[str, Any]:
    """The Home tab: what Shishin does, how to ask, my items (for owners), and the ten items."""
    framework = kb.frameworks["v3"]
    items = "\n".join(
        f"*{item.number}.* {escape(item.title.en)}\n      {escape(item.title.ja)}" for item in framework.items
    )
    blocks: list[Block] = [
        {"type": "header", "text": plain("Shishin 指針")},
        section(
            "I answer questions about Japan's METI/IPA *Cybersecurity Management Guidelines* "
            "(サイバーセキュリティ経営ガイドライン), in English or Japanese, with the source of every answer. "
            "If I don't know, I say so."
        ),
        section(
            "*How to ask*\n• Mention me in a channel: I answer in a thread.\n• Send me a direct message.\n"
            "• `/shishin ask <question>` answers only you, with a button to share.\n"
            "• `/shishin help` lists everything else."
        ),
        section("*Try asking*\n" + "\n".join(f"• {escape(q)}" for q in HOME_EXAMPLES)),
        {"type": "divider"},
        *([section("*My items*\n" + "\n".join(my_items))] if my_items else []),
        *([section("*Company readiness*\n" + "\n".join(readiness))] if readiness else []),
        section(f"*{escape(framework.name.en)}: the ten items*"),
        section(items),
    ]
    return {"type": "home", "blocks": blocks}
