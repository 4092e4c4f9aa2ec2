"""Answer selection: `retrieve(question, kb)` is a pure function from a question to an Answer.

1. Normalise (width, case, kana variants), detect the language, find explicit item/version mentions.
2. Map synonyms to concept tokens, correct misspelt English words against the vocabulary (rapidfuzz).
3. Score entries with BM25 over weighted fields; re-rank the best few with fuzzy phrase similarity.
4. Turn evidence into a calibrated confidence; below the threshold, abstain and suggest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.index import SearchIndex, clean_for_fuzzy
from knowledge.mentions import Mentions, find_mentions
from knowledge.model import Entry, KnowledgeBase, Lang
from knowledge.refs import CURRENT_VERSION
from knowledge.text import detect_lang, normalize, stem, tokenize, words

MAX_QUESTION_CHARS = 500  # longer input is cut before searching; the reply says so
CANDIDATES = 8
SPELLING_CUTOFF = 84  # rapidfuzz ratio a misspelt word needs to count as a vocabulary word
SPELLING_WEIGHT = 0.8
UNKNOWN_WORD_WEIGHT = 1.0  # of the rarest known word's weight
FUZZY_SCORER = fuzz.token_sort_ratio
# Logistic calibration of the confidence (see benchmarks/calibrate.py, which fits these on the dev set).
CALIBRATION = {"bias": -7.249, "known_coverage": 5.389, "fuzzy": 8.418, "mass": 0.093, "unknown": -6.45}
THRESHOLD = 0.5
PINNED_FLOOR = 0.9
SUGGESTION_COVERAGE = 0.3  # a "did you mean" must share at least this much of the question's evidence
# An entry about another version than the one asked about (or than the current one, when the question
# names none) keeps this share of its score: "what is item 4?" means Ver 3.0's item 4.
VERSION_PRIOR = 0.7  # "指示7", "item 3 of Ver 1.0": the ref is resolved exactly


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    bm25: float
    coverage: float
    fuzzy: float
    mass: float
    unknown: float  # share of the question's evidence in words the knowledge base has never seen
    pinned: bool

    @property
    def known_coverage(self) -> float:
        """Coverage among the words the knowledge base knows at all."""
        return min(1.0, self.coverage / (1 - self.unknown)) if self.unknown < 1 else 0.0

    @property
    def rank_key(self) -> float:
        return self.bm25 + 2.0 * self.fuzzy + (100.0 if self.pinned else 0.0)


@dataclass(frozen=True)
class Answer:
    question: str
    lang: Lang
    answered: bool
    entry: Entry | None
    score: float
    suggestions: tuple[Entry, ...]
    truncated: bool = False

    @property
    def refs(self) -> tuple[str, ...]:
        return self.entry.refs if self.entry and self.answered else ()

    def to_json(self) -> dict[str, Any]:
        """The `shishin ask --json` shape from design.md."""
        return {
            "question": self.question,
            "lang": self.lang,
            "answered": self.answered,
            "entry_id": self.entry.id if self.answered and self.entry else None,
            "refs": list(self.refs),
            "score": round(self.score, 4),
            "answer": self.text(),
            "suggestions": [{"entry_id": e.id, "title": e.title.get(self.lang)} for e in self.suggestions],
        }

    def text(self) -> str:
        if self.answered and self.entry:
            return self.entry.answer.get(self.lang)
        return DONT_KNOW[self.lang]


DONT_KNOW: dict[Lang, str] = {
    "en": "I don't know that one: it isn't covered by what I've been taught about the guidelines.",
    "ja": "申し訳ありませんが、その質問にはお答えできません。ガイドラインについて学んだ範囲に含まれていないためです。",
}


@dataclass(frozen=True)
class _Query:
    tokens: dict[str, float]  # token -> evidence weight (1.0, or less for a spelling guess)
    mentions: Mentions
    fuzzy_text: str


def _parse(question: str, index: SearchIndex) -> _Query:
    normalized = normalize(question)
    mentions = find_mentions(normalized)
    replaced = index.synonyms.replace(normalized)
    tokens: dict[str, float] = dict.fromkeys(tokenize(replaced), 1.0)
    for word in words(replaced):
        if len(word) < 5 or stem(word) in index.idf:
            continue
        # Typos rarely touch the first letter; requiring it keeps "vacation" from becoming "evacuation".
        same_initial = index.vocabulary.get(word[0], ())
        match = process.extractOne(word, same_initial, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
        if match:
            tokens.pop(stem(word), None)
            tokens.setdefault(stem(match[0]), SPELLING_WEIGHT)
    for token in mentions.tokens():
        tokens[token] = 1.0
    if (
        mentions.items or mentions.principles or mentions.item_list or mentions.principle_list
    ) and not mentions.versions:
        tokens[f"_{CURRENT_VERSION}"] = 1.0
    return _Query(tokens, mentions, clean_for_fuzzy(normalized))


def _token_weight(token: str, index: SearchIndex) -> float:
    # A word the knowledge base has never seen is strong evidence the question is about something else.
    return index.idf.get(token, index.max_idf * UNKNOWN_WORD_WEIGHT)


def _bm25(query: _Query, index: SearchIndex) -> npt.NDArray[np.float64]:
    scores = np.zeros(len(index.entries))
    for token, strength in query.tokens.items():
        posting = index.postings.get(token)
        if posting is not None:
            positions, contributions = posting
            scores[positions] += strength * contributions
    return scores


def _candidate(position: int, bm25: float, query: _Query, index: SearchIndex, lang: Lang) -> Candidate:
    entry = index.entries[position]
    total = matched = unknown = 0.0
    for token, strength in query.tokens.items():
        weight = _token_weight(token, index)
        total += weight
        if token not in index.idf:
            unknown += weight
        elif token in index.doc_tokens[position]:
            matched += weight * strength
    phrasings = index.phrasings[position].get(lang, ())
    best = process.extractOne(query.fuzzy_text, phrasings, scorer=FUZZY_SCORER) if phrasings else None
    pinned_ref = query.mentions.pinned_ref
    return Candidate(
        entry=entry,
        bm25=bm25,
        coverage=matched / total if total else 0.0,
        fuzzy=(best[1] / 100) if best else 0.0,
        mass=matched,
        unknown=unknown / total if total else 1.0,
        pinned=pinned_ref is not None and pinned_ref in entry.refs,
    )


def confidence(candidate: Candidate) -> float:
    """Probability that the best candidate is the right answer (logistic over its evidence)."""
    z = CALIBRATION["bias"] + sum(
        weight * float(getattr(candidate, feature)) for feature, weight in CALIBRATION.items() if feature != "bias"
    )
    probability = 1 / (1 + math.exp(-z))
    return max(probability, PINNED_FLOOR) if candidate.pinned else probability


def rank(question: str, kb: KnowledgeBase) -> tuple[list[Candidate], Lang, bool]:
    """The best candidates for a question, best first (exposed for benchmarks and calibration)."""
    truncated = len(question) > MAX_QUESTION_CHARS
    text = question[:MAX_QUESTION_CHARS]
    lang = detect_lang(text)
    index = kb.index
    query = _parse(text, index)
    scores = _bm25(query, index)
    wanted = query.mentions.versions or {CURRENT_VERSION}
    scores[index.other_version_mask(wanted)] *= VERSION_PRIOR
    matched = np.flatnonzero(scores > 0)
    top = matched[np.argsort(-scores[matched], kind="stable")[:CANDIDATES]].tolist()
    pinned_ref = query.mentions.pinned_ref
    if pinned_ref:
        top += [p for p, entry in enumerate(index.entries) if pinned_ref in entry.refs and p not in top]
    candidates = [_candidate(position, float(scores[position]), query, index, lang) for position in top]
    candidates.sort(key=lambda c: -c.rank_key)
    return candidates, lang, truncated


def retrieve(question: str, kb: KnowledgeBase) -> Answer:
    """Answer a question from the knowledge base, or abstain with up to three suggestions."""
    candidates, lang, truncated = rank(question, kb)
    if not candidates:
        return Answer(question, lang, answered=False, entry=None, score=0.0, suggestions=(), truncated=truncated)
    best = candidates[0]
    score = confidence(best)
    if score >= THRESHOLD:
        related = tuple(e for e in (kb.find(r) for r in best.entry.related) if e is not None)[:3]
        return Answer(
            question, lang, answered=True, entry=best.entry, score=score, suggestions=related, truncated=truncated
        )
    suggestions = tuple(c.entry for c in candidates if c.coverage >= SUGGESTION_COVERAGE)[:3]
    return Answer(question, lang, answered=False, entry=None, score=score, suggestions=suggestions, truncated=truncated)
