"""Derive knowledge/kanji_readings.tsv (each kanji's readings) from the IPADIC dictionary that janome ships.

    pip install janome && python benchmarks/kanji_readings.py

The engine uses the table to recognise a kanji compound that an input method chose wrongly for a word of the
same sound (放心 typed for 方針); see knowledge.text.Homophones. Janome is needed only to rebuild it.

IPADIC lists single kanji with only some of their readings (針 as はり, not しん), so readings are also read off
two-kanji nouns: where one kanji's reading is known, the rest of the noun's reading belongs to the other
(方針 ほうしん with 方 ほう gives 針 しん). A reading is kept when at least SUPPORT words agree on it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

SUPPORT = 5  # words that must agree on a derived reading
SINGLE_KANJI_SUPPORT = SUPPORT  # a reading IPADIC gives for the kanji alone counts as fully supported
ROUNDS = 4  # each round reads more kanji off nouns whose other kanji was learnt in the round before
MAX_KANA = 3  # one kanji rarely reads longer (しょう, りゅう); longer ones are misalignments
KANJI = re.compile(r"^[\u4e00-\u9fff\u3005]+$")
NOT_A_START = frozenset("ンッャュョァィゥェォー")  # no reading of a single kanji starts with these
TO_HIRAGANA = str.maketrans({chr(code): chr(code - 0x60) for code in range(0x30A1, 0x30F7)})
OUT = Path(__file__).resolve().parent.parent / "knowledge" / "kanji_readings.tsv"
HEADER = (
    "# Each kanji's readings in hiragana (two kana or more), derived by benchmarks/kanji_readings.py from the\n"
    "# MeCab-IPADIC dictionary that janome ships. MeCab-IPADIC is Copyright 2000-2003 Nara Institute of Science\n"
    "# and Technology; its licence (https://github.com/taku910/mecab/blob/master/mecab-ipadic/COPYING) permits\n"
    "# use and redistribution with that notice. Read by knowledge.text.Homophones.\n"
)


def dictionary_words() -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """IPADIC's single kanji with their readings, and its two-kanji nouns with theirs (katakana)."""
    from janome.sysdic import entries

    single: dict[str, set[str]] = defaultdict(set)
    nouns: list[tuple[str, str]] = []
    for surface, *_ids, part_of_speech, _form, _kind, _base, reading, _sound in entries().values():
        if not KANJI.match(surface):
            continue
        if len(surface) == 1:
            single[surface].add(reading)
        elif len(surface) == 2 and part_of_speech.startswith("名詞"):
            nouns.append((surface, reading))
    return single, nouns


def derive(single: dict[str, set[str]], nouns: list[tuple[str, str]]) -> dict[str, list[str]]:
    support: dict[str, Counter[str]] = defaultdict(Counter)
    for kanji, readings in single.items():
        for reading in readings:
            if reading and reading[0] not in NOT_A_START:
                support[kanji][reading] += SINGLE_KANJI_SUPPORT
    for _ in range(ROUNDS):
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for (first, second), reading in nouns:
            for known in [r for r, n in support.get(first, {}).items() if n >= SUPPORT]:
                rest = reading[len(known) :]
                if reading.startswith(known) and 1 <= len(rest) <= MAX_KANA and rest[0] not in NOT_A_START:
                    found[second][rest] += 1
            for known in [r for r, n in support.get(second, {}).items() if n >= SUPPORT]:
                rest = reading[: -len(known)]
                if reading.endswith(known) and 1 <= len(rest) <= MAX_KANA and rest[0] not in NOT_A_START:
                    found[first][rest] += 1
        for kanji, counts in found.items():
            for reading, count in counts.items():
                support[kanji][reading] = max(support[kanji][reading], count)
    table = {
        kanji: sorted({r.translate(TO_HIRAGANA) for r, n in counts.items() if n >= SUPPORT and 2 <= len(r) <= MAX_KANA})
        for kanji, counts in support.items()
    }
    return {kanji: readings for kanji, readings in sorted(table.items()) if readings}


def main() -> None:
    table = derive(*dictionary_words())
    OUT.write_text(HEADER + "".join(f"{k}\t{' '.join(v)}\n" for k, v in table.items()), encoding="utf-8")
    print(f"wrote {len(table)} kanji, {sum(map(len, table.values()))} readings to {OUT}")


if __name__ == "__main__":
    main()
