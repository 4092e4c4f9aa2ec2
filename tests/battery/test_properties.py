"""Properties over generated input (hypothesis): escaping is total; parsers never crash and always
say where the problem is."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks import answer_message
from bot.slack_text import escape, to_plain
from knowledge import KnowledgeBase, check_kb, retrieve

pytestmark = pytest.mark.battery
LOCATED = re.compile(r"^.+:\d+: ")
MARKUP = re.compile(r"<[@#!]")


@given(st.text())
def test_escaping_is_total(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert not MARKUP.search(escaped)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_no_question_can_make_the_reply_mention_anyone(kb: KnowledgeBase, text: str) -> None:
    message = answer_message(retrieve(to_plain(text), kb), question_id=1)
    assert not MARKUP.search(json.dumps(message.blocks, ensure_ascii=False))


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(st.one_of(yaml_values, st.fixed_dictionaries({"entries": st.lists(yaml_values, max_size=3)})))
def test_kb_check_never_crashes_and_locates_every_problem(data: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        _kb, problems = check_kb(path)
        for problem in problems:
            if problem.file == str(path):
                assert LOCATED.match(str(problem)), str(problem)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=500))
def test_kb_check_never_crashes_on_arbitrary_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        kb, problems = check_kb(path)
        assert kb is not None or problems
        assert all(LOCATED.match(str(p)) for p in problems if p.file == str(path))
