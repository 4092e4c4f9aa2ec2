"""Fit the answer engine's confidence (a logistic model over retrieval evidence) on the dev set.

    python benchmarks/calibrate.py [tests/data/devset.yaml]

Prints the fitted weights for knowledge.retrieval.CALIBRATION and the accuracy/refusal trade-off at a
few thresholds. Only the dev set is used; the held-out sets stay untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from knowledge import load_kb
from knowledge.evaluation import load_questions
from knowledge.retrieval import CALIBRATION, rank

FEATURES = ("known_coverage", "fuzzy", "mass", "unknown")


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/devset.yaml")
    kb = load_kb()
    rows, labels, pinned = [], [], []
    for item in load_questions(path):
        candidates, _lang, _ = rank(item.question, kb)
        if not candidates:
            rows.append([0.0] * len(FEATURES))
            labels.append(0)
            pinned.append(False)
            continue
        best = candidates[0]
        rows.append([getattr(best, name) for name in FEATURES])
        labels.append(int(bool(set(best.entry.refs) & item.refs)))
        pinned.append(best.pinned)
    x = np.array(rows)
    y = np.array(labels, dtype=float)
    design = np.hstack([np.ones((len(x), 1)), x])
    weights = np.zeros(design.shape[1])
    l2 = 0.01
    for _ in range(50):  # Newton's method for L2-regularised logistic regression
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + l2 * weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + l2 * np.eye(len(weights))
        weights -= np.linalg.solve(hessian, gradient)
    fitted = {"bias": round(float(weights[0]), 3)} | {
        name: round(float(w), 3) for name, w in zip(FEATURES, weights[1:], strict=True)
    }
    print(f"questions: {len(y)}  top-1 correct: {int(y.sum())}")
    print(f"current:   {CALIBRATION}")
    print(f"fitted:    {fitted}")
    probability = 1 / (1 + np.exp(-design @ weights))
    probability = np.where(np.array(pinned), np.maximum(probability, 0.9), probability)
    print(f"{'threshold':>9} {'answered':>9} {'correct':>8} {'wrong':>6}")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        answered = probability >= threshold
        print(
            f"{threshold:>9.1f} {int(answered.sum()):>9} {int((answered & (y == 1)).sum()):>8}"
            f" {int((answered & (y == 0)).sum()):>6}"
        )


if __name__ == "__main__":
    main()
