"""The shipped knowledge: complete, bilingual, consistent, and honest about what the guidelines are."""

from __future__ import annotations

import re

import pytest

from knowledge import KnowledgeBase, check_kb, retrieve
from knowledge.refs import CANONICAL_REFS, CHECK_REFS, V3_CHECKS_PER_ITEM

MIN_PHRASINGS = 5


def sentences(text: str, lang: str) -> int:
    if lang == "ja":
        return len(re.findall(r"。|[！？](?=\s|$)", text))
    return len(re.findall(r"[.!?](?=\s|$)", text))


def test_kb_checks_with_no_errors_and_no_warnings() -> None:
    kb, problems = check_kb()
    assert kb is not None
    assert [str(p) for p in problems] == []


def test_every_canonical_ref_is_covered(kb: KnowledgeBase) -> None:
    covered = {ref for entry in kb.entries for ref in entry.refs}
    assert sorted(set(CANONICAL_REFS) - covered) == []


def test_every_entry_is_bilingual_with_enough_phrasings(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        for lang in ("en", "ja"):
            assert len(entry.questions[lang]) >= MIN_PHRASINGS, (entry.id, lang)
            assert entry.title.get(lang)
            assert 2 <= sentences(entry.answer.get(lang), lang) <= 6, (entry.id, lang)
        assert entry.source.document
        assert entry.source.section


def test_japanese_answers_have_no_stray_spaces_between_sentences(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        assert "。 " not in entry.answer.ja, entry.id


def test_all_40_checks_exist_with_nist_ids(kb: KnowledgeBase) -> None:
    v3 = kb.frameworks["v3"]
    assert [len(item.checks) for item in v3.items] == [V3_CHECKS_PER_ITEM[n] for n in range(1, 11)]
    assert tuple(check.ref for check in v3.checks) == CHECK_REFS
    for check in v3.checks:
        assert check.text.en
        assert check.text.ja
    # Appendix A-2 prints no NIST id for check 1.1; every other check names at least one.
    assert sum(1 for check in v3.checks if not check.nist_csf) <= 1


def test_frameworks_and_mapping_cover_every_item(kb: KnowledgeBase) -> None:
    for version in ("v1", "v2", "v3"):
        assert [item.number for item in kb.frameworks[version].items] == list(range(1, 11))
        assert len(kb.frameworks[version].principles) == 3
    assert sorted(row.v3 for row in kb.mapping) == list(range(1, 11))
    assert {n for row in kb.mapping for n in row.v1} == set(range(1, 11))
    assert [level.level for level in kb.maturity] == list(range(6))


def test_v3_items_relate_to_their_predecessors(kb: KnowledgeBase) -> None:
    for row in kb.mapping:
        related = set(kb.entry(f"v3-item-{row.v3}").related)
        older = {f"v2-item-{n}" for n in row.v2} | {f"v1-item-{n}" for n in row.v1}
        assert related & older, row.v3


@pytest.mark.parametrize(
    ("question", "expected_word"),
    [
        ("Is this guideline mandatory? Are we compliant?", "voluntary"),
        ("このガイドラインは義務ですか？", "任意"),
    ],
)
def test_compliance_questions_explain_it_is_voluntary(kb: KnowledgeBase, question: str, expected_word: str) -> None:
    answer = retrieve(question, kb)
    assert answer.refs == ("topic.legal-status",)
    assert expected_word in answer.text()


def test_where_sources_disagree_the_answer_says_so(kb: KnowledgeBase) -> None:
    background = kb.entry("topic-incidents-background")
    assert "1.25 million" in background.answer.en
    assert "1.01 million" in background.answer.en
    assert "125万" in background.answer.ja
    assert "101万" in background.answer.ja


def test_no_answer_calls_the_guidelines_certifiable(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        text = entry.answer.en.lower()
        assert "you can be certified" not in text
        assert "legally binding" not in text or "not legally binding" in text or "isn't legally" in text, entry.id
