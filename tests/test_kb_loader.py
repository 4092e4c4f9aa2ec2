"""The loader and `kb check`: every broken fixture is reported at its line, and nothing loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import KnowledgeError, check_kb, load_kb, retrieve

BROKEN = sorted((Path(__file__).parent / "fixtures" / "kb_broken").glob("*.yaml"))


def expectation(path: Path) -> tuple[int, str]:
    match = re.match(r"# expect: (\d+): (.+)", path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} needs a '# expect: LINE: message' first line"
    return int(match.group(1)), match.group(2)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_each_broken_file_is_reported_at_its_line(path: Path) -> None:
    line, message = expectation(path)
    kb, problems = check_kb(path)
    assert kb is None
    located = [p for p in problems if p.file == str(path) and p.severity == "error"]
    assert any(p.line == line and message in p.message for p in located), [str(p) for p in located]


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_kb_check_cli_prints_file_line_and_fails(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line, message = expectation(path)
    assert main(["kb", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err
    assert message in err


def test_shipped_kb_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("OK: ")
    assert out.err == ""


def test_load_kb_refuses_a_broken_extra_folder(tmp_path: Path) -> None:
    shutil.copy(BROKEN[0], tmp_path / "broken.yaml")
    with pytest.raises(KnowledgeError) as raised:
        load_kb(tmp_path)
    assert raised.value.problems
    assert all(p.severity == "error" for p in raised.value.problems)


def test_extra_folder_adds_and_overrides_entries(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(
        """entries:
  - id: topic-overview
    refs: [topic.overview]
    title: {en: "Our overview", ja: "当社向けの概要"}
    questions: {en: ["What is the house overview?"], ja: ["社内向けの概要は？"]}
    answer: {en: "Our own words. Second sentence.", ja: "当社の説明です。二文目です。"}
    source: {document: "House notes", version: "1", section: "intro"}
""",
        encoding="utf-8",
    )
    kb = load_kb(tmp_path)
    assert kb.entry("topic-overview").title.en == "Our overview"
    assert len(kb.entries) == len(load_kb().entries)


def test_framework_with_a_missing_check_is_an_error(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[1] / "knowledge"
    shutil.copytree(shipped / "framework", tmp_path / "framework")
    shutil.copytree(shipped / "entries", tmp_path / "entries")
    v3 = tmp_path / "framework" / "v3.yaml"
    text = v3.read_text(encoding="utf-8")
    # Drop the last check of item 10 (its block starts with the last "- number: 2").
    cut = text.rindex("- number: 2")
    v3.write_text(text[:cut], encoding="utf-8")
    kb, problems = check_kb(tmp_path)
    assert kb is None
    assert any("item 10: expected checks 1-2" in p.message and p.file == str(v3) for p in problems)


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("entries:\n  - id: caf\xe9\n".encode("latin-1"))
    _kb, problems = check_kb(path)
    assert any(p.file == str(path) and p.line == 2 and "UTF-8" in p.message for p in problems)


def _write_examples(folder: Path, text: str) -> Path:
    (folder / "examples").mkdir()
    path = folder / "examples" / "house.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('  - q: "Who owns item eleven?"\n    lang: en\n    refs: [v3.item.11]\n', 4, "unknown canonical ref"),
        ('  - q: "Who owns item 7?"\n    lang: fr\n    refs: [v3.item.7]\n', 3, "lang: expected en or ja"),
        ('  - q: ""\n    lang: en\n    refs: [v3.item.7]\n', 2, "q: missing or empty question"),
        ('  - q: "Who owns item 7?"\n    lang: en\n    refs: v3.item.7\n', 4, "refs: expected a list"),
    ],
)
def test_a_broken_labelled_example_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, line: int, message: str
) -> None:
    path = _write_examples(tmp_path, "questions:\n" + body)
    assert main(["kb", "check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err
    assert message in err


def test_labelled_examples_teach_a_new_way_of_asking(tmp_path: Path) -> None:
    """The engine reads each example as one more phrasing of the entries its refs name, in either language;
    a word no entry uses counts for an entry once two of its examples use it (one asker's context is not its topic)."""
    _write_examples(
        tmp_path,
        """questions:
  - q: "What does the red binder say about the phone tree?"
    lang: en
    refs: [v3.item.7]
  - q: "Who keeps the red binder with the phone tree up to date?"
    lang: en
    refs: [v3.item.7]
  - q: "赤いバインダーの連絡網には何が書いてある？"
    lang: ja
    refs: [v3.item.7]
  - q: "赤いバインダーの連絡網は誰が更新する？"
    lang: ja
    refs: [v3.item.7]
  - q: "Is the canteen open on Saturday?"
    lang: en
    refs: []
""",
    )
    shipped, taught = load_kb(), load_kb(tmp_path)
    assert len(taught.examples) == len(shipped.examples) + 5
    for question in ("What does the red binder say about our phone tree?", "赤いバインダーの連絡網について教えて"):
        assert not retrieve(question, shipped).answered
        answer = retrieve(question, taught)
        assert answer.answered
        assert answer.entry is not None
        assert answer.entry.id == "v3-item-7"
