"""Normalisation, tokenisation and explicit references: the pieces retrieval stands on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from knowledge.mentions import find_mentions
from knowledge.model import KnowledgeBase
from knowledge.text import (
    Synonyms,
    detect_lang,
    kanji_readings,
    katakana_loanwords,
    normalize,
    tokenize,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＣＳＩＲＴ", "csirt"),  # full width
        ("ｾｷｭﾘﾃｨ", "セキュリティ"),  # half-width katakana
        ("セキュリティー", "セキュリティ"),  # optional long vowel
        ("ヴェンダー", "ベンダ"),
        ("指示七", "指示7"),  # kanji numeral after 指示
        ("PDCA\u200b", "pdca"),  # zero-width space
        ("\u202eevil", "evil"),  # bidi override
        ("Ver 3.0", "ver3.0"),  # one word however it is spaced, as the knowledge base's "Ver3.0" is
        ("version 2", "ver2"),
        ("IPv4", "ipv4"),
    ],
)
def test_normalize_folds_variants(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_japanese_is_bigrammed_and_particles_dropped() -> None:
    tokens = tokenize(normalize("委託先の管理について"))
    assert "委託" in tokens
    assert "託先" in tokens
    assert "管理" in tokens
    assert not any(token in ("の", "について") for token in tokens)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("しーさーとって必要？", "シーサートって必要?"),
        # Kanji words typed in kana are left to kanji_readings.
        ("ちゅうしょうきぎょうの せきゅりてぃー", "ちゅうしょうきぎょうの セキュリティ"),
        ("ですから、ありがとうございます", "ですから、ありがとうございます"),  # grammar stays
    ],
)
def test_loanwords_typed_in_hiragana_become_katakana(typed: str, expected: str) -> None:
    known = frozenset({"シーサート", "セキュリティ", "データ"})
    assert katakana_loanwords(normalize(typed), known) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("さんげんそくってなに", "3原則ってなに"),
        ("しじ7のこと", "指示7のこと"),
        ("じゅうよう10こうもく いちらん", "重要10項目 いちらん"),
        ("ちゅうしょうきぎょうむけ", "中小企業むけ"),
        # A reading hidden inside everyday hiragana is left alone: かしか in むずかしかった, かいてい in かいていない.
        ("むずかしかったです", "むずかしかったです"),
        ("ガイドラインにかいていない", "ガイドラインにかいていない"),
        ("しじをください", "しじをください"),  # しじ alone is too common a sound; only "しじ7" is 指示7
    ],
)
def test_domain_words_typed_in_hiragana_get_their_kanji(typed: str, expected: str) -> None:
    assert kanji_readings(normalize(typed)) == expected


def test_english_is_stemmed_without_stopwords() -> None:
    assert tokenize(normalize("What are the incidents?")) == ["incid"]


@pytest.mark.parametrize(
    ("question", "pinned"),
    [
        ("What is item 7 in Ver 1.0?", "v1.item.7"),
        ("指示７について", "v3.item.7"),
        ("2015年版の項目9", "v1.item.9"),
        ("Ver2.0の指示8", "v2.item.8"),
        ("Direction 10", "v3.item.10"),
        ("item four", "v3.item.4"),
        ("the third principle", "v3.principle.3"),
        ("第三原則", "v3.principle.3"),
        ("初版の(3)って何だった？", "v1.item.3"),
        ("List the ten items of Ver 1.0.", None),
        ("What's in Appendix A?", "v3.appendix.A"),
        ("A-1とA-2の違いは？", "v3.appendix.A"),  # the check sheets are Appendix A
        ("who fills in the a-2 sheet", "v3.appendix.A"),
        ("a grade-a-1 supplier", None),
        ("2015 pension breach", None),
        ("difference between item 7 and item 8", None),
        ("directive #1 summary pls", "v3.item.1"),
        ("instruction two in plain words", "v3.item.2"),
        ("principal one", "v3.principle.1"),
        ("Ver 1.0 no.6", "v1.item.6"),
        ("#5?", "v3.item.5"),
        ("指示1〜10をざっと並べて", None),
        ("No. 2 of the 2015 principles", "v1.principle.2"),
        ("原則1〜3の要点を教えて", None),
        ("旧版（2015年版）のCISOへの指示10項目", None),
        ("Ver1.0の9番目", "v1.item.9"),
        ("初版の原則の2つ目は？", "v1.principle.2"),
        ("1つ目の質問です", None),  # a first question, not item 1
    ],
)
def test_explicit_references_are_resolved_exactly(question: str, pinned: str | None) -> None:
    assert find_mentions(normalize(question)).pinned_ref == pinned


def test_list_mentions_are_not_single_items() -> None:
    mentions = find_mentions(normalize("What are the ten items of the 2015 version?"))
    assert mentions.item_list
    assert mentions.versions == {"v1"}
    assert not mentions.items


@pytest.mark.parametrize("question", ["Which of the ten items are about backups?", "重要10項目のうちどれが予算の話？"])
def test_asking_for_one_member_of_the_list_is_not_asking_for_the_list(question: str) -> None:
    assert not find_mentions(normalize(question)).item_list


@pytest.mark.parametrize("question", ["指示1〜10をざっと並べて", "Directions 1-10 in one line each", "items 1 to 10"])
def test_a_range_of_items_means_the_list(question: str) -> None:
    mentions = find_mentions(normalize(question))
    assert mentions.item_list
    assert not mentions.items


def test_synonyms_meet_across_languages() -> None:
    synonyms = Synonyms.build({"csirt": ["CSIRT", "incident response team", "シーサート"]})
    for text in ("Who leads the incident-response teams?", "シーサートの役割", "csirt"):
        assert synonyms.concepts_in(normalize(text)) == ["_csirt"]
    assert synonyms.replace(normalize("our incident response team")).split() == ["our", "_csirt"]


@pytest.mark.parametrize(("text", "lang"), [("What is PDCA?", "en"), ("PDCAとは", "ja"), ("指示7", "ja")])
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_japanese_synonyms_do_not_depend_on_the_hash_seed() -> None:
    """Overlapping forms of equal length must resolve the same way in every process."""
    script = (
        "from knowledge import load_kb; from knowledge.text import normalize; kb = load_kb();"
        "print([kb.synonyms.concepts_in(normalize(t)) for t in "
        "['セルフチェックシートはありますか', '自己診断チェックリスト', '委託先の事業継続計画']])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(outputs) == 1, outputs


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("減速1でいう責務", "原則1"),  # real words that read the same (げんそく)
        ("セキュリティ放心を決める", "方針"),
        ("取締約の責任", "取締役"),  # not a word at all: one kanji swapped for another read やく
        ("残流リスクとは", "残留リスク"),
    ],
)
def test_kanji_an_input_method_chose_wrongly_are_read_as_the_word_meant(
    kb: KnowledgeBase, typed: str, meant: str
) -> None:
    assert meant in kb.index.homophones.correct(normalize(typed))


@pytest.mark.parametrize(
    "text",
    [
        "基本方針を決める",  # words the knowledge base uses
        "後回しにしていい?",  # the stem of a word spelt on in kana (あとまわし), whatever 後回 alone might read
        "昨日の会議で",  # sounds like 機能 only as a whole word, not kanji by kanji
    ],
)
def test_known_compounds_and_kana_stems_are_left_alone(kb: KnowledgeBase, text: str) -> None:
    assert kb.index.homophones.correct(normalize(text)) == normalize(text)
