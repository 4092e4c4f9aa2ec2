"""What a question asks for besides its topic: these readings only add evidence, so both directions matter."""

from __future__ import annotations

import pytest

from knowledge.intents import (
    AMOUNT,
    PAGE,
    PERSON,
    asked_kinds,
    asked_units,
    asks_figure,
    gives_figures,
    gives_unit,
    names_unknown_version,
    unserved_requests,
)
from knowledge.text import normalize


@pytest.mark.parametrize(
    "question",
    [
        "Can you recommend a good SOC provider in Tokyo?",
        "Which SIEM vendor fits Direction 5 best?",
        "Which cyber insurer should our subcontractors use?",
        "Which EDR product does METI recommend for Direction 5?",
        "Which password manager would you use at home?",
        "How much does a penetration test cost?",
        "Please translate Direction 2 into French",
        "Could you draft a security policy statement for us?",
        "指示9の対応におすすめのツールはどれですか？",
        "サイバー保険の保険料の相場は？",
        "付録Cの原文のまま貼り付けてください",
        "Please fill in the Appendix A-2 check sheet for our company.",
        "付録Aのチェックシートを当社の分だけ記入してください。",
        "When will the 5th edition of the Practices Collection come out?",
        "プラクティス集の第5版はいつ出ますか？",
        "次の改訂ではAIに関する指示が追加されますか？",
        "How do I set up MFA on my Outlook account?",
        "I forgot my Slack password, how do I reset it?",
        "Microsoft 365で多要素認証を設定する手順は？",
    ],
)
def test_requests_no_entry_serves_are_recognised(question: str) -> None:
    assert unserved_requests(normalize(question))


@pytest.mark.parametrize(
    "question",
    [
        # What the guidelines recommend is their content, not a pick asked of the bot.
        "Does the guideline recommend a CSIRT?",
        "Which product categories does Direction 5 mention?",
        "Do we need to write a security policy?",
        "Should we ask small suppliers to sign up to SECURITY ACTION?",
        "英語の原文はありますか？",
        "セキュリティ予算はいくら必要？",  # the guidelines answer this: no fixed amount, decide by risk
        "Is there an official English translation?",
        "How do I register for SECURITY ACTION?",
        "Which tool should we use to check our progress against the guidelines?",
        "Which products does Direction 5 say we need, in general terms?",
        "Are there good tools for a self-assessment?",
        "SECURITY ACTIONの申し込み方法は？",
        "ガイドラインでおすすめされている対策は？",
        "Who should fill in the check sheet, me or my team?",
        "プラクティス集の最新版はいつ出ましたか",  # a past edition's date is on record
        "来月の取締役会で議題にする予定です。3原則を教えてください",  # the asker's plan, not the guidelines'
        "How do we set up a CSIRT?",  # building what the guidelines ask for is their content
        "CSIRTを作って、最初に何をすればいい？",
        "Do you use an outside AI service to answer questions?",
        "What are the best practices for MFA under Direction 5?",
        "What came in the next version after Ver 1.0?",  # a past edition, not a forecast
        "Ver2.0の次の改訂で何が変わった？",
        "How do I change the day my check-in arrives?",
        "Does Direction 5 expect us to turn on MFA?",
    ],
)
def test_questions_about_the_guidelines_are_not_taken_for_requests(question: str) -> None:
    assert not unserved_requests(normalize(question))


def test_requests_are_told_apart_by_kind() -> None:
    """An entry that answers one kind (the free tool's price) is not thereby an answer to another (a pick)."""
    assert unserved_requests(normalize("指示9の対応におすすめのツールはどれですか？")) == {"pick"}
    assert unserved_requests(normalize("How much does the visualization tool cost?")) == {"price"}
    assert unserved_requests(normalize("When is the next edition coming out?")) == {"forecast"}
    assert unserved_requests(normalize("パスワードを忘れました")) == {"setup"}


def test_figures_asked_and_given() -> None:
    assert asks_figure(normalize("How many hours does Direction 8 allow?"))
    assert asks_figure(normalize("研修受講率は何%を目標にすべき？"))
    assert not asks_figure(normalize("What does Direction 8 ask for?"))
    # Part numbers, versions and years are not figures; counts and dates are.
    assert not gives_figures(normalize("Direction 8 of Ver 3.0 (2023) builds on Appendix A-2."))
    assert gives_figures(normalize("Appendix A-2 has 40 checks."))


def test_only_versions_after_3_0_are_unknown() -> None:
    assert names_unknown_version(normalize("When is Ver 4.0 coming out?"))
    assert names_unknown_version(normalize("バージョン5の予定は？"))
    assert not names_unknown_version(normalize("What changed in version 3.0?"))
    assert not names_unknown_version(normalize("IPv4 addresses"))
    assert not names_unknown_version(normalize("How does Appendix D map to CIS Controls v8?"))


def test_which_part_is_asked_for() -> None:
    assert asked_kinds(normalize("Which item covers budgets?")) == {"item"}
    assert asked_kinds(normalize("どの原則に当たりますか")) == {"principle"}
    assert asked_kinds(normalize("What is a CSIRT?")) == frozenset()


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("How many public comments did METI receive?", {"public comments"}),
        ("Within how many days must we report?", {"days"}),
        ("What exact percentage of revenue should we spend?", {"%"}),
        ("速報は何日以内に出す必要がありますか？", {"日"}),
        ("宣言にかかる費用はいくらですか？", {AMOUNT}),
        ("Who chaired the study group?", {PERSON}),  # a person, where "who should own Direction 4?" is a role
        ("研究会の座長は誰でしたか？", {PERSON}),
        ("Which page of the PDF covers Direction 5?", {PAGE}),
        ("What is the maximum GDPR fine for a data breach?", {AMOUNT}),
        ("マイナンバーを漏えいした場合の罰則はどのくらいですか？", {AMOUNT}),
        ("ガイドラインを守らないと罰則はある？", set()),  # whether there is one, not how much
        ("Who should own Direction 4?", set()),
        ("What does Direction 7 ask for?", set()),
    ],
)
def test_the_unit_of_an_asked_figure_is_read(question: str, units: set[str]) -> None:
    assert asked_units(normalize(question)) == units
    assert asks_figure(normalize(question)) == bool(units)


@pytest.mark.parametrize(
    ("answer", "unit", "given"),
    [
        ("lists ten important items, called directions, in five groups", "directions", True),
        ("速報は概ね3〜5日以内、確報は30日以内", "日", True),
        ("the tool is free to use", AMOUNT, True),
        ("ver 3.0 (2023) lists ten directions", "public comments", False),  # a figure, but not a count of those
        ("2023年3月に改訂された", "件", False),
        ("the 4th edition came out in 2023 with added cases", "case studies", False),  # a year counts nothing
        ("40 checks tagged with NIST identifiers", "checks", True),
        ("drafted by a study group of METI and IPA", PERSON, False),
        ("see page 12 of the PDF", PAGE, True),
    ],
)
def test_an_answer_gives_a_figure_only_in_the_unit_it_counts(answer: str, unit: str, *, given: bool) -> None:
    assert gives_unit(normalize(answer), unit) is given
