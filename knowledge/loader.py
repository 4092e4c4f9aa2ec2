"""Load and validate the knowledge base: entries, framework data and synonyms.

Every problem is reported as `file:line: message`; `load_kb` refuses a knowledge base with errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.model import (
    LANGS,
    Check,
    Entry,
    Example,
    Framework,
    Item,
    KnowledgeBase,
    Lang,
    MappingRow,
    MaturityLevel,
    Principle,
    Source,
    Text,
)
from knowledge.refs import CANONICAL_REFS, V3_CHECKS_PER_ITEM, is_known_ref
from knowledge.text import Synonyms
from knowledge.yamlio import LineDict, LineList, Problem, read_yaml

SHIPPED_ROOT = Path(__file__).resolve().parent
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_NIST_ID = re.compile(r"^[A-Z]{2}\.[A-Z]{2}(?:-\d{1,2})?$")
ENTRY_KEYS = {"id", "refs", "title", "questions", "answer", "source", "keywords", "related"}
MIN_PHRASINGS = 5


class KnowledgeError(Exception):
    """The knowledge base has errors; `problems` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message, "warning"))


def _line(node: Any, key: str | int, default: int) -> int:
    """The line of `key` inside `node`; `default` (the parent's line) when the key is absent."""
    if isinstance(node, LineDict) and isinstance(key, str):
        return node.key_lines.get(key, default)
    if isinstance(node, LineList) and isinstance(key, int) and key < len(node.item_lines):
        return node.item_lines[key]
    return default


_JA_GAP = re.compile(
    r"(?<=[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff1f])\s+(?=[\u3000-\u30ff\u4e00-\u9fff\uff08-\uff5e])"
)


_JA_AFTER_STOP = re.compile(r"(?<=[。、！？」』）])[ \t\n]+")


def _tidy(value: str, lang: str) -> str:
    """YAML's folded style joins lines with a space, which Japanese text must not have."""
    value = value.strip()
    return _JA_GAP.sub("", _JA_AFTER_STOP.sub("", value)) if lang == "ja" else value


def _text(node: Any, where: str, file: str, line: int, out: _Collector) -> Text | None:
    if not isinstance(node, dict):
        out.error(file, line, f"{where}: expected a mapping with 'en' and 'ja'")
        return None
    values: dict[str, str] = {}
    for lang in LANGS:
        value = node.get(lang)
        if not isinstance(value, str) or not value.strip():
            out.error(file, _line(node, lang, line), f"{where}: missing or empty '{lang}'")
        else:
            values[lang] = _tidy(value, lang)
    for key in node:
        if key not in LANGS:
            out.error(file, _line(node, key, line), f"{where}: unknown language {key!r} (use en and ja)")
    if len(values) != len(LANGS):
        return None
    return Text(en=values["en"], ja=values["ja"])


def _phrases(
    node: Any, where: str, file: str, line: int, out: _Collector, *, required: bool
) -> dict[Lang, tuple[str, ...]] | None:
    if node is None and not required:
        return {}
    if not isinstance(node, dict):
        out.error(file, line, f"{where}: expected a mapping with 'en' and 'ja' lists")
        return None
    result: dict[Lang, tuple[str, ...]] = {}
    ok = True
    for lang in LANGS:
        items = node.get(lang)
        lang_line = _line(node, lang, line)
        if items is None and not required:
            result[lang] = ()
            continue
        if not isinstance(items, list) or not items:
            out.error(file, lang_line, f"{where}: missing or empty '{lang}' list")
            ok = False
            continue
        phrases = []
        for index, phrase in enumerate(items):
            if not isinstance(phrase, str | int | float) or not str(phrase).strip():
                out.error(file, _line(items, index, lang_line), f"{where}.{lang}[{index}]: empty phrasing")
                ok = False
            else:
                phrases.append(str(phrase).strip())
        if required and len(phrases) < MIN_PHRASINGS:
            out.warn(file, lang_line, f"{where}.{lang}: {len(phrases)} phrasings; {MIN_PHRASINGS}+ retrieve better")
        result[lang] = tuple(phrases)
    for key in node:
        if key not in LANGS:
            out.error(file, _line(node, key, line), f"{where}: unknown language {key!r} (use en and ja)")
    return result if ok else None


def _source(node: Any, file: str, line: int, out: _Collector) -> Source | None:
    if not isinstance(node, dict):
        out.error(file, line, "source: expected a mapping with document, version and section")
        return None
    values = {}
    for key in ("document", "version", "section"):
        value = node.get(key)
        if not isinstance(value, str | int | float) or not str(value).strip():
            out.error(file, _line(node, key, line), f"source: missing '{key}'")
        else:
            values[key] = str(value).strip()
    if len(values) != 3:
        return None
    return Source(**values)


def _parse_entry(node: Any, file: str, line: int, out: _Collector) -> Entry | None:
    if not isinstance(node, dict):
        out.error(file, line, "entry: expected a mapping")
        return None
    before = len(out.problems)
    line = getattr(node, "line", line)
    for key in node:
        if key not in ENTRY_KEYS:
            out.error(file, _line(node, key, line), f"unknown field {key!r}")
    entry_id = node.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        out.error(file, _line(node, "id", line), f"id: {entry_id!r} is not a slug (a-z, 0-9, -)")
    refs = node.get("refs")
    if not isinstance(refs, list) or not refs:
        out.error(file, _line(node, "refs", line), "refs: expected a non-empty list of canonical refs")
        refs = []
    for index, ref in enumerate(refs):
        if not isinstance(ref, str) or not is_known_ref(ref):
            out.error(file, _line(refs, index, line), f"refs: unknown canonical ref {ref!r}")
    missing = [key for key in ("title", "questions", "answer", "source") if key not in node]
    for key in missing:
        out.error(file, line, f"entry {entry_id!r}: missing '{key}'")
    title = _text(node.get("title"), "title", file, _line(node, "title", line), out) if "title" in node else None
    answer = _text(node.get("answer"), "answer", file, _line(node, "answer", line), out) if "answer" in node else None
    questions = _phrases(node.get("questions"), "questions", file, _line(node, "questions", line), out, required=True)
    keywords = _phrases(node.get("keywords"), "keywords", file, _line(node, "keywords", line), out, required=False)
    source = _source(node.get("source"), file, _line(node, "source", line), out) if "source" in node else None
    related = node.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        out.error(file, _line(node, "related", line), "related: expected a list of entry ids")
        related = []
    if len(out.problems) > before and any(p.severity == "error" for p in out.problems[before:]):
        return None
    assert title and answer and questions is not None and keywords is not None and source  # noqa: PT018
    return Entry(
        id=str(entry_id),
        refs=tuple(refs),
        title=title,
        questions=questions,
        answer=answer,
        source=source,
        keywords=keywords,
        related=tuple(related),
        file=file,
        line=line,
    )


def parse_entries_file(path: Path, out: _Collector) -> list[tuple[Entry, Any]]:
    data, problems = read_yaml(path)
    out.problems += problems
    if problems:
        return []
    file = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        out.error(file, getattr(data, "line", 1), "expected a top-level 'entries:' list")
        return []
    parsed = []
    items = data["entries"]
    for index, node in enumerate(items):
        entry = _parse_entry(node, file, _line(items, index, 1), out)
        if entry is not None:
            related_node = node.get("related") if isinstance(node, dict) else None
            parsed.append((entry, related_node))
    return parsed


def parse_examples_file(path: Path, out: _Collector) -> list[Example]:
    """Labelled questions: `questions:` items of `q`, `lang` and `refs` (an empty list: out of scope, kept
    for calibration only, so not returned)."""
    data, problems = read_yaml(path)
    out.problems += problems
    if problems:
        return []
    file = str(path)
    nodes = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(nodes, list):
        out.error(file, getattr(data, "line", 1), "expected a top-level 'questions:' list")
        return []
    examples = []
    for index, node in enumerate(nodes):
        line = _line(nodes, index, 1)
        if not isinstance(node, dict):
            out.error(file, line, "expected a mapping with q, lang and refs")
            continue
        question, lang, refs = node.get("q"), node.get("lang"), node.get("refs")
        if not isinstance(question, str) or not question.strip():
            out.error(file, _line(node, "q", line), "q: missing or empty question")
            continue
        if lang not in LANGS:
            out.error(file, _line(node, "lang", line), f"lang: expected en or ja, not {lang!r}")
            continue
        if refs is None:
            refs = []
        if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
            out.error(file, _line(node, "refs", line), "refs: expected a list of canonical refs ([] if out of scope)")
            continue
        unknown = [ref for ref in refs if not is_known_ref(ref)]
        if unknown:
            out.error(file, _line(node, "refs", line), f"refs: unknown canonical ref {unknown[0]!r}")
            continue
        examples.append(Example(question.strip(), lang, frozenset(refs), file, line))
    return examples


def _int(node: Any, key: str, file: str, line: int, out: _Collector) -> int | None:
    value = node.get(key) if isinstance(node, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        out.error(file, _line(node, key, line), f"{key}: expected a whole number")
        return None
    return value


def _parse_framework(path: Path, out: _Collector) -> Framework | None:
    data, problems = read_yaml(path)
    out.problems += problems
    if problems:
        return None
    file = str(path)
    if not isinstance(data, dict):
        out.error(file, 1, "expected a mapping with version, name, principles and items")
        return None
    before = len(out.problems)
    version = data.get("version")
    if version not in ("v1", "v2", "v3"):
        out.error(file, _line(data, "version", 1), f"version: {version!r} is not v1, v2 or v3")
    name = _text(data.get("name"), "name", file, _line(data, "name", 1), out)
    principles = []
    for index, node in enumerate(data.get("principles") or []):
        line = _line(data["principles"], index, 1)
        number = _int(node, "number", file, line, out)
        title = _text(node.get("title") if isinstance(node, dict) else None, "title", file, line, out)
        if number and title:
            principles.append(Principle(number, title))
    items = []
    for index, node in enumerate(data.get("items") or []):
        line = _line(data["items"], index, 1)
        number = _int(node, "number", file, line, out)
        if not isinstance(node, dict):
            continue
        title = _text(node.get("title"), "title", file, _line(node, "title", line), out)
        summary = _text(node.get("summary"), "summary", file, _line(node, "summary", line), out)
        checks = []
        for check_index, check_node in enumerate(node.get("checks") or []):
            check_line = _line(node["checks"], check_index, line)
            check_number = _int(check_node, "number", file, check_line, out)
            if not isinstance(check_node, dict):
                continue
            text = _text(check_node.get("text"), "text", file, check_line, out)
            nist = check_node.get("nist_csf") or []
            for nist_id in nist:
                if not isinstance(nist_id, str) or not _NIST_ID.match(nist_id):
                    out.error(
                        file, _line(check_node, "nist_csf", check_line), f"nist_csf: {nist_id!r} is not a NIST CSF id"
                    )
            if number and check_number and text:
                checks.append(Check(number, check_number, text, tuple(str(n) for n in nist)))
        if number and title and summary:
            items.append(Item(number, title, summary, str(node.get("group", "")), tuple(checks)))
    numbers = sorted(item.number for item in items)
    if numbers != list(range(1, 11)) and len(out.problems) == before:
        out.error(file, _line(data, "items", 1), f"items: expected numbers 1-10, found {numbers}")
    if version == "v3" and len(out.problems) == before:
        for item in items:
            expected = V3_CHECKS_PER_ITEM[item.number]
            found = sorted(check.number for check in item.checks)
            if found != list(range(1, expected + 1)):
                out.error(
                    file, _line(data, "items", 1), f"item {item.number}: expected checks 1-{expected}, found {found}"
                )
    if len(out.problems) > before or name is None:
        return None
    return Framework(str(version), name, str(data.get("published", "")), tuple(principles), tuple(items))


def _parse_mapping(path: Path, out: _Collector) -> list[MappingRow]:
    data, problems = read_yaml(path)
    out.problems += problems
    file = str(path)
    rows: list[MappingRow] = []
    if problems:
        return rows
    nodes = data.get("mapping") if isinstance(data, dict) else None
    if not isinstance(nodes, list):
        out.error(file, 1, "expected a top-level 'mapping:' list")
        return rows
    for index, node in enumerate(nodes):
        line = _line(nodes, index, 1)
        v3 = _int(node, "v3", file, line, out)
        note = _text(node.get("note") if isinstance(node, dict) else None, "note", file, line, out)
        if v3 is None or note is None:
            continue
        older = {}
        for key in ("v2", "v1"):
            value = node.get(key) or []
            if not isinstance(value, list) or not all(isinstance(n, int) and 1 <= n <= 10 for n in value):
                out.error(file, _line(node, key, line), f"{key}: expected a list of item numbers 1-10")
                value = []
            older[key] = tuple(value)
        rows.append(MappingRow(v3, older["v2"], older["v1"], note))
    return rows


def _parse_maturity(path: Path, out: _Collector) -> list[MaturityLevel]:
    data, problems = read_yaml(path)
    out.problems += problems
    file = str(path)
    levels: list[MaturityLevel] = []
    if problems:
        return levels
    nodes = data.get("levels") if isinstance(data, dict) else None
    if not isinstance(nodes, list):
        out.error(file, 1, "expected a top-level 'levels:' list")
        return levels
    for index, node in enumerate(nodes):
        line = _line(nodes, index, 1)
        level = _int(node, "level", file, line, out)
        if not isinstance(node, dict):
            continue
        label = _text(node.get("label"), "label", file, line, out)
        description = _text(node.get("description"), "description", file, line, out)
        if level is not None and label and description:
            levels.append(MaturityLevel(level, label, description))
    if [lv.level for lv in levels] != list(range(6)) and not out.problems:
        out.error(file, 1, "levels: expected levels 0-5 in order")
    return levels


def _parse_synonyms(path: Path, out: _Collector) -> dict[str, list[str]]:
    data, problems = read_yaml(path)
    out.problems += problems
    if problems:
        return {}
    concepts = data.get("concepts") if isinstance(data, dict) else None
    if not isinstance(concepts, dict):
        out.error(str(path), 1, "expected a top-level 'concepts:' mapping")
        return {}
    result = {}
    for concept, forms in concepts.items():
        if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
            out.error(str(path), _line(concepts, concept, 1), f"{concept}: expected a list of words")
            continue
        result[concept] = forms
    return result


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def _is_full_kb(folder: Path) -> bool:
    return (folder / "framework").is_dir()


@dataclass
class _Sources:
    entry_files: list[Path]
    framework_dir: Path
    synonyms_file: Path
    example_files: list[Path]


def _sources(extra: Path | None) -> _Sources:
    """Shipped knowledge, plus an extra folder (same ids override) or a full replacement folder."""
    root = SHIPPED_ROOT
    entry_files = _yaml_files(root / "entries")
    example_files = _yaml_files(root / "examples")
    if extra is not None:
        if extra.is_file():
            entry_files.append(extra)
        elif _is_full_kb(extra):
            root = extra
            entry_files = _yaml_files(extra / "entries")
            example_files = _yaml_files(extra / "examples")
        else:
            entry_files += _yaml_files(extra / "entries") or _yaml_files(extra)
            example_files += _yaml_files(extra / "examples")
    synonyms = root / "synonyms.yaml"
    return _Sources(
        entry_files,
        root / "framework",
        synonyms if synonyms.exists() else SHIPPED_ROOT / "synonyms.yaml",
        example_files,
    )


def _merge_entries(files: Iterable[Path], out: _Collector) -> list[Entry]:
    """Later files override earlier ones by id across folders; a duplicate id inside one folder is an error."""
    by_id: dict[str, Entry] = {}
    related_nodes: dict[str, Any] = {}
    for path in files:
        for entry, related_node in parse_entries_file(path, out):
            previous = by_id.get(entry.id)
            if previous is not None and Path(previous.file).parent == path.parent:
                out.error(
                    entry.file, entry.line, f"duplicate id {entry.id!r} (first at {previous.file}:{previous.line})"
                )
                continue
            by_id[entry.id] = entry
            related_nodes[entry.id] = related_node
    for entry in by_id.values():
        node = related_nodes[entry.id]
        for index, target in enumerate(entry.related):
            if target not in by_id:
                out.error(entry.file, _line(node, index, entry.line), f"related: {target!r} points to no entry")
            elif target == entry.id:
                out.error(entry.file, _line(node, index, entry.line), "related: an entry cannot relate to itself")
    return list(by_id.values())


def _answered_examples(files: Iterable[Path], entries: list[Entry], out: _Collector) -> list[Example]:
    """Every labelled example whose refs some entry answers; one that no entry answers is reported, not used."""
    covered = {ref for entry in entries for ref in entry.refs}
    examples = []
    for path in files:
        for example in parse_examples_file(path, out):
            if not example.refs or example.refs & covered:
                examples.append(example)
            else:
                out.warn(example.file, example.line, f"refs: no entry answers {sorted(example.refs)[0]!r}")
    return examples


def _coverage(entries: list[Entry], folder: Path, out: _Collector) -> None:
    covered = {ref for entry in entries for ref in entry.refs}
    for ref in CANONICAL_REFS:
        if ref not in covered:
            out.warn(str(folder), 0, f"canonical ref {ref} has no entry")


def check_kb(extra: Path | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate everything; returns the knowledge base when it has no errors, and all problems."""
    out = _Collector()
    sources = _sources(extra)
    entries = _merge_entries(sources.entry_files, out)
    frameworks = {}
    for name in ("v1", "v2", "v3"):
        path = sources.framework_dir / f"{name}.yaml"
        if not path.exists():
            out.error(str(path), 0, "framework file is missing")
            continue
        framework = _parse_framework(path, out)
        if framework is not None:
            if framework.version != name:
                out.error(str(path), 1, f"version: file {path.name} declares {framework.version}")
            frameworks[framework.version] = framework
    mapping = _parse_mapping(sources.framework_dir / "mapping.yaml", out)
    maturity = _parse_maturity(sources.framework_dir / "maturity.yaml", out)
    synonyms = Synonyms.build(_parse_synonyms(sources.synonyms_file, out))
    _coverage(entries, sources.framework_dir.parent / "entries", out)
    examples = _answered_examples(sources.example_files, entries, out)
    problems = sorted(out.problems, key=lambda p: (p.file, p.line))
    if not entries:
        problems.append(Problem(str(sources.framework_dir.parent), 0, "no knowledge entries found"))
    if any(p.severity == "error" for p in problems):
        return None, problems
    kb = KnowledgeBase(
        entries=tuple(entries),
        frameworks=frameworks,
        mapping=tuple(mapping),
        maturity=tuple(maturity),
        synonyms=synonyms,
        examples=tuple(examples),
    )
    return kb, problems


def load_kb(extra: Path | str | None = None) -> KnowledgeBase:
    """The knowledge base the bot answers from; raises KnowledgeError listing every problem."""
    kb, problems = check_kb(Path(extra) if extra else None)
    if kb is None:
        raise KnowledgeError([p for p in problems if p.severity == "error"])
    return kb
