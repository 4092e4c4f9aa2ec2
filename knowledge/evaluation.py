"""Scoring the answer engine on a labelled question set (used by tests and benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.model import KnowledgeBase
from knowledge.retrieval import Answer, retrieve


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    lang: str
    refs: frozenset[str]  # empty: out of scope, must be refused

    @property
    def in_scope(self) -> bool:
        return bool(self.refs)


@dataclass
class Scores:
    correct: dict[str, int] = field(default_factory=lambda: {"en": 0, "ja": 0})
    in_scope: dict[str, int] = field(default_factory=lambda: {"en": 0, "ja": 0})
    refused: int = 0
    out_of_scope: int = 0
    wrong_answers: int = 0  # in-scope questions answered with the wrong entry
    misses: list[tuple[LabelledQuestion, Answer]] = field(default_factory=list)

    def top1(self, lang: str) -> float:
        return self.correct[lang] / self.in_scope[lang] if self.in_scope[lang] else 0.0

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.out_of_scope if self.out_of_scope else 0.0


def load_questions(path: Path) -> list[LabelledQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        LabelledQuestion(str(item["q"]), str(item["lang"]), frozenset(item.get("refs") or ()))
        for item in data["questions"]
    ]


def score(
    questions: Iterable[LabelledQuestion],
    kb: KnowledgeBase,
    answer: Callable[[str, KnowledgeBase], Answer] = retrieve,
) -> Scores:
    scores = Scores()
    for item in questions:
        result = answer(item.question, kb)
        if item.in_scope:
            scores.in_scope[item.lang] += 1
            if result.answered and set(result.refs) & item.refs:
                scores.correct[item.lang] += 1
                continue
            if result.answered:
                scores.wrong_answers += 1
        else:
            scores.out_of_scope += 1
            if not result.answered:
                scores.refused += 1
                continue
        scores.misses.append((item, result))
    return scores


def describe_miss(item: LabelledQuestion, result: Answer) -> dict[str, Any]:
    return {
        "q": item.question,
        "want": sorted(item.refs) or "refuse",
        "got": list(result.refs) if result.answered else "refused",
        "best": result.suggestions[0].id if result.suggestions else None,
        "score": round(result.score, 3),
    }
