"""Text normalisation and tokenisation shared by indexing and querying.

Japanese is split into runs by script; kanji and katakana runs become character bigrams, hiragana
runs (particles, verb endings) are dropped. Bigrams need no dictionary download, cost nothing to
load and tolerate the spelling variants people type (see README, "How retrieval works").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

from knowledge.model import Lang

# Zero-width, bidi and other format characters carry no meaning for search; NUL never belongs in text.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_KANA_FOLDS = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"), ("ヶ", "ケ"))
# A katakana word's trailing long-vowel mark is optional in practice (セキュリティー / セキュリティ).
_TRAILING_CHOONPU = re.compile(r"(?<=[ァ-ヺ])ー+(?![ァ-ヺー])")
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# A kanji numeral right after 指示/項目/原則/第 is a number, unless it starts a word (一覧, 一部, 一般).
_KANJI_NUMBER = re.compile(
    r"(?<=[指示項目原則第])([一二三四五六七八九十])(?![覧部般緒度方定切同連体])|([一二三四五六七八九十])(?=[番つ])"
)
# "Ver 3", "version 3.0", "v.3" and "ver3" are one word, whichever way it is typed (else "ver 3" loses its number).
_VERSION_SPACING = re.compile(r"(?<![a-z0-9])(?:v|ver|version)\s*\.?\s*([0-9])(?![0-9])")
_JA_CHARS = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3005]")

_TOKEN = re.compile(
    r"(?P<concept>_[a-z0-9]+)"
    r"|(?P<latin>[a-z0-9]+(?:'[a-z]+)?)"
    r"|(?P<kanji>[\u4e00-\u9fff\u3005\u3006]+)"
    r"|(?P<katakana>[\u30a1-\u30fa\u30fc]+)"
    r"|(?P<hiragana>[\u3041-\u3096]+)"
)

EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "about",
        "into",
        "over",
        "under",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "please",
        "tell",
        "explain",
        "describe",
        "give",
        "show",
        "know",
        "want",
        "need",
        "just",
        "really",
        "also",
        "any",
        "some",
        "there",
        "here",
        "than",
        "too",
        "very",
        "s",
        "t",
        "don't",
        "what's",
        "whats",
        "it's",
        "i'm",
        "let",
        "me",
        "again",
        "more",
        "much",
        "many",
        "such",
        "own",
        "other",
        "same",
        "only",
        "both",
        "each",
        "few",
        "most",
        "all",
        "no",
        "not",
        "nor",
        "yes",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "kindly",
        "briefly",
        "quick",
        "quickly",
        "say",
        "says",
        "said",
        "mean",
        "means",
        "meaning",
        # conversational filler: says how someone asks, not what about
        "actually",
        "basically",
        "honestly",
        "exactly",
        "anyway",
        "anyways",
        "simply",
        "seriously",
        "literally",
        "pls",
        "plz",
        "thx",
        "ok",
        "okay",
        "um",
        "hmm",
        "guys",
        "folks",
        "even",
        "still",
        "already",
        "lol",
        "btw",
        "fyi",
        "wondering",
        "curious",
        "bother",
        "whether",
        "supposed",
        "we're",
        "i'd",
        "i'll",
        "i've",
        "you're",
        "they're",
        "we've",
        "let's",
        "get",
        "gets",
        "got",
        "getting",
    ]
)
# Question filler that says nothing about the topic.
JA_STOPWORDS = frozenset(
    [
        "何",
        "教",
        "知",
        "方",
        "誰",
        "具体",
        "体的",
        "簡単",
        "意味",
        "説明",
        "内容",
        "場合",
        "本当",
        "一言",
        "簡潔",
        "結局",
        "大体",
        "今回",
        # how someone talks, not what about: 話 (話題), 思 (思う), 気 (気になる), 聞 (聞いた), 言 (言われた)
        "話",
        "思",
        "気",
        "聞",
        "言",
        "全部",
        "全",
        "正直",
        "実際",
        "一応",
        "最近",
        "結構",
    ]
)

_STEMMER = Stemmer.Stemmer("english")


LATIN_WORD = re.compile(r"[a-z]+")  # an English word in normalised text, for spelling correction
COMMON_WORD_MIN_COUNT = 500  # rarer dictionary entries are often typos of common words ("abut")


@lru_cache(maxsize=1)
def common_english_words() -> frozenset[str]:
    """Everyday English words, from pyspellchecker's frequency list (loaded once, about 0.4 s).

    A word the knowledge base has never seen but English has ("weather", "lunch") is a real word about
    something else, and must stay unknown; only words English lacks are treated as typos.
    """
    from spellchecker import SpellChecker  # noqa: PLC0415 (deferred: the list is only needed to build an index)

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in counts.items() if count >= COMMON_WORD_MIN_COUNT)


# A loanword typed without converting to katakana (せきゅりてぃ, しーさーと): hiragana (with ー) runs are
# searched for katakana words the knowledge base uses, longest first, up to this many characters.
_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096ー]{3,}")
_HIRAGANA_RUN_WITH_DIGITS = re.compile(r"[\u3041-\u3096ー]{2,}[0-9]*")
_TO_KATAKANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})
KATAKANA_WORD = re.compile(r"[\u30a1-\u30faー]{3,}")
_LONGEST_LOANWORD = 12


def katakana_loanwords(normalized: str, known: frozenset[str]) -> str:
    """Turn the parts of hiragana runs that spell a known katakana word (three or more kana) into it."""

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        katakana = run.translate(_TO_KATAKANA)
        pieces: list[str] = []
        start = 0
        while start < len(run):
            for end in range(min(len(run), start + _LONGEST_LOANWORD), start + 2, -1):
                if katakana[start:end] in known:
                    pieces.append(katakana[start:end])
                    start = end
                    break
            else:
                pieces.append(run[start])
                start += 1
        return _TRAILING_CHOONPU.sub("", "".join(pieces))

    return _HIRAGANA_RUN.sub(convert, normalized) if known else normalized


# Domain words typed in hiragana, as people do on a phone or when unsure of the kanji: "さんげんそく",
# "じゅうようじゅっこうもく", "しじ7". Only forms of four kana or more (plus a few unambiguous ones), since a
# shorter reading hides inside everyday hiragana ("むずかしかった" holds "かしか"). Longest match first.
_KANJI_READINGS = {
    "さんげんそく": "3原則",
    "げんそく": "原則",
    "じゅうようじゅっこうもく": "重要10項目",
    "じゅうようじゅうこうもく": "重要10項目",
    "じゅっこうもく": "10項目",
    "じゅうこうもく": "10項目",
    "こうもく": "項目",
    "じゅうよう": "重要",
    "ふろく": "付録",
    "けいえいしゃ": "経営者",
    "けいえいじん": "経営陣",
    "けいえい": "経営",
    "ちゅうしょうきぎょう": "中小企業",
    "きぎょう": "企業",
    "さんこうしりょう": "参考資料",
    "ようごしゅう": "用語集",
    "じゅんびど": "準備度",
    "ざんりゅう": "残留",
    "ぜいじゃくせい": "脆弱性",
    "とりひきさき": "取引先",
    "よさん": "予算",
    "じんざい": "人材",
    "たいせい": "体制",
    "ふっきゅう": "復旧",
    "じぎょうけいぞく": "事業継続",
    "ぼうぎょ": "防御",
    "かんさやく": "監査役",
    "とりしまりやく": "取締役",
    "やくいん": "役員",
    "しゃちょう": "社長",
    "せきにんしゃ": "責任者",
    "せきにん": "責任",
    "ほうしん": "方針",
    "きょういく": "教育",
    "くんれん": "訓練",
    "じょうほうきょうゆう": "情報共有",
    "こじんじょうほう": "個人情報",
    "じょうほう": "情報",
    "きょうゆう": "共有",
    "ほうりつ": "法律",
    "いたくさき": "委託先",
    "さいしんばん": "最新版",
    "しょはん": "初版",
    "きゅうばん": "旧版",
    "たいさく": "対策",
    "けいかく": "計画",
    "ひょうか": "評価",
    "ぶんせき": "分析",
    "かいぜん": "改善",
    "かしかつーる": "可視化ツール",
}
_KANJI_READING = re.compile("|".join(sorted(map(re.escape, _KANJI_READINGS), key=len, reverse=True)))
_DIRECTION_READING = re.compile(r"しじ(?=\s*[0-9])")  # "しじ7": 指示7; alone, しじ is too common a sound


def kanji_readings(normalized: str) -> str:
    """Write the domain words typed in hiragana in kanji, so that references and synonyms find them."""

    def convert(match: re.Match[str]) -> str:
        run = _DIRECTION_READING.sub("指示", match.group())
        return _KANJI_READING.sub(lambda found: _KANJI_READINGS[found.group()], run)

    return _HIRAGANA_RUN_WITH_DIGITS.sub(convert, normalized)


def detect_lang(text: str) -> Lang:
    return "ja" if _JA_CHARS.search(text) else "en"


def _kanji_number(match: re.Match[str]) -> str:
    return str(_KANJI_DIGITS[match.group(1) or match.group(2)])


def normalize(text: str) -> str:
    """Width, case, invisible characters and kana variants folded; punctuation kept for the ref parser."""
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    for variant, plain in _KANA_FOLDS:
        text = text.replace(variant, plain)
    text = _TRAILING_CHOONPU.sub("", text)
    text = _VERSION_SPACING.sub(r"ver\1", text)
    return _KANJI_NUMBER.sub(_kanji_number, text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokenize(normalized: str) -> list[str]:
    """Tokens of already-normalised text: stemmed English words, CJK bigrams, `_concept` tokens."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalized):
        kind = match.lastgroup
        run = match.group()
        if kind == "concept":
            tokens.append(run)
        elif kind == "latin":
            if run in EN_STOPWORDS or (run.isdigit() and len(run) < 2):
                continue
            tokens.append(stem(run))
        elif kind == "kanji":
            tokens.extend(gram for gram in _bigrams(run) if gram not in JA_STOPWORDS)

        elif kind == "katakana" and len(run) > 1:
            tokens.extend(_bigrams(run))
    return tokens


_WORD = re.compile(r"[a-z0-9]+")


def _word_key(words: list[str]) -> str:
    return " ".join(words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and len(word) > 4 and word[-3] in "sxz":
        return word[:-2]
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Synonyms:
    """Surface forms (any language) mapped to concept tokens such as `_csirt`.

    Documents keep their words and gain the concept token; queries have the surface form replaced
    by it, so "incident response team", "CSIRT" and "シーサート" all meet on `_csirt`. Latin forms
    match whole words (a plural last word too); Japanese forms match anywhere, longest first.
    """

    latin: Mapping[str, str]  # "incident response team" -> "_csirt"
    # Lookup shortcuts: most words start no form, and most characters start no Japanese form.
    longest_from: Mapping[str, int]  # first word -> most words in a form starting with it
    japanese_from: Mapping[str, tuple[tuple[str, str], ...]]  # first char -> (form, concept), longest first

    @classmethod
    def build(cls, concepts: Mapping[str, Iterable[str]]) -> Synonyms:
        latin: dict[str, str] = {}
        japanese: dict[str, str] = {}
        for concept, forms in concepts.items():
            token = "_" + re.sub(r"[^a-z0-9]", "", concept.lower())
            for form in forms:
                normalized = normalize(form)
                if normalized.isascii():
                    words = _WORD.findall(normalized)
                    if words:
                        latin[_word_key(words)] = token
                        latin.setdefault(_word_key([*words[:-1], _singular(words[-1])]), token)
                elif normalized.strip():
                    japanese[normalized.replace(" ", "")] = token
        longest_from: dict[str, int] = {}
        for key in latin:
            first = key.split(" ", 1)[0]
            longest_from[first] = max(longest_from.get(first, 0), key.count(" ") + 1)
        japanese_from: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for form, concept in sorted(japanese.items(), key=lambda kv: -len(kv[0])):
            japanese_from[form[0]].append((form, concept))
        return cls(latin, longest_from, {char: tuple(forms) for char, forms in japanese_from.items()})

    def _spans(self, normalized: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        if not normalized.isascii():
            self._japanese_spans(normalized, spans)
        matches = list(_WORD.finditer(normalized))
        position = 0
        while position < len(matches):
            word = matches[position].group()
            longest = self.longest_from.get(word) or self.longest_from.get(_singular(word), 0)
            for size in range(min(longest, len(matches) - position), 0, -1):
                window = matches[position : position + size]
                words = [m.group() for m in window]
                found = self.latin.get(_word_key(words)) or self.latin.get(
                    _word_key([*words[:-1], _singular(words[-1])])
                )
                if found:
                    spans.append((window[0].start(), window[-1].end(), found))
                    position += size
                    break
            else:
                position += 1
        return sorted(spans)

    def _japanese_spans(self, normalized: str, spans: list[tuple[int, int, str]]) -> None:
        forms = sorted(
            (form for char in set(normalized) for form in self.japanese_from.get(char, ())),
            key=lambda pair: (-len(pair[0]), pair[0]),  # longest first; ties in a fixed order
        )
        taken = bytearray(len(normalized))
        for form, concept in forms:
            start = normalized.find(form)
            while start != -1:
                end = start + len(form)
                if not any(taken[start:end]):
                    spans.append((start, end, concept))
                    taken[start:end] = b"\x01" * (end - start)
                start = normalized.find(form, end)

    def replace(self, normalized: str) -> str:
        pieces: list[str] = []
        cursor = 0
        for start, end, concept in self._spans(normalized):
            if start < cursor:
                continue
            pieces += [normalized[cursor:start], f" {concept} "]
            cursor = end
        pieces.append(normalized[cursor:])
        return "".join(pieces)

    def katakana_forms(self) -> frozenset[str]:
        """Surface forms that are one katakana word (シーサート)."""
        return frozenset(
            form for forms in self.japanese_from.values() for form, _concept in forms if KATAKANA_WORD.fullmatch(form)
        )

    def words(self) -> frozenset[str]:
        """Every English word in a surface form."""
        return frozenset(word for key in self.latin for word in key.split(" "))

    def concepts_in(self, normalized: str) -> list[str]:
        return [concept for _start, _end, concept in self._spans(normalized)]


KANJI_RUN = re.compile(r"[\u4e00-\u9fff\u3005]{2,}")  # a compound written in kanji (々 included)
_HIRAGANA = re.compile("[\u3041-\u3096]")
_PARTICLE_STARTS = frozenset("はがをにでとものへっやか")  # kana after a noun that are not okurigana
HOMOPHONE_MIN_USES = 10  # how often the phrasings must use a compound for a sound-alike to be taken for it


@lru_cache(maxsize=1)
def kanji_reading_table() -> dict[str, frozenset[str]]:
    """Each kanji's readings of two kana or more (knowledge/kanji_readings.tsv, derived from IPADIC)."""
    lines = Path(__file__).with_name("kanji_readings.tsv").read_text(encoding="utf-8").splitlines()
    return {
        kanji: frozenset(readings.split())
        for kanji, _, readings in (line.partition("\t") for line in lines if not line.startswith("#"))
    }


def _parts(run: str) -> Iterator[str]:
    """A kanji compound's parts of two characters or more, itself included (経営者: 経営, 営者, 経営者)."""
    return (run[start:end] for start in range(len(run) - 1) for end in range(start + 2, len(run) + 1))


@dataclass(frozen=True)
class Homophones:
    """Kanji compounds an input method chose wrongly for one of the same sound, and what they meant.

    `known`: every compound the knowledge base uses, and its parts. `targets`: the compounds its phrasings use
    often enough to be what a misconverted one meant, by length, most used first. `readings`: each kanji's
    readings (kanji_reading_table).
    """

    known: frozenset[str]
    targets: Mapping[int, tuple[str, ...]]
    readings: Mapping[str, frozenset[str]]

    @classmethod
    def build(cls, runs: Iterable[str], phrasing_runs: Counter[str]) -> Homophones:
        """From the kanji runs of every field, and those of titles, questions and keywords with their counts."""
        uses: Counter[str] = Counter()
        for run, count in phrasing_runs.items():
            for part in set(_parts(run)):
                uses[part] += count
        targets: dict[int, list[str]] = defaultdict(list)
        for part, count in uses.most_common():
            if count >= HOMOPHONE_MIN_USES and part in phrasing_runs:  # a word in its own right, not 当者 of 担当者
                targets[len(part)].append(part)
        return cls(
            known=frozenset(part for run in set(runs) for part in _parts(run)),
            targets={length: tuple(parts) for length, parts in targets.items()},
            readings=kanji_reading_table(),
        )

    def _sounds_alike(self, typed: str, meant: str) -> bool:
        """Could an input method have produced `typed` for `meant`: the same kanji, or one sharing a reading?"""
        empty: frozenset[str] = frozenset()
        return typed == meant or not self.readings.get(typed, empty).isdisjoint(self.readings.get(meant, empty))

    def _meant(self, part: str) -> str | None:
        alike = [t for t in self.targets.get(len(part), ()) if all(map(self._sounds_alike, part, t))]
        return max(alike, key=lambda t: sum(map(str.__eq__, part, t)), default=None)

    def correct(self, normalized: str) -> str:
        """Rewrite compounds the knowledge base never uses as the one they sound like (減速1 for 原則1, 放心 for
        方針, 取締約 for 取締役). Part of a longer run is rewritten when the rest is known (全社放心)."""
        known = self.known

        def fix(match: re.Match[str]) -> str:
            run = match.group()
            following = normalized[match.end() : match.end() + 1]
            if run in known or (_HIRAGANA.fullmatch(following) and following not in _PARTICLE_STARTS):
                return run  # known, or the stem of a word spelt on in kana (後回し)
            if whole := self._meant(run):
                return whole
            for cut in range(2, len(run) - 1):
                left, right = run[:cut], run[cut:]
                if left in known and right not in known and (found := self._meant(right)):
                    return left + found
                if right in known and left not in known and (found := self._meant(left)):
                    return found + right
            return run

        return KANJI_RUN.sub(fix, normalized)
