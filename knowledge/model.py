"""The knowledge base as plain, immutable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from knowledge.index import SearchIndex
    from knowledge.text import Synonyms

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")


@dataclass(frozen=True)
class Text:
    """A string in both languages."""

    en: str
    ja: str

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Source:
    document: str
    version: str
    section: str

    def cite(self) -> str:
        return f"{self.document}, Ver {self.version}, {self.section}"


@dataclass(frozen=True)
class Entry:
    id: str
    refs: tuple[str, ...]
    title: Text
    questions: Mapping[Lang, tuple[str, ...]]
    answer: Text
    source: Source
    keywords: Mapping[Lang, tuple[str, ...]] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Check:
    """One Appendix A-2 check, e.g. ref v3.check.5.3."""

    item: int
    number: int
    text: Text
    nist_csf: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"v3.check.{self.item}.{self.number}"


@dataclass(frozen=True)
class Item:
    number: int
    title: Text
    summary: Text
    group: str = ""
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Principle:
    number: int
    title: Text


@dataclass(frozen=True)
class Framework:
    """One version of the guidelines as structured data (what check-ins and the digest read)."""

    version: str
    name: Text
    published: str
    principles: tuple[Principle, ...]
    items: tuple[Item, ...]

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for item in self.items for check in item.checks)


@dataclass(frozen=True)
class MappingRow:
    v3: int
    v2: tuple[int, ...]
    v1: tuple[int, ...]
    note: Text


@dataclass(frozen=True)
class MaturityLevel:
    level: int
    label: Text
    description: Text


@dataclass(frozen=True)
class Example:
    """A question people asked, labelled with the refs that answer it (knowledge/examples/*.yaml). The index
    reads each one as one more way of asking the entries with those refs; calibration fits on them."""

    question: str
    lang: Lang
    refs: frozenset[str]
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    frameworks: Mapping[str, Framework]
    mapping: tuple[MappingRow, ...]
    maturity: tuple[MaturityLevel, ...]
    synonyms: Synonyms
    examples: tuple[Example, ...] = ()

    @cached_property
    def index(self) -> SearchIndex:
        """Built on first use (about a second): check-in and digest ticks never search, so never pay for it.

        The Slack app builds it at start-up (bot.app.build_app), before the first question.
        """
        from knowledge.index import SearchIndex  # noqa: PLC0415 (index imports this module)

        return SearchIndex.build(self.entries, self.synonyms, self.examples)

    @cached_property
    def _by_id(self) -> Mapping[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def find(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def by_ref(self, ref: str) -> Entry | None:
        """The first entry that carries `ref` (entries are in load order)."""
        for entry in self.entries:
            if ref in entry.refs:
                return entry
        return None
