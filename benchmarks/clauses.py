"""How well the clause risk detector finds the risky clauses of the labelled corpus.

Run from the repository root:

    .venv/bin/python benchmarks/clauses.py

For each category and language it prints precision, recall and the counts, then every confusion (a false
positive or negative, with the clause id and the start of its text), and the time per clause. A clause counts
once per category: flagged or not, labelled or not.

Targets: recall at least 95% and precision at least 90% for every category in every language; exits with
status 1 when one is missed.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.terms import CATEGORIES, analyse_clause  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "clause_corpus"
LANGUAGES = ("en", "ru")
MIN_RECALL = 0.95
MIN_PRECISION = 0.90


@dataclass
class Score:
    true_positives: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> int:
        return self.true_positives + len(self.false_negatives)

    @property
    def flagged(self) -> int:
        return self.true_positives + len(self.false_positives)

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 1.0


@dataclass
class Measure:
    scores: dict[tuple[str, str], Score]
    clauses: int
    seconds: float


def load_corpus(language: str) -> list[dict]:
    """The labelled clauses of one language; FileNotFoundError when the file is missing."""
    with open(CORPUS / f"{language}.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def measure() -> Measure:
    scores = {(category, language): Score() for category in CATEGORIES for language in LANGUAGES}
    clauses = 0
    started = time.perf_counter()
    for language in LANGUAGES:
        for row in load_corpus(language):
            clauses += 1
            flagged = {flag.category for flag in analyse_clause(row["text"], language).flags}
            labelled = set(row["labels"])
            shown = f"{row['id']}: {row['text'][:90]}"
            for category in CATEGORIES:
                score = scores[(category, language)]
                if category in flagged and category in labelled:
                    score.true_positives += 1
                elif category in flagged:
                    score.false_positives.append(shown)
                elif category in labelled:
                    score.false_negatives.append(shown)
    return Measure(scores, clauses, time.perf_counter() - started)


def misses(result: Measure, min_recall: float, min_precision: float) -> list[str]:
    """The categories and languages under either target, said in words."""
    found = []
    for (category, language), score in result.scores.items():
        if score.recall < min_recall:
            found.append(f"{category} {language}: recall {score.recall:.1%} < {min_recall:.0%}")
        if score.precision < min_precision:
            found.append(f"{category} {language}: precision {score.precision:.1%} < {min_precision:.0%}")
    return found


def main() -> int:
    analyse_clause("warm up", "ru")  # the Russian dictionaries load once, outside the timing
    result = measure()
    print(f"{'category':<20}{'lang':<6}{'precision':>10}{'recall':>8}{'labelled':>10}{'flagged':>9}{'correct':>9}")
    for (category, language), score in result.scores.items():
        print(f"{category:<20}{language:<6}{score.precision:>10.1%}{score.recall:>8.1%}{score.labelled:>10}"
              f"{score.flagged:>9}{score.true_positives:>9}")
    for (category, language), score in result.scores.items():
        for shown in score.false_positives:
            print(f"false positive  {category:<20}{shown}")
        for shown in score.false_negatives:
            print(f"false negative  {category:<20}{shown}")
    print(f"{result.clauses} clauses, {result.seconds / result.clauses * 1000:.2f} ms per clause")
    missed = misses(result, MIN_RECALL, MIN_PRECISION)
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
