"""Retrieval speed and quality.

    python benchmarks/retrieval.py

Speed: load+index time and p50/p99 ms per question at the shipped KB size and at 1,000 and 10,000
entries (synthetic expansion: shipped entries cloned with their wording shuffled and ids renamed).
Quality: top-1 accuracy per language and refusal rate on each question set, beside a BM25 baseline
(bm25s over the same entries' titles, phrasings and keywords, answering its top hit when its score
clears the threshold that maximises its own accuracy on the fitted sets). Shishin's ranking and
calibration weights are fitted on the training sets and the dev set (benchmarks/calibrate.py); the
held-out sets are never fitted on, so their rows are the honest figures.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import bm25s
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.calibrate import DEFAULT_SETS, without_examples_from  # noqa: E402
from knowledge import KnowledgeBase, load_kb, retrieve  # noqa: E402
from knowledge.evaluation import LabelledQuestion, Scores, load_questions, score  # noqa: E402
from knowledge.model import Entry, Text  # noqa: E402
from knowledge.retrieval import Answer  # noqa: E402
from knowledge.text import detect_lang, normalize, tokenize  # noqa: E402

DATA = ROOT / "tests" / "data"
FITTED = tuple(Path(path).stem for path in DEFAULT_SETS)  # the sets calibrate.py fits the weights on
# Used to accept or reject engine changes, never fitted (each file says why).
VALIDATION = ("validation_blind7", "validation_blind9")
HELD_OUT = ("heldout", "heldout_final", "heldout_blind", "heldout_nearmiss")


def expand(kb: KnowledgeBase, size: int, seed: int = 7) -> list[Entry]:
    """Clone shipped entries until there are `size`, shuffling words so clones are not identical."""
    rng = random.Random(seed)
    entries = list(kb.entries)
    clones = []
    while len(entries) + len(clones) < size:
        base = rng.choice(kb.entries)
        n = len(clones)

        def shuffle(text: str) -> str:
            words = text.split()
            rng.shuffle(words)
            return " ".join(words)

        clones.append(
            replace(
                base,
                id=f"{base.id}-clone-{n}",
                title=Text(shuffle(base.title.en), base.title.ja[::-1]),
                questions={lang: tuple(shuffle(q) for q in qs) for lang, qs in base.questions.items()},
                related=(),
            )
        )
    return entries + clones


def speed(kb: KnowledgeBase, questions: list[str]) -> list[tuple[str, float, float, float]]:
    rows = []
    for size in (len(kb.entries), 1_000, 10_000):
        entries = expand(kb, size)
        scaled = replace(kb, entries=tuple(entries))
        started = time.perf_counter()
        _ = scaled.index  # built on first use
        build_s = time.perf_counter() - started
        timings = []
        for question in questions:
            t0 = time.perf_counter()
            retrieve(question, scaled)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        rows.append((f"{size:,}", build_s, statistics.median(timings), p99))
    return rows


class Bm25Baseline:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        corpus = []
        for entry in kb.entries:
            texts = [entry.title.en, entry.title.ja]
            for lang in ("en", "ja"):
                texts += entry.questions.get(lang, ()) + entry.keywords.get(lang, ())
            corpus.append(tokenize(normalize(" ".join(texts))))
        self.vocab = {token for doc in corpus for token in doc}
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        self.threshold = 0.0

    def answer(self, question: str, _kb: KnowledgeBase) -> Answer:
        lang = detect_lang(question)
        tokens = [t for t in tokenize(normalize(question)) if t in self.vocab]
        if not tokens:
            return Answer(question, lang, answered=False, entry=None, score=0.0, suggestions=())
        docs, scores = self.retriever.retrieve([tokens], k=1, show_progress=False)
        best, value = int(docs[0][0]), float(scores[0][0])
        answered = value >= self.threshold
        entry = self.kb.entries[best] if answered else None
        return Answer(question, lang, answered=answered, entry=entry, score=min(value / 30, 1.0), suggestions=())

    def tune(self, questions: list[LabelledQuestion]) -> None:
        """Give the baseline its best refusal threshold on the fitted sets (a fair fight)."""
        best = (-1.0, 0.0)
        for threshold in np.linspace(0, 30, 61):
            self.threshold = float(threshold)
            s = score(questions, self.kb, self.answer)
            total = s.correct["en"] + s.correct["ja"] + s.refused
            best = max(best, (total, float(threshold)))
        self.threshold = best[1]


def quality_row(name: str, system: str, s: Scores) -> str:
    top1 = [f"{s.top1(lang):.1%}" if s.in_scope[lang] else "–" for lang in ("en", "ja")]
    return f"| {name} | {system} | {top1[0]} | {top1[1]} | {s.refusal_rate:.1%} | {s.wrong_answers} |"


def main() -> None:
    started = time.perf_counter()
    kb = load_kb()
    _ = kb.index
    load_s = time.perf_counter() - started
    paths = {Path(path).stem: ROOT / path for path in DEFAULT_SETS}
    paths |= {name: DATA / f"{name}.yaml" for name in VALIDATION + HELD_OUT}
    sets = {name: load_questions(path) for name, path in paths.items()}
    all_questions = [q.question for qs in sets.values() for q in qs]

    print(f"Load + validate + index the shipped KB ({len(kb.entries)} entries): {load_s * 1000:.0f} ms\n")
    print("| entries | index build (s) | p50 ms/question | p99 ms/question |")
    print("|---:|---:|---:|---:|")
    for size, build_s, p50, p99 in speed(kb, all_questions):
        print(f"| {size} | {build_s:.2f} | {p50:.2f} | {p99:.2f} |")

    baseline = Bm25Baseline(kb)
    baseline.tune([q for name in FITTED for q in sets[name]])
    print(f"\nBM25 baseline refusal threshold (tuned on the fitted sets): {baseline.threshold:.1f}\n")
    print("| question set | system | top-1 en | top-1 ja | out-of-scope refused | wrong answers |")
    print("|---|---|---:|---:|---:|---:|")
    for name, questions in sets.items():
        role = "fitted" if name in FITTED else "validation" if name in VALIDATION else "held out"
        label = f"{name} ({len(questions)}, {role})"
        # A fitted set's own examples are left out of the index, as for a question asked the first time.
        print(quality_row(label, "Shishin", score(questions, without_examples_from(kb, paths[name]))))
        print(quality_row(label, "BM25 (bm25s)", score(questions, kb, baseline.answer)))


if __name__ == "__main__":
    main()
