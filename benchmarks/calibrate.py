"""Fit the answer engine's two small models on training questions.

    python benchmarks/calibrate.py [--validate QUESTIONS.yaml] [QUESTIONS.yaml ...]

Defaults to the labelled examples (knowledge/examples) and the dev set (tests/data/devset.yaml); the validation
and held-out sets are never used here. Each file's questions are scored against the knowledge base without that
file's own examples, since the engine reads its examples as ways of asking their entries.

1. RANKING: a linear score over each candidate's evidence, fitted as a pairwise logistic model
   (for every in-scope question, each right candidate against each wrong one).
2. CALIBRATION: a logistic model over the leading candidate's evidence and its lead over the runner-up,
   labelled by whether the leader is right; out-of-scope questions are all negatives. It decides when
   the engine abstains.

Prints both weight sets (paste them into knowledge.retrieval) and top-1 accuracy and refusals at a few
thresholds, on the fitted questions and, with --validate, on questions the fit did not see.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge import load_kb
from knowledge.evaluation import LabelledQuestion, load_questions
from knowledge.model import KnowledgeBase
from knowledge.retrieval import (
    CONFIDENCE_FEATURES,
    FEATURES,
    PINNED_FLOOR,
    THRESHOLD,
    Candidate,
    confidence_features,
    rank,
    trusts_reference,
)

DEFAULT_SETS = (
    "knowledge/examples/trainset_en.yaml",
    "knowledge/examples/trainset_ja.yaml",
    "knowledge/examples/trainset_chatty_en.yaml",
    "knowledge/examples/trainset_chatty_ja.yaml",
    "knowledge/examples/trainset_vague.yaml",
    "knowledge/examples/trainset_blind.yaml",
    "knowledge/examples/trainset_blind2.yaml",
    "knowledge/examples/trainset_blind3.yaml",
    "knowledge/examples/trainset_blind4.yaml",
    "knowledge/examples/trainset_blind5.yaml",
    "knowledge/examples/trainset_blind6.yaml",
    "knowledge/examples/trainset_blind8.yaml",
    "knowledge/examples/trainset_mentions.yaml",
    "tests/data/devset.yaml",
)
L2 = 1.0  # on standardised features: keeps weights modest so neither model leans on quirks of the training set
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Evidence:
    question: LabelledQuestion
    candidates: list[Candidate]
    features: Matrix  # one row per candidate, columns as FEATURES
    right: Matrix  # 1.0 where that candidate is a correct answer


def collect(questions: list[LabelledQuestion], kb: KnowledgeBase) -> list[Evidence]:
    evidence = []
    for item in questions:
        candidates, _lang, _ = rank(item.question, kb)
        rows = [[c.features()[name] for name in FEATURES] for c in candidates]
        right = [float(bool(set(c.entry.refs) & item.refs)) for c in candidates]
        evidence.append(Evidence(item, candidates, np.array(rows).reshape(-1, len(FEATURES)), np.array(right)))
    return evidence


def without_examples_from(kb: KnowledgeBase, path: Path) -> KnowledgeBase:
    """The knowledge base as a question from `path` meets it when it is asked for the first time: without the
    labelled examples of that file (the engine reads its own examples as ways of asking their entries)."""
    kept = tuple(e for e in kb.examples if Path(e.file).resolve() != path.resolve())
    return kb if len(kept) == len(kb.examples) else replace(kb, examples=kept)


def collect_sets(paths: list[str], kb: KnowledgeBase) -> list[Evidence]:
    """Evidence for every question of these files, each file's questions against the knowledge base without
    that file's own examples: the models learn how a new question looks, not how a known one does."""
    return [e for path in paths for e in collect(load_questions(Path(path)), without_examples_from(kb, Path(path)))]


def logistic_fit(design: Matrix, y: Matrix, *, bias: bool) -> Matrix:
    """L2-regularised logistic regression by Newton's method on standardised features.

    Returns weights for the raw features (with the bias first when `bias`), so the engine needs no scaling.
    """
    scale = design.std(axis=0)
    scale[scale == 0] = 1.0
    shift = design.mean(axis=0) if bias else np.zeros(design.shape[1])
    x = (design - shift) / scale
    if bias:
        x = np.hstack([np.ones((len(x), 1)), x])
    weights = np.zeros(x.shape[1])
    penalty = L2 * np.eye(len(weights))
    if bias:
        penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ weights))
        gradient = x.T @ (p - y) + penalty @ weights
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(weights))
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    if not bias:
        return weights / scale
    raw = weights[1:] / scale
    return np.concatenate([[weights[0] - float(raw @ shift)], raw])


def leaders(evidence: list[Evidence], ranking: Matrix) -> tuple[Matrix, Matrix]:
    """Each question's leader under `ranking`: its confidence features, and whether it is right."""
    rows, labels = [], []
    for item in evidence:
        if not item.candidates:
            rows.append([0.0] * len(CONFIDENCE_FEATURES))
            labels.append(0.0)
            continue
        scores = item.features @ ranking
        order = np.argsort(-scores, kind="stable")
        ranked = [replace(item.candidates[i], rank_score=float(scores[i])) for i in order]
        features = confidence_features(ranked)
        rows.append([features[name] for name in CONFIDENCE_FEATURES])
        labels.append(item.right[order[0]])
    return np.array(rows), np.array(labels)


OFF_VERSION = FEATURES.index("off_version")


def preferred_answers(item: Evidence) -> Matrix:
    """The right candidates the ranking should put first. Question sets accept an older version's entry too
    ("Direction 5 summary": v3.item.5 or v2.item.5), but a question that names no version should get the
    version it asks about, the current one by default: an older right answer then ranks below it."""
    on_version = item.right * (item.features[:, OFF_VERSION] == 0)
    return on_version if on_version.any() else item.right


def fit(evidence: list[Evidence]) -> tuple[Matrix, Matrix]:
    # 1. Ranking: symmetric pairs (right - wrong -> 1, wrong - right -> 0), no bias.
    pairs = np.array(
        [
            item.features[i] - item.features[j]
            for item in evidence
            for preferred in [preferred_answers(item)]
            for i in np.flatnonzero(preferred)
            for j in np.flatnonzero(preferred == 0)
        ]
    )
    ranking = logistic_fit(
        np.vstack([pairs, -pairs]), np.concatenate([np.ones(len(pairs)), np.zeros(len(pairs))]), bias=False
    )
    # 2. Calibration on the leader under the fitted ranking.
    x, y = leaders(evidence, ranking)
    return ranking, logistic_fit(x, y, bias=True)


def print_table(title: str, evidence: list[Evidence], confidence: Matrix, right: Matrix) -> None:
    langs = np.array([item.question.lang for item in evidence])
    in_scope = np.array([item.question.in_scope for item in evidence])
    print(f"\n{title}")
    print(f"{'threshold':>9} {'top-1 en':>9} {'top-1 ja':>9} {'wrong':>6} {'out refused':>12}")
    for threshold in sorted({0.0, 0.3, 0.4, 0.5, THRESHOLD, 0.6, 0.7, 0.8}):
        answered = confidence >= threshold
        cells = []
        for lang in ("en", "ja"):
            asked = in_scope & (langs == lang)
            cells.append(f"{(answered & asked & (right == 1)).sum() / max(asked.sum(), 1):>9.1%}")
        wrong = int((answered & in_scope & (right == 0)).sum())
        refused = (~answered & ~in_scope).sum() / max((~in_scope).sum(), 1)
        label = "rank only" if threshold == 0 else f"{threshold:.2f}" + ("*" if threshold == THRESHOLD else "")
        print(f"{label:>9} {cells[0]} {cells[1]} {wrong:>6} {refused:>12.1%}")


def confidences(evidence: list[Evidence], ranking: Matrix, calibration: Matrix) -> tuple[Matrix, Matrix]:
    x, right = leaders(evidence, ranking)
    probability = 1 / (1 + np.exp(-(calibration[0] + x @ calibration[1:])))
    trusted = np.array([trusts_reference(dict(zip(CONFIDENCE_FEATURES, row, strict=True))) for row in x], dtype=bool)
    return np.where(trusted, np.maximum(probability, PINNED_FLOOR), probability), right


def cross_validate(evidence: list[Evidence], folds: int = 5) -> None:
    """Out-of-fold figures: each question is scored by models fitted without it."""
    order = np.random.default_rng(0).permutation(len(evidence))
    confidence, right = np.zeros(len(evidence)), np.zeros(len(evidence))
    for fold in range(folds):
        held = sorted(order[fold::folds].tolist())
        kept = set(range(len(evidence))) - set(held)
        ranking, calibration = fit([evidence[i] for i in sorted(kept)])
        confidence[held], right[held] = confidences([evidence[i] for i in held], ranking, calibration)
    print_table(f"{folds}-fold cross-validation (out of fold)", evidence, confidence, right)


def write_weights(ranking: dict[str, float], calibration: dict[str, float]) -> None:
    path = Path(__file__).resolve().parent.parent / "knowledge" / "retrieval.py"
    source = path.read_text(encoding="utf-8")
    for name, weights in (("RANKING", ranking), ("CALIBRATION", calibration)):
        block = f"{name} = {{\n" + "".join(f'    "{k}": {v:.3f},\n' for k, v in weights.items()) + "}\n"
        pattern = rf"^{name} = \{{\n(?: .*\n)*\}}\n|^{name} = [^\n]*[^{{\n]\n"
        source, count = re.subn(pattern, block, source, count=1, flags=re.M)
        if count != 1:
            raise SystemExit(f"could not find {name} in {path}")
    path.write_text(source, encoding="utf-8")
    print(f"wrote the weights to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--validate", action="append", default=[], help="report on these too (not fitted)")
    parser.add_argument("--cv", action="store_true", help="also print 5-fold cross-validated figures")
    parser.add_argument("--write", action="store_true", help="store the fitted weights in knowledge/retrieval.py")
    args = parser.parse_args()
    kb = load_kb()
    fitted = collect_sets(args.sets, kb)
    ranking, calibration = fit(fitted)
    print(f"fitted on {len(fitted)} questions from {', '.join(args.sets)}")
    print("RANKING = " + repr({n: round(float(w), 3) for n, w in zip(FEATURES, ranking, strict=True)}))
    names = ("bias", *CONFIDENCE_FEATURES)
    print("CALIBRATION = " + repr({n: round(float(w), 3) for n, w in zip(names, calibration, strict=True)}))
    if args.write:
        write_weights(
            dict(zip(FEATURES, ranking.tolist(), strict=True)), dict(zip(names, calibration.tolist(), strict=True))
        )
    print_table("fitted questions (in sample)", fitted, *confidences(fitted, ranking, calibration))
    if args.cv:
        cross_validate(fitted)
    for path in args.validate:
        evidence = collect_sets([path], kb)
        print_table(f"{path} (not fitted)", evidence, *confidences(evidence, ranking, calibration))


if __name__ == "__main__":
    main()
