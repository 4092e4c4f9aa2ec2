"""Safe YAML reading that remembers line numbers and refuses aliases, duplicate keys and huge files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_YAML_BYTES = 2_000_000


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


class LineDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's C parser is ~10x faster than the pure-Python one; fall back when it isn't compiled in.
_Composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Turns a composed node tree into LineDict/LineList values, refusing merge keys and duplicate keys."""

    def __init__(self) -> None:
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalars.construct_object(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            items = LineList(self.build(child) for child in node.value)
            items.line = node.start_mark.line + 1
            items.item_lines = [child.start_mark.line + 1 for child in node.value]
            return items
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.MarkedYAMLError(None, None, "merge keys (<<) are not allowed", key_node.start_mark)
            key = self.build(key_node)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise yaml.MarkedYAMLError(None, None, "keys must be text or numbers", key_node.start_mark)
            key = str(key)
            if key in mapping:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.build(value_node)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


def _refuse_aliases(text: str) -> None:
    """Aliases are refused before anything is built, so an alias bomb costs one pass over the events."""
    for event in yaml.parse(text, Loader=_Composer):
        if isinstance(event, yaml.AliasEvent):
            mark: Any = event.start_mark
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in this file", mark)


def parse_yaml(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; returns (data, problems). Data is None when the text cannot be read."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        return None, [Problem(name, 1, f"file is larger than {MAX_YAML_BYTES:,} bytes")]
    if "\x00" in text:
        return None, [Problem(name, text[: text.index("\x00")].count("\n") + 1, "NUL byte in file")]
    try:
        _refuse_aliases(text)
        node = yaml.compose(text, Loader=_Composer)
        return (None if node is None else _Builder().build(node)), []
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(name, line, f"invalid YAML: {error.problem or error.context}")]
    except yaml.YAMLError as error:
        return None, [Problem(name, 1, f"invalid YAML: {error}")]
    except RecursionError:
        return None, [Problem(name, 1, "invalid YAML: nesting is too deep")]


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(name, 1, f"cannot read file: {error.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(name, line, "file is not valid UTF-8")]
    return parse_yaml(text, name)
