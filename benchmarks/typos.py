"""How much typing slips cost: top-1 on English questions as written, and with slips added.

    python benchmarks/typos.py [--slips N] [--seed S]

Every in-scope English question of the dev, validation and held-out sets gets N slips (default 2), each in a
different word of four letters or more: a letter dropped, two neighbours swapped, a letter doubled, or a
letter replaced by its neighbour on a QWERTY keyboard. Seeded, so runs compare. Prints a table beside the
same questions as written.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from knowledge import load_kb, retrieve
from knowledge.evaluation import LabelledQuestion, load_questions

# Sets whose questions are not among the engine's labelled examples (knowledge/examples), so both columns
# measure questions the engine meets for the first time.
SETS = ("devset", "validation_blind7", "heldout", "heldout_final", "heldout_blind", "heldout_nearmiss")
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
WORD = re.compile(r"\b[a-z]{4,}\b")  # lower case: an acronym typed in capitals is a name, left as it is


def neighbours(letter: str) -> str:
    for row in ROWS:
        if letter in row:
            at = row.index(letter)
            return row[max(0, at - 1) : at] + row[at + 1 : at + 2]
    return letter


def slip(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)  # not the first or last letter: people rarely slip there
    kind = rng.choice(("drop", "swap", "double", "neighbour"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + rng.choice(neighbours(word[at])) + word[at + 1 :]


def with_slips(question: str, count: int, rng: random.Random) -> str:
    words = list(WORD.finditer(question))
    chosen = sorted(rng.sample(words, min(count, len(words))), key=lambda match: match.start(), reverse=True)
    for match in chosen:
        question = question[: match.start()] + slip(match.group(), rng) + question[match.end() :]
    return question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slips", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kb = load_kb()
    rng = random.Random(args.seed)
    questions: list[LabelledQuestion] = [
        q for name in SETS for q in load_questions(DATA / f"{name}.yaml") if q.lang == "en" and q.in_scope
    ]
    print(f"{len(questions)} in-scope English questions from {', '.join(SETS)}; {args.slips} slips each\n")
    print("| questions | top-1 | wrong answers |")
    print("|---|---:|---:|")
    for label, texts in (
        ("as written", [q.question for q in questions]),
        ("with slips", [with_slips(q.question, args.slips, rng) for q in questions]),
    ):
        right = wrong = 0
        for item, text in zip(questions, texts, strict=True):
            answer = retrieve(text, kb)
            right += answer.answered and bool(set(answer.refs) & item.refs)
            wrong += answer.answered and not set(answer.refs) & item.refs
        print(f"| {label} | {right / len(questions):.1%} | {wrong} |")


if __name__ == "__main__":
    main()
