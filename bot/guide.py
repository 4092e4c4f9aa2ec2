"""Browsing the guidelines' structure (items, a single item, a version): pure functions over the KB."""

from __future__ import annotations

from knowledge import KnowledgeBase, Lang
from knowledge.model import Framework, Item
from knowledge.refs import CURRENT_VERSION, VERSIONS


class UnknownItemError(ValueError):
    """An item number or version the guidelines don't have."""


def parse_version(text: str) -> str:
    cleaned = text.strip().lower().removeprefix("ver").removeprefix("v").strip(" .")
    version = f"v{cleaned.split('.')[0]}" if cleaned else ""
    if version not in VERSIONS:
        raise UnknownItemError(f"There is no version {text.strip()[:20]!r}: choose 1, 2 or 3.")
    return version


def parse_item_number(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 10:
        raise UnknownItemError(f"There is no item {text.strip()[:20]!r}: items are numbered 1 to 10.")
    return int(cleaned)


def framework(kb: KnowledgeBase, version: str = CURRENT_VERSION) -> Framework:
    return kb.frameworks[version]


def item(kb: KnowledgeBase, number: int, version: str = CURRENT_VERSION) -> Item:
    return framework(kb, version).item(number)


def items_text(kb: KnowledgeBase, lang: Lang, version: str = CURRENT_VERSION) -> str:
    fw = framework(kb, version)
    lines = [fw.name.get(lang)]
    lines += [f"{i.number}. {i.title.get(lang)}" for i in fw.items]
    return "\n".join(lines)


def item_text(kb: KnowledgeBase, number: int, lang: Lang, version: str = CURRENT_VERSION) -> str:
    entry = kb.by_ref(f"{version}.item.{number}")
    it = item(kb, number, version)
    head = f"{it.number}. {it.title.get(lang)}"
    body = entry.answer.get(lang) if entry else it.summary.get(lang)
    return f"{head}\n{body}"


def version_text(kb: KnowledgeBase, version: str, lang: Lang) -> str:
    fw = framework(kb, version)
    entry = kb.by_ref(f"{version}.items")
    published = {"en": "published", "ja": "公表"}[lang]
    lines = [f"{fw.name.get(lang)} ({published} {fw.published})"]
    if entry:
        lines.append(entry.answer.get(lang))
    else:
        lines.append(items_text(kb, lang, version))
    return "\n".join(lines)
