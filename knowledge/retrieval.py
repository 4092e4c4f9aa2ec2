"""Answer selection: `retrieve(question, kb)` is a pure function from a question to an Answer.

1. Normalise (width, case, kana variants, loanwords typed in hiragana), detect the language, correct misspelt
   English words and kanji compounds an input method chose wrongly (放心 for 方針).
2. Find explicit item/version mentions; map synonyms to concept tokens; tokenize.
3. BM25 over weighted fields (labelled examples count as phrasings) picks candidates; each gets its
   evidence (coverage, phrase matches, its naive Bayes word model's share of the likelihood, whether it is
   about the version asked about and is the kind of part asked for, whether its answer gives the figure
   asked for, whether the question is closer to an example no entry answers, ...).
4. RANKING orders them; CALIBRATION turns the leader's evidence into a probability; below the
   threshold, abstain and suggest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from knowledge.index import SearchIndex, clean_for_fuzzy, clean_in_order
from knowledge.intents import (
    asked_kinds,
    asked_units,
    asks_figure,
    gives_unit,
    names_unknown_version,
    unserved_requests,
)
from knowledge.mentions import Mentions, find_mentions
from knowledge.model import Entry, KnowledgeBase, Lang
from knowledge.refs import CURRENT_VERSION
from knowledge.text import (
    LATIN_WORD,
    detect_lang,
    kanji_readings,
    katakana_loanwords,
    normalize,
    stem,
    tokenize,
)

MAX_QUESTION_CHARS = 500  # longer input is cut before searching; the reply says so
CANDIDATES = 10
MIN_CORRECTED_LENGTH = 4  # shorter words have too many one-edit neighbours to guess from
SPELLING_WEIGHT = 0.8  # evidence from a corrected word counts a little less than from a typed one
UNKNOWN_WORD_WEIGHT = 1.0  # of the rarest known word's weight
UNKNOWN_CJK_WEIGHT = 0.5  # of the same, for an unknown CJK bigram (see _token_weight)
FUZZY_SCORER = fuzz.ratio  # on word-sorted text (clean_for_fuzzy): token-sort similarity
# A long question often wraps a short ask in context ("we're a 300-person firm and ... so what does item 9
# want?"): the best match of a shorter phrasing anywhere inside it, words in order. Only for the strongest
# BM25 candidates, and only the last WINDOW_CHARS of the question: it costs about 5 µs per phrasing.
FUZZY_WINDOW_SCORER = fuzz.partial_ratio
WINDOW_CANDIDATES = 5
WINDOW_CHARS = 200
# Two small linear models over each candidate's evidence, both fitted by benchmarks/calibrate.py on the
# training and dev question sets (never on the held-out sets). RANKING orders the candidates (fitted
# on pairs: right answer vs wrong one for the same question); CALIBRATION turns the leader's evidence,
# and its lead over the runner-up, into the probability that it is right. Below THRESHOLD: abstain.
FEATURES = (
    "log_bm25",
    "bm25_share",
    "coverage",
    "known_coverage",
    "about_coverage",
    "phrase_match",
    "fuzzy",
    "unknown",
    "anchored",
    "pinned",
    "likelihood_share",
    "fuzzy_window",
    "off_version",
    "kind_asked",
    "rest_coverage",
    "pinned_rest",
    "rest_bm25_share",
    "rest_likelihood_share",
    "figure_not_given",
)
RANKING = {
    "log_bm25": 0.953,
    "bm25_share": 4.120,
    "coverage": 1.049,
    "known_coverage": -0.254,
    "about_coverage": -3.549,
    "phrase_match": 3.143,
    "fuzzy": 8.652,
    "unknown": 0.000,
    "anchored": 0.000,
    "pinned": 4.035,
    "likelihood_share": 0.791,
    "fuzzy_window": 1.938,
    "off_version": -5.084,
    "kind_asked": 1.533,
    "rest_coverage": 1.360,
    "pinned_rest": -0.855,
    "rest_bm25_share": -0.137,
    "rest_likelihood_share": 5.769,
    "figure_not_given": -0.723,
}
CONFIDENCE_FEATURES = (
    *FEATURES,
    "lead",
    "fuzzy_margin",
    "about_margin",
    "agree_bm25",
    "agree_fuzzy",
    "agree_phrase",
    "terse",
    "terse_phrase",
    "terse_share",
    "terse_lead",
    "wordy",
    "lone",
    "declined",
    "unknown_name",
    "unserved_request",
)
CALIBRATION = {
    "bias": -4.067,
    "log_bm25": -0.518,
    "bm25_share": 1.641,
    "coverage": -0.036,
    "known_coverage": 1.005,
    "about_coverage": 2.735,
    "phrase_match": -0.961,
    "fuzzy": 0.519,
    "unknown": -2.021,
    "anchored": -0.124,
    "pinned": 0.801,
    "likelihood_share": 0.940,
    "fuzzy_window": 1.819,
    "off_version": -1.285,
    "kind_asked": 5.848,
    "rest_coverage": 0.752,
    "pinned_rest": -0.216,
    "rest_bm25_share": -0.857,
    "rest_likelihood_share": 1.031,
    "figure_not_given": -3.501,
    "lead": 0.124,
    "fuzzy_margin": 2.075,
    "about_margin": 0.259,
    "agree_bm25": 0.256,
    "agree_fuzzy": 0.115,
    "agree_phrase": 0.469,
    "terse": -11.254,
    "terse_phrase": 1.425,
    "terse_share": 25.530,
    "terse_lead": 0.833,
    "wordy": 1.221,
    "lone": -3.277,
    "declined": -21.843,
    "unknown_name": -1.493,
    "unserved_request": -5.397,
}
THRESHOLD = 0.5
# A long question spreads its evidence over context ("we're a 300-person maker and last year ..."), so the
# same coverage means more in it: how wordy it is, from 0 at WORDY_FROM search tokens to 1 at WORDY_FULL.
WORDY_FROM, WORDY_FULL = 6, 16
LEAD_CAP = 5.0  # a lead beyond this says nothing more
PINNED_FLOOR = 0.9  # confidence when the question names the leading entry's part (see trusts_reference)
# Additive smoothing of each entry's word model, in field-weighted occurrences (a title word counts 2):
# chosen by cross-validation (benchmarks/calibrate.py --cv); anything from 1 to 20 does about as well.
WORD_MODEL_SMOOTHING = 5.0
# When abstaining: if the leader was a near miss (at least NEAR_MISS likely), offer the top three as they
# rank; otherwise only candidates that share at least SUGGESTION_COVERAGE of the question's evidence. On
# the question sets this offers the right entry for 78% of abstained in-scope questions (57% with the
# coverage rule alone), for 0.4 more suggestions per out-of-scope question.
NEAR_MISS = 0.1
SUGGESTION_COVERAGE = 0.3
# An entry about another version than the one asked about (or than the current one, when the question
# names none) keeps this share of its score: "what is item 4?" means Ver 3.0's item 4.
VERSION_PRIOR = 0.7  # "指示7", "item 3 of Ver 1.0": the ref is resolved exactly
# Acronyms and codes as typed ("GDPR", "NIS2", "SOC2"): one the knowledge base never mentions names a topic
# it does not cover.
_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9]+(?![a-z])|\b[A-Za-z]+[0-9]+[A-Za-z0-9]*")


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    bm25: float
    bm25_share: float  # of the best-scoring entry's BM25: how close this one comes to the leader
    coverage: float  # share of the question's evidence (idf-weighted) found anywhere in the entry
    about_coverage: float  # the same, counting only the title, phrasings, keywords and refs
    rest_bm25_share: float  # BM25 share of the leader's on the words besides the named parts and versions
    rest_coverage: float  # coverage of what the question says besides naming parts and versions
    phrase_match: float  # cosine (idf-weighted tokens) with the entry's closest single phrasing
    fuzzy: float  # character-level similarity with the closest phrasing in the question's language
    fuzzy_window: float  # the same for a shorter phrasing found anywhere in the question (or fuzzy)
    unknown: float  # share of the question's evidence in words the knowledge base has never seen
    anchored: float  # share of the question's evidence in domain concepts and explicit mentions
    pinned: bool  # the question names exactly this item, principle or appendix
    terse: bool  # the question has one search token (a word, a concept or a reference)
    declined: float  # the question's similarity to the closest labelled example no entry answers
    wordy: float  # 0 for a question of a few search tokens, rising to 1 for a long one (see WORDY_FROM)
    unknown_name: bool  # the question names something (an acronym, a code, Ver 4.0) the knowledge base never mentions
    unserved_request: bool  # the question asks for something (a vendor pick, a price, a task) this entry doesn't give
    figure_not_given: bool  # asks for a figure (or a person, a page) this entry's answer does not state
    kind_asked: bool  # the question asks which item (principle, appendix) covers something; this is one
    off_version: bool  # the entry is about another version than the one asked about (or the current one)
    log_likelihood: float  # of the question's known words under this entry's word model (naive Bayes)
    rest_log_likelihood: float  # the same, leaving out the words that name parts and versions
    # This entry's share of the posterior under those models, among the candidates and an entry that shares
    # no word with the question.
    likelihood_share: float = 0.0
    rest_likelihood_share: float = 0.0  # the same on what the question says besides named parts and versions
    rank_score: float = 0.0

    @property
    def pinned_rest(self) -> float:
        """For the entry the question names: does it also explain the rest of the question?"""
        return self.rest_coverage if self.pinned else 0.0

    @property
    def known_coverage(self) -> float:
        """Coverage among the words the knowledge base knows at all."""
        return min(1.0, self.coverage / (1 - self.unknown)) if self.unknown < 1 else 0.0

    @property
    def log_bm25(self) -> float:
        return math.log1p(self.bm25)

    def features(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in FEATURES}


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
    tokens: dict[str, float]  # token -> strength (1.0, or less for a spelling guess)
    weights: dict[str, float]  # token -> how much it says: its idf, or the weight of an unknown word
    mentions: Mentions
    fuzzy_text: str  # word-sorted
    window_text: str  # words in order, the question's end
    unknown_name: bool
    requests: frozenset[str]  # kinds of request no entry usually serves (see intents.unserved_requests)
    asks_figure: bool
    units: frozenset[str]  # what the figure asked for counts (intents.asked_units)
    mention_tokens: frozenset[str]  # tokens that name parts and versions ("_item3", "_v1")
    asks: frozenset[str]  # kinds of part it asks for: "which item covers ...", "どの原則"
    declined: float  # similarity to the closest labelled example no entry answers, in the question's language


def correct_spelling(
    normalized: str, index: SearchIndex, acronyms: frozenset[str] = frozenset()
) -> tuple[str, set[str]]:
    """Replace misspelt English words (in neither the knowledge base nor everyday English) with the closest
    word the knowledge base knows.

    Typos rarely touch the first letter, so words sharing it are tried first: one edit is allowed in words up
    to 5 letters, two in longer ones. Failing that, one slip on the first letter ("wven", "uidelines"; see
    _first_letter_slips), except in `acronyms` typed in capitals: "FISC" is a name, not a slip for "NISC".
    Returns the corrected text and the corrected words.
    """
    guessed: set[str] = set()

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < MIN_CORRECTED_LENGTH or word in index.known_words or word in index.common_words:
            return word
        limit = 1 if len(word) <= 5 else 2  # edits allowed: one in short words, two in longer ones
        near = process.extract(
            word, index.vocabulary.get(word[0], ()), scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None
        )
        if not near and word not in acronyms:
            near = [(found, 1, n) for n, found in enumerate(_first_letter_slips(word, index))]
        if not near:
            return word
        # Fewest edits first; among equals, a dropped or extra letter ("relased") is a likelier slip than a
        # wrong one ("related"), which plain similarity (insertions and deletions only) rewards; then the
        # more frequent word (the vocabulary is ordered by frequency, and the sort is stable).
        best = min(near, key=lambda found: (found[1], -fuzz.ratio(word, found[0])))[0]
        guessed.add(best)
        return str(best)

    return LATIN_WORD.sub(fix, normalized), guessed


def _first_letter_slips(word: str, index: SearchIndex) -> list[str]:
    """Known words one slip away when the slip is on the first letter: one typed wrong ("wven"), left out
    ("uidelines"), typed before the word ("fguidelines") or swapped with the second ("rpinciple")."""
    tails = index.vocabulary_by_tail

    def known(candidate: str) -> bool:
        return candidate in tails.get(candidate[1:], ())

    found = [*tails.get(word[1:], ()), *tails.get(word, ())]
    found += [candidate for candidate in (word[1:], word[1] + word[0] + word[2:]) if known(candidate)]
    return list(dict.fromkeys(candidate for candidate in found if candidate != word))


def _parse(question: str, index: SearchIndex, lang: Lang) -> _Query:
    names = _NAME.findall(question)
    acronyms = frozenset(normalize(name) for name in names)
    normalized, guessed = correct_spelling(
        katakana_loanwords(
            index.homophones.correct(kanji_readings(normalize(question))),
            index.katakana_words,
        ),
        index,
        acronyms,
    )
    mentions = find_mentions(normalized)
    replaced = index.synonyms.replace(normalized)
    guessed_tokens = {stem(word) for word in guessed}
    tokens = {token: SPELLING_WEIGHT if token in guessed_tokens else 1.0 for token in tokenize(replaced)}
    for token in mentions.tokens():
        tokens[token] = 1.0
    if (
        mentions.items or mentions.principles or mentions.item_list or mentions.principle_list
    ) and not mentions.versions:
        tokens[f"_{CURRENT_VERSION}"] = 1.0
    weights = {token: _token_weight(token, index) for token in tokens}
    unknown_name = names_unknown_version(normalized) or any(_unknown_name(name, index) for name in acronyms)
    return _Query(
        tokens,
        weights,
        mentions,
        clean_for_fuzzy(normalized),
        clean_in_order(normalized)[-WINDOW_CHARS:],
        unknown_name,
        unserved_requests(normalized),
        asks_figure(normalized),
        asked_units(normalized),
        frozenset(mentions.tokens()) | {f"_{CURRENT_VERSION}"},
        asked_kinds(normalized),
        _declined_similarity(clean_for_fuzzy(normalized), lang, index),
    )


def _declined_similarity(text: str, lang: Lang, index: SearchIndex) -> float:
    """How close the question (cleaned, word-sorted) comes to a labelled example no entry answers."""
    found = process.extractOne(text, index.declined.get(lang, ()), scorer=FUZZY_SCORER)
    return found[1] / 100 if found else 0.0


def _unknown_name(name: str, index: SearchIndex) -> bool:
    return name not in index.idf and name not in index.known_words and not find_mentions(name).tokens()


def _token_weight(token: str, index: SearchIndex) -> float:
    # A word the knowledge base has never seen is strong evidence the question is about something else,
    # except a CJK bigram or single kanji: many of those straddle two words (最低限何 -> 限何) and mean nothing.
    idf = index.idf.get(token)
    if idf is not None:
        return idf
    return index.max_idf * (UNKNOWN_CJK_WEIGHT if not token.isascii() else UNKNOWN_WORD_WEIGHT)


def _bm25(query: _Query, index: SearchIndex, *, skip: frozenset[str] = frozenset()) -> npt.NDArray[np.float64]:
    scores = np.zeros(len(index.entries))
    for token, strength in query.tokens.items():
        if token in skip:
            continue
        posting = index.postings.get(token)
        if posting is not None:
            positions, contributions = posting
            scores[positions] += strength * contributions
    return scores


def _candidate(
    query: _Query,
    index: SearchIndex,
    position: int,
    *,
    bm25: float,
    leader: float,
    fuzzy: tuple[float, float],
    phrase_matches: npt.NDArray[np.float64],
    off_version: bool,
    rest_bm25_share: float,
) -> Candidate:
    entry = index.entries[position]
    doc_tokens, about_tokens = index.term_counts[position], index.about_tokens[position]
    total = matched = about = unknown = anchored = rest_total = rest_matched = 0.0
    mention_tokens = query.mention_tokens
    for token, strength in query.tokens.items():
        weight = query.weights[token]
        total += weight
        if token.startswith("_"):
            anchored += weight
        named = token in mention_tokens
        if not named:
            rest_total += weight
        if token not in index.idf:
            unknown += weight
        elif token in doc_tokens:
            matched += weight * strength
            if not named:
                rest_matched += weight * strength
            if token in about_tokens:
                about += weight * strength
    pinned_ref = query.mentions.pinned_ref
    return Candidate(
        entry=entry,
        bm25=bm25,
        bm25_share=bm25 / leader if leader > 0 else 0.0,
        coverage=matched / total if total else 0.0,
        about_coverage=about / total if total else 0.0,
        rest_bm25_share=rest_bm25_share,
        rest_coverage=rest_matched / rest_total if rest_total else 1.0,
        phrase_match=float(phrase_matches[position]),
        fuzzy=fuzzy[0],
        fuzzy_window=fuzzy[1],
        unknown=unknown / total if total else 1.0,
        anchored=anchored / total if total else 0.0,
        pinned=pinned_ref is not None and pinned_ref in entry.refs,
        terse=len(query.tokens) <= 1,
        declined=query.declined,
        wordy=min(1.0, max(0.0, (len(query.tokens) - WORDY_FROM) / (WORDY_FULL - WORDY_FROM))),
        unknown_name=query.unknown_name,
        unserved_request=not query.requests <= index.serves_requests[position],
        figure_not_given=query.asks_figure
        and (
            not index.figures[position]
            or (bool(query.units) and not any(gives_unit(index.answer_texts[position], u) for u in query.units))
        ),
        off_version=off_version,
        kind_asked=not query.asks.isdisjoint(index.part_kinds[position]),
        log_likelihood=_log_likelihood(query, index, position),
        rest_log_likelihood=_log_likelihood(query, index, position, skip=query.mention_tokens),
    )


def _log_likelihood(query: _Query, index: SearchIndex, position: int, *, skip: frozenset[str] = frozenset()) -> float:
    """Naive Bayes: how likely the entry's own text (its word counts, smoothed) is to produce the question's
    known words. Unlike BM25's global idf, this learns which words each entry's phrasings keep using."""
    return _word_model(query, index, index.term_counts[position], float(index.term_totals[position]), skip)


def _null_log_likelihood(query: _Query, index: SearchIndex, *, skip: frozenset[str] = frozenset()) -> float:
    """The same for an entry of average length that contains none of the question's words."""
    return _word_model(query, index, {}, float(index.term_totals.mean()), skip)


def _word_model(
    query: _Query, index: SearchIndex, counts: Mapping[str, float], total: float, skip: frozenset[str]
) -> float:
    denominator = math.log(total + WORD_MODEL_SMOOTHING * len(index.idf))
    return sum(
        strength * (math.log(counts.get(token, 0.0) + WORD_MODEL_SMOOTHING) - denominator)
        for token, strength in query.tokens.items()
        if token in index.idf and token not in skip
    )


def _posterior_shares(log_likelihoods: list[float], null: float) -> list[float]:
    """Each candidate's posterior among the candidates and an entry that shares no word with the question,
    with a uniform prior (a softmax of log-likelihoods). The empty entry keeps a lone candidate from
    looking certain."""
    best = max(null, *log_likelihoods)
    odds = [math.exp(value - best) for value in log_likelihoods]
    total = sum(odds) + math.exp(null - best)
    return [share / total for share in odds]


def _scored(candidates: list[Candidate], query: _Query, index: SearchIndex) -> list[Candidate]:
    """Each candidate with its posterior share, on the whole question and on what it says besides named parts,
    and its ranking score (one copy per candidate: this runs for every candidate of every question)."""
    if not candidates:
        return candidates
    skip = query.mention_tokens
    whole = _posterior_shares([c.log_likelihood for c in candidates], _null_log_likelihood(query, index))
    rest = _posterior_shares([c.rest_log_likelihood for c in candidates], _null_log_likelihood(query, index, skip=skip))
    scored = []
    for c, share, rest_share in zip(candidates, whole, rest, strict=True):
        features = c.features() | {"likelihood_share": share, "rest_likelihood_share": rest_share}
        score = sum(RANKING[name] * value for name, value in features.items())
        scored.append(replace(c, likelihood_share=share, rest_likelihood_share=rest_share, rank_score=score))
    return scored


def _fuzzy(query: _Query, index: SearchIndex, lang: Lang, positions: list[int]) -> list[tuple[float, float]]:
    """Each entry's best character-level similarity to one of its phrasings in the question's language:
    whole against whole (token sort), and a shorter phrasing against its best match inside the question."""
    choices: list[str] = []
    owners: list[int] = []
    inside: list[str] = []  # phrasings shorter than the question, of the first candidates (BM25 order)
    inside_owners: list[int] = []
    for number, position in enumerate(positions):
        phrasings = index.phrasings[position].get(lang, ())
        choices += phrasings
        owners += [number] * len(phrasings)
        if number < WINDOW_CANDIDATES:
            shorter = [p for p in index.phrasings_in_order[position].get(lang, ()) if len(p) < len(query.window_text)]
            inside += shorter
            inside_owners += [number] * len(shorter)
    whole = np.zeros(len(positions))
    if choices:  # one call for all candidates' phrasings
        similarity = process.cdist([query.fuzzy_text], choices, scorer=FUZZY_SCORER, dtype=np.float64)[0]
        np.maximum.at(whole, owners, similarity / 100)
    window = whole.copy()
    if inside:
        similarity = process.cdist([query.window_text], inside, scorer=FUZZY_WINDOW_SCORER, dtype=np.float64)[0]
        np.maximum.at(window, inside_owners, similarity / 100)
    return list(zip(whole.tolist(), window.tolist(), strict=True))


def confidence_features(ranked: Sequence[Candidate]) -> dict[str, float]:
    """The leader's evidence, its margins over the runner-up, and whether each signal alone agrees on it.

    A one-word question ("CISO", "security") gets its own weights for how distinctive the match is: the
    same full coverage means a sure answer for "CISO" and nothing for "security", which every entry has.
    A lone candidate's margins are over nothing, so being alone is evidence of its own: "what's the capital
    of France?" finds only the entry whose keywords say "capital investment". A question that comes closer
    to a labelled example no entry answers than to any phrasing of the leader is like one declined before:
    "how many pages is the Ver 3.0 PDF?" beside Ver 3.0's own questions.
    """
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    lead = min(best.rank_score - runner_up.rank_score, LEAD_CAP) if runner_up else 0.0
    terse = float(best.terse)
    return best.features() | {
        "lead": lead,
        "terse": terse,
        "terse_phrase": terse * best.phrase_match,
        "terse_share": terse * best.likelihood_share,
        "terse_lead": terse * lead,
        "wordy": best.wordy,
        "lone": float(runner_up is None),
        "declined": max(0.0, best.declined - best.fuzzy),
        "unknown_name": float(best.unknown_name),
        "unserved_request": float(best.unserved_request),
        "fuzzy_margin": best.fuzzy - runner_up.fuzzy if runner_up else best.fuzzy,
        "about_margin": best.about_coverage - runner_up.about_coverage if runner_up else best.about_coverage,
        "agree_bm25": float(best.bm25 >= max(c.bm25 for c in ranked)),
        "agree_fuzzy": float(best.fuzzy >= max(c.fuzzy for c in ranked)),
        "agree_phrase": float(best.phrase_match >= max(c.phrase_match for c in ranked)),
    }


def confidence(ranked: Sequence[Candidate]) -> float:
    """Probability that the leading candidate is the right answer (an exact mention is trusted)."""
    features = confidence_features(ranked)
    z = CALIBRATION["bias"] + sum(CALIBRATION[name] * features[name] for name in CONFIDENCE_FEATURES)
    probability = 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))
    return max(probability, PINNED_FLOOR) if trusts_reference(features) else probability


def trusts_reference(features: Mapping[str, float]) -> bool:
    """The leader is the part the question names, and it also leads on BM25: "what does item 3 say about
    budgets?". When another entry leads on the question's words (a check-in question that names its item in
    passing), or when the question asks what the part does not give ("how many drills a year does Direction 7
    require?", "which vendor for Direction 5?"), there is no floor and the evidence decides."""
    asks_what_it_lacks = features["unserved_request"] or features["figure_not_given"]
    return bool(features["pinned"]) and bool(features["agree_bm25"]) and not asks_what_it_lacks


def rank(question: str, kb: KnowledgeBase) -> tuple[list[Candidate], Lang, bool]:
    """The best candidates for a question, best first (exposed for benchmarks and calibration)."""
    truncated = len(question) > MAX_QUESTION_CHARS
    text = question[:MAX_QUESTION_CHARS]
    lang = detect_lang(text)
    index = kb.index
    query = _parse(text, index, lang)
    scores = _bm25(query, index)
    wanted = query.mentions.versions or {CURRENT_VERSION}
    off_version = index.other_version_mask(wanted)
    scores[off_version] *= VERSION_PRIOR
    matched = np.flatnonzero(scores > 0)
    top = matched[np.argsort(-scores[matched], kind="stable")[:CANDIDATES]].tolist()
    pinned_ref = query.mentions.pinned_ref
    if pinned_ref:
        top += [p for p in index.positions_by_ref.get(pinned_ref, ()) if p not in top]
    leader = float(scores[top[0]]) if top else 0.0
    # The same scores without the tokens that name parts and versions: does the rest of the question agree?
    rest = scores
    if not query.mention_tokens.isdisjoint(query.tokens):
        rest = _bm25(query, index, skip=query.mention_tokens)
        rest[off_version] *= VERSION_PRIOR
    rest_leader = float(rest[top].max()) if top else 0.0
    phrase_matches = index.best_phrasing_cosines(
        {token: query.weights[token] * strength for token, strength in query.tokens.items()}
    )
    fuzzy = _fuzzy(query, index, lang, top)
    candidates = [
        _candidate(
            query,
            index,
            position,
            bm25=float(scores[position]),
            leader=leader,
            rest_bm25_share=float(rest[position] / rest_leader) if rest_leader > 0 else 0.0,
            fuzzy=similarity,
            phrase_matches=phrase_matches,
            off_version=bool(off_version[position]),
        )
        for position, similarity in zip(top, fuzzy, strict=True)
    ]
    candidates = _scored(candidates, query, index)
    candidates.sort(key=lambda c: (-c.rank_score, -c.bm25))
    return candidates, lang, truncated


def retrieve(question: str, kb: KnowledgeBase) -> Answer:
    """Answer a question from the knowledge base, or abstain with up to three suggestions."""
    candidates, lang, truncated = rank(question, kb)
    if not candidates:
        return Answer(question, lang, answered=False, entry=None, score=0.0, suggestions=(), truncated=truncated)
    best = candidates[0]
    score = confidence(candidates)
    if score >= THRESHOLD:
        related = tuple(e for e in (kb.find(r) for r in best.entry.related) if e is not None)[:3]
        return Answer(
            question, lang, answered=True, entry=best.entry, score=score, suggestions=related, truncated=truncated
        )
    near_miss = score >= NEAR_MISS
    suggestions = tuple(c.entry for c in candidates if near_miss or c.coverage >= SUGGESTION_COVERAGE)[:3]
    return Answer(question, lang, answered=False, entry=None, score=score, suggestions=suggestions, truncated=truncated)
