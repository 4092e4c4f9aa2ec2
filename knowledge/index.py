"""The search index: a weighted bag of tokens per entry (BM25F-style), built once at load time."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from knowledge.intents import gives_figures, unserved_requests
from knowledge.mentions import find_mentions
from knowledge.model import LANGS, Entry, Example, Lang
from knowledge.refs import VERSIONS, parse_item_ref
from knowledge.text import (
    EN_STOPWORDS,
    KANJI_RUN,
    KATAKANA_WORD,
    LATIN_WORD,
    Homophones,
    Synonyms,
    common_english_words,
    normalize,
    tokenize,
)

# How much one occurrence in each field counts. Titles and curated phrasings say what an entry is
# about; answers mention neighbouring topics in passing, so they count for less.
ALL_VERSIONS = frozenset(VERSIONS)
BM25_K1 = 1.2
BM25_B = 0.4  # phrasings vary in number per entry; length matters less than in prose
FIELD_WEIGHTS = {"title": 2.0, "question": 1.0, "example": 1.0, "keyword": 1.5, "answer": 0.4, "ref": 3.0}
# A word no entry's own text uses counts for an entry once this many of that entry's examples use it: one
# asker's "we're a small firm in Osaka" must not make "Osaka" evidence for the entry that answered them.
MIN_EXAMPLES_FOR_A_NEW_WORD = 2
_PUNCT = re.compile(r"[^\w\s]+")


# Words people use to point at parts of the guidelines; a misspelling of one should still find it.
REFERENCE_WORDS = ("item", "items", "direction", "directions", "principle", "principles", "appendix", "version")


def _correction_targets(
    word_counts: Counter[str], synonyms: Synonyms
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The words spelling correction may choose, most frequent first: by first letter, and by everything after
    it ("guidelines" under "uidelines"), which finds a slip on the first letter by lookup, not by search."""
    counts = word_counts + Counter(EN_STOPWORDS) + Counter(synonyms.words())
    by_initial: dict[str, list[str]] = defaultdict(list)
    by_tail: dict[str, list[str]] = defaultdict(list)
    for word, _count in counts.most_common():
        if len(word) >= 3:
            by_initial[word[0]].append(word)
            by_tail[word[1:]].append(word)
    return (
        {initial: tuple(found) for initial, found in by_initial.items()},
        {tail: tuple(found) for tail, found in by_tail.items()},
    )


def _positions_by_ref(entries: tuple[Entry, ...]) -> dict[str, tuple[int, ...]]:
    positions: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        for ref in entry.refs:
            positions[ref].append(position)
    return {ref: tuple(found) for ref, found in positions.items()}


def clean_for_fuzzy(normalized: str) -> str:
    """Punctuation dropped and words sorted: plain similarity of two such strings is token-sort similarity,
    and sorting each phrasing once here saves doing it for every question."""
    return " ".join(sorted(_PUNCT.sub(" ", normalized).split()))


def clean_in_order(normalized: str) -> str:
    """Punctuation dropped, words kept in order: for finding a phrasing inside a longer question."""
    return " ".join(_PUNCT.sub(" ", normalized).split())


def part_kind(ref: str) -> str | None:
    """The kind of single part a ref is ("item", "principle", "appendix"); None for lists and topics."""
    parsed = parse_item_ref(ref)
    if parsed:
        return parsed[1]
    return "appendix" if ref.startswith("v3.appendix.") else None


def ref_version(ref: str) -> str | None:
    """The guideline version a ref is about: "v2.item.3" and "topic.changes-v2" are about v2, "topic.ciso"
    about none in particular."""
    prefix = ref.split(".", maxsplit=1)[0]
    if prefix in ALL_VERSIONS:
        return prefix
    suffix = ref.rsplit("-", maxsplit=1)[-1]
    return suffix if "-" in ref and suffix in ALL_VERSIONS else None


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
class _EntryText:
    """One entry's searchable text: field-weighted token counts, each phrasing's tokens, and its phrasings
    (title, questions, keywords) cleaned for fuzzy matching, words in their order."""

    counts: dict[str, float]
    about: frozenset[str]  # tokens of what the entry is about: refs and phrasings, not its answer
    phrasing_tokens: list[frozenset[str]]
    phrasings: dict[Lang, tuple[str, ...]]
    katakana: frozenset[str]  # katakana words in any field
    kanji: frozenset[str]  # kanji compounds in any field
    about_kanji: list[str]  # those in its title, questions and keywords, as often as they occur
    figures: bool  # the answer states a figure (see intents.gives_figures)
    answer_text: str  # its answers, normalised, both languages
    requests: frozenset[str]  # kinds of usually unserved request its own questions make (intents.unserved_requests)
    # The labelled examples that ask for this entry (knowledge/examples), cleaned. They count like its
    # questions, except that they are not searched for inside a longer question (there are many, and that
    # search costs about 5 µs a phrasing), not taken as words to correct spelling towards (they keep their
    # askers' slips), and never make the entry serve a kind of request: only its curated questions do.
    example_phrasings: dict[Lang, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def read(cls, entry: Entry, synonyms: Synonyms, word_counts: Counter[str]) -> _EntryText:
        counts: dict[str, float] = defaultdict(float)
        phrasing_tokens: list[frozenset[str]] = []
        phrasings: dict[Lang, tuple[str, ...]] = {}
        katakana: set[str] = set()
        kanji: list[str] = []
        about_kanji: list[str] = []
        requests: set[str] = set()
        answers: list[str] = []
        for lang in LANGS:
            fields = [
                (entry.title.get(lang), "title"),
                *((question, "question") for question in entry.questions.get(lang, ())),
                *((keyword, "keyword") for keyword in entry.keywords.get(lang, ())),
            ]
            cleaned = []
            for text, kind in fields:
                normalized = normalize(text)
                if kind == "question":
                    requests |= unserved_requests(normalized)
                tokens = normalized_tokens(normalized, synonyms)
                for token in tokens:
                    counts[token] += FIELD_WEIGHTS[kind]
                phrasing_tokens.append(frozenset(tokens))
                cleaned.append(clean_in_order(normalized))
                word_counts.update(LATIN_WORD.findall(normalized))
                katakana.update(KATAKANA_WORD.findall(normalized))
                about_kanji += KANJI_RUN.findall(normalized)
            phrasings[lang] = tuple(cleaned)
            answer = normalize(entry.answer.get(lang))
            answers.append(answer)
            for token in normalized_tokens(answer, synonyms, with_mentions=False):
                counts[token] += FIELD_WEIGHTS["answer"]
            word_counts.update(LATIN_WORD.findall(answer))
            katakana.update(KATAKANA_WORD.findall(answer))
            kanji += KANJI_RUN.findall(answer)
        refs = [token for ref in entry.refs for token in ref_tokens(ref)]
        for token in refs:
            counts[token] += FIELD_WEIGHTS["ref"]
        about = frozenset(refs).union(*phrasing_tokens)
        return cls(
            dict(counts),
            about,
            phrasing_tokens,
            phrasings,
            frozenset(katakana),
            frozenset(kanji + about_kanji),
            about_kanji,
            gives_figures(answer_text := " ".join(answers)),
            answer_text,
            frozenset(requests),
        )

    def with_examples(self, examples: Iterable[tuple[Lang, str, list[str]]]) -> _EntryText:
        """This text plus labelled examples, each as (language, normalised question, its tokens)."""
        counts = dict(self.counts)
        phrasing_tokens = list(self.phrasing_tokens)
        phrasings: dict[Lang, list[str]] = defaultdict(list)
        for lang, normalized, tokens in examples:
            for token in tokens:
                counts[token] = counts.get(token, 0.0) + FIELD_WEIGHTS["example"]
            phrasing_tokens.append(frozenset(tokens))
            phrasings[lang].append(clean_in_order(normalized))
        return replace(
            self,
            counts=counts,
            about=self.about.union(*phrasing_tokens[len(self.phrasing_tokens) :]),
            phrasing_tokens=phrasing_tokens,
            example_phrasings={lang: tuple(found) for lang, found in phrasings.items()},
        )


def _with_examples(
    texts: list[_EntryText], entries: tuple[Entry, ...], examples: Iterable[Example], synonyms: Synonyms
) -> list[_EntryText]:
    """Each entry's text plus the labelled examples whose refs it answers (each once)."""
    read: dict[tuple[Lang, str], tuple[str, list[str]]] = {}
    by_ref: dict[str, list[tuple[Lang, str]]] = defaultdict(list)
    for example in examples:
        if not example.refs:
            continue
        key = (example.lang, example.question)
        if key not in read:
            normalized = normalize(example.question)
            read[key] = (normalized, normalized_tokens(normalized, synonyms))
        for ref in example.refs:
            by_ref[ref].append(key)
    if not read:
        return texts
    curated = set().union(*(text.counts for text in texts))
    with_examples = []
    for entry, text in zip(entries, texts, strict=True):
        keys = list(dict.fromkeys(key for ref in entry.refs for key in by_ref.get(ref, ())))
        used_by = Counter(token for key in keys for token in set(read[key][1]))
        with_examples.append(
            text.with_examples(
                (
                    key[0],
                    read[key][0],
                    [t for t in read[key][1] if t in curated or used_by[t] >= MIN_EXAMPLES_FOR_A_NEW_WORD],
                )
                for key in keys
            )
        )
    return with_examples


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[Entry, ...]
    positions_by_ref: Mapping[str, tuple[int, ...]]  # canonical ref -> the entries that answer it
    synonyms: Synonyms
    # token -> (entry positions, that token's BM25 contribution to each): scoring is a scatter-add.
    postings: Mapping[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]]
    idf: Mapping[str, float]
    # Every English word the knowledge base uses (stopwords and reference nouns included), and the same
    # words by first letter and by what follows it, most frequent first: the targets of spelling correction.
    known_words: frozenset[str]
    common_words: frozenset[str]  # everyday English: unknown to the knowledge base, but not typos
    vocabulary: Mapping[str, tuple[str, ...]]
    vocabulary_by_tail: Mapping[str, tuple[str, ...]]
    katakana_words: frozenset[str]  # loanwords the knowledge base uses, for ones typed in hiragana
    homophones: Homophones  # kanji compounds an input method chose wrongly, and what they meant
    phrasings: tuple[Mapping[Lang, tuple[str, ...]], ...]  # cleaned and word-sorted, for fuzzy re-ranking
    phrasings_in_order: tuple[Mapping[Lang, tuple[str, ...]], ...]  # the curated ones, words in their order
    max_idf: float
    versions: tuple[frozenset[str], ...]  # guideline versions each entry is about (empty: any)
    part_kinds: tuple[frozenset[str], ...]  # the kinds of single part each entry is (see part_kind)
    answer_texts: tuple[str, ...]  # each entry's answers, normalised: what figures they give (intents.gives_unit)
    figures: tuple[bool, ...]  # whether each entry's answer states a figure (see intents.gives_figures)
    # The kinds of request no entry usually serves that an entry's own phrasings make ("おすすめ資料は?", "how
    # much does the tool cost?"): this entry serves them (see intents.unserved_requests).
    serves_requests: tuple[frozenset[str], ...]
    about_tokens: tuple[frozenset[str], ...]  # tokens of what an entry is about (not its answer)
    # Each entry's tokens with their field-weighted counts (also what coverage looks up), and the counts'
    # total: each entry's naive Bayes word model.
    term_counts: tuple[Mapping[str, float], ...]
    term_totals: npt.NDArray[np.float64]
    # Each entry's title, phrasings and keywords as idf-weighted token sets, numbered entry by entry: a
    # question that closely matches one curated phrasing is better evidence than words scattered over
    # the entry. token -> the phrasings that contain it; each phrasing's norm; each entry's first one.
    phrasing_postings: Mapping[str, npt.NDArray[np.int64]]
    phrasing_norms: npt.NDArray[np.float64]
    phrasing_starts: npt.NDArray[np.int64]

    # For each set of versions a question may ask about: which entries are about other versions only.
    version_masks: Mapping[frozenset[str], npt.NDArray[np.bool_]]
    # Labelled examples no entry answers, cleaned and word-sorted, by language.
    declined: Mapping[Lang, tuple[str, ...]]

    def best_phrasing_cosines(self, weights: Mapping[str, float]) -> npt.NDArray[np.float64]:
        """Per entry, the highest cosine between the weighted query tokens and one of its phrasings."""
        norm = math.sqrt(sum(w * w for w in weights.values()))
        dots = np.zeros(len(self.phrasing_norms))
        for token, weight in weights.items():
            phrasings = self.phrasing_postings.get(token)
            if phrasings is not None:
                dots[phrasings] += weight * self.idf[token]
        if not norm or not len(dots):
            return np.zeros(len(self.entries))
        return np.maximum.reduceat(dots / self.phrasing_norms, self.phrasing_starts) / norm

    def other_version_mask(self, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
        return self.version_masks[frozenset(wanted) & ALL_VERSIONS]

    @classmethod
    def build(cls, entries: Iterable[Entry], synonyms: Synonyms, examples: Iterable[Example] = ()) -> SearchIndex:
        entry_list = tuple(entries)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        doc_len: list[float] = []
        about_tokens: list[frozenset[str]] = []
        phrasing_sets: list[list[frozenset[str]]] = []
        word_counts: Counter[str] = Counter(REFERENCE_WORDS)
        phrasings: list[dict[Lang, tuple[str, ...]]] = []
        phrasings_in_order: list[dict[Lang, tuple[str, ...]]] = []
        term_counts: list[dict[str, float]] = []
        katakana_words: set[str] = set()
        kanji: set[str] = set()
        about_kanji: Counter[str] = Counter()
        figures: list[bool] = []
        answer_texts: list[str] = []
        serves_requests: list[frozenset[str]] = []
        declined: dict[Lang, list[str]] = {lang: [] for lang in LANGS}
        for example in examples:
            if not example.refs:
                declined[example.lang].append(clean_for_fuzzy(normalize(example.question)))
        texts = _with_examples(
            [_EntryText.read(entry, synonyms, word_counts) for entry in entry_list], entry_list, examples, synonyms
        )
        for position, text in enumerate(texts):
            phrasings.append(
                {
                    lang: tuple(clean_for_fuzzy(p) for p in (*found, *text.example_phrasings.get(lang, ())))
                    for lang, found in text.phrasings.items()
                }
            )
            phrasings_in_order.append(text.phrasings)
            phrasing_sets.append(text.phrasing_tokens)
            about_tokens.append(text.about)
            doc_len.append(sum(text.counts.values()))
            term_counts.append(text.counts)
            katakana_words |= text.katakana
            kanji |= text.kanji
            about_kanji.update(text.about_kanji)
            figures.append(text.figures)
            answer_texts.append(text.answer_text)
            serves_requests.append(text.requests)
            for token, tf in text.counts.items():
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
        # Every entry has a title in each language, so each owns at least one phrasing (reduceat needs it).
        phrasing_postings: dict[str, list[int]] = defaultdict(list)
        norms: list[float] = []
        starts: list[int] = []
        for sets in phrasing_sets:
            starts.append(len(norms))
            for phrasing in sets or [frozenset()]:
                for token in phrasing:
                    phrasing_postings[token].append(len(norms))
                norms.append(math.sqrt(sum(idf[t] ** 2 for t in phrasing)) or 1.0)
        versions = [frozenset(v for ref in entry.refs if (v := ref_version(ref)) is not None) for entry in entry_list]
        masks = {
            frozenset(wanted): np.array([bool(v) and not v & set(wanted) for v in versions], dtype=np.bool_)
            for size in range(len(ALL_VERSIONS) + 1)
            for wanted in itertools.combinations(sorted(ALL_VERSIONS), size)
        }
        by_initial, by_tail = _correction_targets(word_counts, synonyms)
        return cls(
            entries=entry_list,
            positions_by_ref=_positions_by_ref(entry_list),
            synonyms=synonyms,
            postings=arrays,
            idf=idf,
            known_words=frozenset(word_counts) | EN_STOPWORDS | synonyms.words(),
            common_words=common_english_words(),
            vocabulary=by_initial,
            vocabulary_by_tail=by_tail,
            katakana_words=frozenset(katakana_words) | synonyms.katakana_forms(),
            homophones=Homophones.build(kanji, about_kanji),
            phrasings=tuple(phrasings),
            phrasings_in_order=tuple(phrasings_in_order),
            max_idf=max(idf.values(), default=1.0),
            about_tokens=tuple(about_tokens),
            term_counts=tuple(term_counts),
            term_totals=lengths,
            phrasing_postings={token: np.array(ids, dtype=np.int64) for token, ids in phrasing_postings.items()},
            phrasing_norms=np.array(norms, dtype=np.float64),
            phrasing_starts=np.array(starts, dtype=np.int64),
            versions=tuple(versions),
            part_kinds=tuple(
                frozenset(kind for ref in entry.refs if (kind := part_kind(ref)) is not None) for entry in entry_list
            ),
            figures=tuple(figures),
            answer_texts=tuple(answer_texts),
            serves_requests=tuple(serves_requests),
            version_masks=masks,
            declined={lang: tuple(found) for lang, found in declined.items()},
        )
