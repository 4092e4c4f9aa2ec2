"""Explicit references in a question: versions ("Ver1.0", "2015年版", "初版"), items ("指示7",
"Direction 7", "item 7") and principles ("原則2"). They become search tokens and pin the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.refs import CURRENT_VERSION

_VERSION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (version, re.compile(pattern))
    for version, pattern in (
        (
            "v1",
            r"(?<![a-z0-9.])(?:v|ver|version|バージョン)\s*\.?\s*1(?:\.[01])?(?![0-9a-z]|\.[0-9])"
            r"|(?<![0-9.])1\.[01](?![0-9a-z]|\.[0-9])|初版|第1版|旧版|最初の版|2015\s*年\s*12\s*月|first\s*(?:edition|version)|original"
            r"|(?<![0-9])2015(?![0-9])|2016\s*(?:年\s*)?(?:版|の?ガイドライン|version|edition|list|guideline|release|items?|ones)",
        ),
        (
            "v2",
            r"(?<![a-z0-9.])(?:v|ver|version|バージョン)\s*\.?\s*2(?:\.0)?(?![0-9a-z]|\.[0-9])"
            r"|(?<![0-9.])2\.0(?![0-9a-z]|\.[0-9])|第2版|(?<![0-9])2017(?![0-9])",
        ),
        (
            "v3",
            r"(?<![a-z0-9.])(?:v|ver|version|バージョン)\s*\.?\s*3(?:\.0)?(?![0-9a-z]|\.[0-9])"
            r"|(?<![0-9.])3\.0(?![0-9a-z]|\.[0-9])|第3版|最新|現行|latest|current version|(?<![0-9])2023(?![0-9])",
        ),
    )
)
_ITEM = re.compile(
    r"(?:action\s*item|item|direction|directive|instruction|指示|重要項目|項目)\s*(?:no\.?|number|#|第)?\s*(\d{1,2})"
    r"(?![0-9a-z]|\.[0-9]|\s*項目)"
    r"|(?<![0-9])(\d{1,2})\s*(?:st|nd|rd|th)\s*(?:action\s*item|item|direction|directive)(?!s)"
    r"|第\s*(\d{1,2})\s*(?:項目|の指示)|(?<![0-9])(\d{1,2})\s*(?:番目|つ目)の?(?:指示|項目)"
    r"|(?<![a-z0-9])\(\s*(\d{1,2})\s*\)"
)
_PRINCIPLE = re.compile(
    r"(?:principle|principal|原則)\s*(?:no\.?|number|#|第)?\s*(\d)(?![0-9a-z]|\.[0-9])"
    r"|(?<![0-9])(\d)\s*(?:st|nd|rd|th)\s*princip(?:le|al)|第\s*(\d)\s*(?:原則|の原則)|(?<![0-9])(\d)\s*(?:番目|つ目)の原則"
)
_ITEM_LIST = re.compile(
    r"(?:10|ten)\s*(?:action\s*)?(?:items|directions|instructions)|10\s*(?:項目|の指示)|重要10|指示事項"
)
# "Which of the ten items covers X?", "10項目のうちどれ": one member of the list is wanted, not the list.
_MEMBER_OF_LIST = re.compile(
    r"\b(?:which|what)\s+(?:one\s+)?of\s+(?:the\s+)?(?:10|ten)\s*(?:action\s*)?(?:items|directions|instructions)"
    r"|(?:10\s*(?:項目|の指示)|指示事項)(?:のうち|の中で|の中の|の中から|のどれ|でどれ)"
)
# "Directions 1-10", "指示1〜10", "原則1〜3": the whole list, not its first and last members.
_RANGE = r"\s*1\s*(?:〜|~|-|–|—|から|to|through|thru)\s*"
_ITEM_RANGE = re.compile(rf"(?:指示|項目|items?|directions?|directives?){_RANGE}(?:指示|項目)?\s*10(?![0-9])")
_PRINCIPLE_RANGE = re.compile(rf"(?:原則|principles?){_RANGE}(?:原則)?\s*3(?![0-9])")
# "#5", "no. 6": an item, or a principle when the question talks about principles and not items.
_NUMBERED = re.compile(r"(?<![a-z0-9])(?:#|no\.)\s*(\d{1,2})(?![0-9a-z]|\.[0-9])")
# "Ver1.0の9番目", "指示の3つ目": the same, but only in a question that names a version, items or principles
# ("1つ目の質問です" is just a first question).
_ORDINAL = re.compile(r"(?<![0-9])(\d{1,2})\s*(?:番目|つ目)")
_ITEM_WORD = re.compile(r"item|direction|directive|instruction|指示|項目")
_PRINCIPLE_WORD = re.compile(r"princip|原則")
# "Appendix D", "付録A", and the check sheets "A-1" and "A-2", which are Appendix A.
_APPENDIX = re.compile(r"(?:appendix|annex|付録|別添|別紙)\s*([a-f])(?![a-z])|(?<![a-z0-9-])(a)\s*-\s*[12](?![0-9])")
# Plural "principles" with no number means the set of three.
_PRINCIPLE_LIST = re.compile(
    r"(?:3|three)\s*principles|(?<![第0-9])3\s*原則|3つの原則|(?<![0-9]\s)\bprinciples\b(?!\s*\d)"
)


@dataclass(frozen=True)
class Mentions:
    versions: frozenset[str]
    items: frozenset[int]
    principles: frozenset[int]
    item_list: bool
    principle_list: bool
    appendices: frozenset[str] = frozenset()

    @property
    def pinned_ref(self) -> str | None:
        """The one item or principle the question names, if it names exactly one (version defaults to v3)."""
        if len(self.appendices) == 1 and not (self.items or self.principles):
            return f"v3.appendix.{next(iter(self.appendices)).upper()}"
        if len(self.versions) > 1 or len(self.items) + len(self.principles) != 1:
            return None
        version = next(iter(self.versions), CURRENT_VERSION)
        if self.items:
            return f"{version}.item.{next(iter(self.items))}"
        return f"{version}.principle.{next(iter(self.principles))}"

    def tokens(self) -> list[str]:
        tokens = [f"_{v}" for v in sorted(self.versions)]
        tokens += [f"_item{n}" for n in sorted(self.items)]
        tokens += [f"_principle{n}" for n in sorted(self.principles)]
        if self.item_list:
            tokens.append("_itemlist")
        if self.principle_list:
            tokens.append("_principlelist")
        tokens += [f"_appendix{letter}" for letter in sorted(self.appendices)]
        return tokens


_CARDINALS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_AFTER_NOUN = re.compile(rf"\b(item|direction|directive|instruction|principle|principal)\s+({'|'.join(_CARDINALS)})\b")
_BEFORE_NOUN = re.compile(
    rf"\b({'|'.join(_ORDINALS)})\s+(item|direction|directive|instruction|principle|principal|action item)\b"
)


def _spell_numbers(text: str) -> str:
    """'item four' -> 'item 4', 'the third principle' -> 'the 3th principle' ("ten items" stays: the list)."""
    text = _AFTER_NOUN.sub(lambda m: f"{m.group(1)} {_CARDINALS.index(m.group(2)) + 1}", text)
    return _BEFORE_NOUN.sub(lambda m: f"{_ORDINALS.index(m.group(1)) + 1}th {m.group(2)}", text)


def _numbers(pattern: re.Pattern[str], text: str, upper: int) -> frozenset[int]:
    found = set()
    for match in pattern.finditer(text):
        number = int(next(group for group in match.groups() if group))
        if 1 <= number <= upper:
            found.add(number)
    return frozenset(found)


def find_mentions(normalized: str) -> Mentions:
    normalized = _spell_numbers(normalized)
    all_items = bool(_ITEM_RANGE.search(normalized))
    all_principles = bool(_PRINCIPLE_RANGE.search(normalized))
    normalized = _PRINCIPLE_RANGE.sub(" ", _ITEM_RANGE.sub(" ", normalized))
    versions = frozenset(v for v, pattern in _VERSION_PATTERNS if pattern.search(normalized))
    items = _numbers(_ITEM, normalized, 10)
    principles = _numbers(_PRINCIPLE, normalized, 3)
    about_principles = bool(_PRINCIPLE_WORD.search(normalized)) and not _ITEM_WORD.search(normalized)
    numbered = [_NUMBERED]
    if versions or _ITEM_WORD.search(normalized) or _PRINCIPLE_WORD.search(normalized):
        numbered.append(_ORDINAL)
    for pattern in numbered:
        if about_principles:
            principles |= _numbers(pattern, normalized, 3)
        else:
            items |= _numbers(pattern, normalized, 10)
    return Mentions(
        versions=versions,
        items=items,
        principles=principles,
        item_list=all_items or bool(_ITEM_LIST.search(_MEMBER_OF_LIST.sub(" ", normalized))),
        principle_list=all_principles or bool(_PRINCIPLE_LIST.search(normalized)),
        appendices=frozenset(m.group(1) or m.group(2) for m in _APPENDIX.finditer(normalized)),
    )
