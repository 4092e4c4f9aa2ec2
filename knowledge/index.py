"""The search index: a weighted bag of tokens per entry (BM25F-style), built once at load time."""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.mentions import find_mentions
from knowledge.model import LANGS, Entry, Lang
from knowledge.refs import VERSIONS, parse_item_ref
from knowledge.text import Synonyms, normalize, tokenize, words

# How much one occurrence in each field counts. Titles and curated phrasings say what an entry is
# about; answers mention neighbouring topics in passing, so they count for less.
ALL_VERSIONS = frozenset(VERSIONS)
BM25_K1 = 1.2
BM25_B = 0.4  # phrasings vary in number per entry; length matters less than in prose
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


def normalized_tokens(normalized: str, synonyms: Synonyms, *, with_mentions: bool = True) -> list[str]:
    """Document-side tokens: the words themselves plus any concept and mention tokens they imply."""
    tokens = tokenize(normalized) + synonyms.concepts_in(normalized)
    if with_mentions:
        tokens += find_mentions(normalized).tokens()
    return tokens


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[Entry, ...]
    by_id: Mapping[str, Entry]
    synonyms: Synonyms
    # token -> (entry positions, that token's BM25 contribution to each): scoring is a scatter-add.
    postings: Mapping[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]]
    idf: Mapping[str, float]
    vocabulary: Mapping[str, tuple[str, ...]]  # unstemmed English words by first letter, for spelling
    phrasings: tuple[Mapping[Lang, tuple[str, ...]], ...]  # cleaned, for fuzzy re-ranking
    max_idf: float
    versions: tuple[frozenset[str], ...]  # guideline versions each entry is about (empty: any)
    doc_tokens: tuple[frozenset[str], ...]  # every token of each entry, for coverage
    about_tokens: tuple[frozenset[str], ...]  # tokens of what an entry is about (not its answer)
    # Each entry's title, phrasings and keywords as token sets with their idf norm: a question that
    # closely matches one curated phrasing is better evidence than words scattered over the entry.
    phrasing_tokens: tuple[tuple[tuple[frozenset[str], float], ...], ...]
    # For each set of versions a question may ask about: which entries are about other versions only.
    version_masks: Mapping[frozenset[str], npt.NDArray[np.bool_]]

    def other_version_mask(self, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
        return self.version_masks[frozenset(wanted) & ALL_VERSIONS]

    @classmethod
    def build(cls, entries: Iterable[Entry], synonyms: Synonyms) -> SearchIndex:
        entry_list = tuple(entries)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        doc_len: list[float] = []
        doc_tokens: list[frozenset[str]] = []
        about_tokens: list[frozenset[str]] = []
        phrasing_sets: list[list[frozenset[str]]] = []
        vocabulary: set[str] = set()
        phrasings: list[dict[Lang, tuple[str, ...]]] = []
        for position, entry in enumerate(entry_list):
            weights: dict[str, float] = defaultdict(float)

            def add(tokens: Iterable[str], weight: float, counts: dict[str, float] = weights) -> None:
                for token in tokens:
                    counts[token] += weight

            per_lang: dict[Lang, tuple[str, ...]] = {}
            sets: list[frozenset[str]] = []
            for lang in LANGS:
                fields = [
                    (entry.title.get(lang), "title"),
                    *((question, "question") for question in entry.questions.get(lang, ())),
                    *((keyword, "keyword") for keyword in entry.keywords.get(lang, ())),
                ]
                cleaned = []
                for text, field in fields:
                    normalized = normalize(text)
                    tokens = normalized_tokens(normalized, synonyms)
                    add(tokens, FIELD_WEIGHTS[field])
                    sets.append(frozenset(tokens))
                    cleaned.append(clean_for_fuzzy(normalized))
                    vocabulary.update(w for w in words(normalized) if len(w) >= 4)
                answer = normalize(entry.answer.get(lang))
                add(normalized_tokens(answer, synonyms, with_mentions=False), FIELD_WEIGHTS["answer"])
                vocabulary.update(w for w in words(answer) if len(w) >= 4)
                per_lang[lang] = tuple(cleaned)
            refs = [token for ref in entry.refs for token in ref_tokens(ref)]
            add(refs, FIELD_WEIGHTS["ref"])
            phrasings.append(per_lang)
            phrasing_sets.append(sets)
            about_tokens.append(frozenset(refs).union(*sets))
            doc_len.append(sum(weights.values()))
            doc_tokens.append(frozenset(weights))
            for token, tf in weights.items():
                postings[token].append((position, tf))
        count = max(len(entry_list), 1)
        idf = {
            token: math.log(1 + (count - len(plist) + 0.5) / (len(plist) + 0.5)) for token, plist in postings.items()
        }
        lengths = np.array(doc_len, dtype=np.float64)
        length_norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / (lengths.mean() if len(lengths) else 1.0))
        arrays = {}
        for token, plist in postings.items():
            positions = np.array([p for p, _ in plist], dtype=np.int32)
            frequency = np.array([t for _, t in plist], dtype=np.float64)
            arrays[token] = (positions, idf[token] * frequency * (BM25_K1 + 1) / (frequency + length_norm[positions]))
        phrasing_tokens = tuple(
            tuple((tokens, math.sqrt(sum(idf[t] ** 2 for t in tokens)) or 1.0) for tokens in sets if tokens)
            for sets in phrasing_sets
        )
        versions = [
            frozenset(ref.split(".")[0] for ref in entry.refs if ref.split(".")[0] in ALL_VERSIONS)
            for entry in entry_list
        ]
        masks = {
            frozenset(wanted): np.array([bool(v) and not v & set(wanted) for v in versions], dtype=np.bool_)
            for size in range(len(ALL_VERSIONS) + 1)
            for wanted in itertools.combinations(sorted(ALL_VERSIONS), size)
        }
        return cls(
            entries=entry_list,
            by_id={entry.id: entry for entry in entry_list},
            synonyms=synonyms,
            postings=arrays,
            idf=idf,
            vocabulary={
                initial: tuple(sorted(w for w in vocabulary if w[0] == initial))
                for initial in {w[0] for w in vocabulary}
            },
            phrasings=tuple(phrasings),
            max_idf=max(idf.values(), default=1.0),
            doc_tokens=tuple(doc_tokens),
            about_tokens=tuple(about_tokens),
            phrasing_tokens=phrasing_tokens,
            versions=tuple(versions),
            version_masks=masks,
        )
