"""The search index: a weighted bag of tokens per entry (BM25F-style), built once at load time."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from knowledge.mentions import find_mentions
from knowledge.model import LANGS, Entry, Lang
from knowledge.refs import parse_item_ref
from knowledge.text import Synonyms, normalize, tokenize, words

# How much one occurrence in each field counts. Titles and curated phrasings say what an entry is
# about; answers mention neighbouring topics in passing, so they count for less.
FIELD_WEIGHTS = {"title": 2.0, "question": 1.0, "keyword": 1.5, "answer": 0.4, "ref": 3.0}
_PUNCT = re.compile(r"[^\w\s]+")


def clean_for_fuzzy(normalized: str) -> str:
    return " ".join(_PUNCT.sub(" ", normalized).split())


def ref_tokens(ref: str) -> list[str]:
    parsed = parse_item_ref(ref)
    if parsed:
        version, kind, number = parsed
        return [f"_{version}", f"_{kind}{number}"]
    if ref.startswith("v3.appendix."):
        return ["_v3", f"_appendix{ref[-1].lower()}"]
    if ref.endswith(".items"):
        return [f"_{ref.split('.', maxsplit=1)[0]}", "_itemlist"]
    if ref.endswith(".principles"):
        return [f"_{ref.split('.', maxsplit=1)[0]}", "_principlelist"]
    return []


def text_tokens(text: str, synonyms: Synonyms, *, with_mentions: bool = True) -> list[str]:
    """Document-side tokens: the words themselves plus any concept and mention tokens they imply."""
    normalized = normalize(text)
    tokens = tokenize(normalized) + synonyms.concepts_in(normalized)
    if with_mentions:
        tokens += find_mentions(normalized).tokens()
    return tokens


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[Entry, ...]
    by_id: Mapping[str, Entry]
    synonyms: Synonyms
    postings: Mapping[str, tuple[tuple[int, float], ...]]
    idf: Mapping[str, float]
    doc_len: tuple[float, ...]
    avg_len: float
    vocabulary: Mapping[str, tuple[str, ...]]  # unstemmed English words by first letter, for spelling
    phrasings: tuple[Mapping[Lang, tuple[str, ...]], ...]  # cleaned, for fuzzy re-ranking
    max_idf: float
    versions: tuple[frozenset[str], ...]  # guideline versions each entry is about (empty: any)

    @classmethod
    def build(cls, entries: Iterable[Entry], synonyms: Synonyms) -> SearchIndex:
        entry_list = tuple(entries)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        doc_len: list[float] = []
        vocabulary: set[str] = set()
        phrasings: list[dict[Lang, tuple[str, ...]]] = []
        for position, entry in enumerate(entry_list):
            weights: dict[str, float] = defaultdict(float)

            def add(tokens: Iterable[str], weight: float, counts: dict[str, float] = weights) -> None:
                for token in tokens:
                    counts[token] += weight

            per_lang: dict[Lang, tuple[str, ...]] = {}
            for lang in LANGS:
                title = entry.title.get(lang)
                add(text_tokens(title, synonyms), FIELD_WEIGHTS["title"])
                for question in entry.questions.get(lang, ()):
                    add(text_tokens(question, synonyms), FIELD_WEIGHTS["question"])
                for keyword in entry.keywords.get(lang, ()):
                    add(text_tokens(keyword, synonyms), FIELD_WEIGHTS["keyword"])
                add(text_tokens(entry.answer.get(lang), synonyms, with_mentions=False), FIELD_WEIGHTS["answer"])
                texts = (title, *entry.questions.get(lang, ()), *entry.keywords.get(lang, ()))
                per_lang[lang] = tuple(clean_for_fuzzy(normalize(t)) for t in texts)
                for text in (*texts, entry.answer.get(lang)):
                    vocabulary.update(w for w in words(normalize(text)) if len(w) >= 4)
            for ref in entry.refs:
                add(ref_tokens(ref), FIELD_WEIGHTS["ref"])
            phrasings.append(per_lang)
            doc_len.append(sum(weights.values()))
            for token, tf in weights.items():
                postings[token].append((position, tf))
        count = max(len(entry_list), 1)
        idf = {
            token: math.log(1 + (count - len(plist) + 0.5) / (len(plist) + 0.5)) for token, plist in postings.items()
        }
        return cls(
            entries=entry_list,
            by_id={entry.id: entry for entry in entry_list},
            synonyms=synonyms,
            postings={token: tuple(plist) for token, plist in postings.items()},
            idf=idf,
            doc_len=tuple(doc_len),
            avg_len=(sum(doc_len) / count) if doc_len else 1.0,
            vocabulary={
                initial: tuple(sorted(w for w in vocabulary if w[0] == initial))
                for initial in {w[0] for w in vocabulary}
            },
            phrasings=tuple(phrasings),
            max_idf=max(idf.values(), default=1.0),
            versions=tuple(
                frozenset(ref.split(".")[0] for ref in entry.refs if ref[:2] in ("v1", "v2", "v3"))
                for entry in entry_list
            ),
        )
