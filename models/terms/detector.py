"""Risk flags for one clause of a carrier's contract, checked against the playbook.

The clause is read into passages (passages.py); each category's check (rules/) looks for its patterns
(lexicon_en.py, lexicon_ru.py) and says what the words state against the playbook's threshold.
"""
from dataclasses import dataclass

from .language import detect_language
from .passages import Clause
from .playbook import DEFAULT_PLAYBOOK, Playbook
from .rules import CHECKS


@dataclass(frozen=True)
class Flag:
    category: str
    start: int
    end: int
    match: str
    found: str
    threshold: str
    explanation: str
    suggested_wording: str

    def to_data(self) -> dict:
        return {"category": self.category, "start": self.start, "end": self.end, "match": self.match,
                "found": self.found, "threshold": self.threshold, "explanation": self.explanation,
                "suggested_wording": self.suggested_wording}


@dataclass(frozen=True)
class Analysis:
    language: str
    flags: list[Flag]
    # What the clause states, risky or not: only the keys it speaks of.
    terms: dict


def analyse_clause(text: str, language: str | None = None, playbook: Playbook = DEFAULT_PLAYBOOK) -> Analysis:
    """The risk flags of one clause (ordered by start) and the terms it states."""
    language = language if language in ("en", "ru") else detect_language(text)
    clause = Clause(text, language)
    flags = []
    terms = {}
    for category, check in CHECKS:
        rule = playbook.rule(category)
        verdict = check(clause, rule)
        if verdict is None:
            continue
        terms.update(verdict.terms)
        if verdict.risky:
            flags.append(Flag(category, verdict.start, verdict.end, text[verdict.start:verdict.end], verdict.found,
                              verdict.threshold, rule.explanation[language], rule.suggested_wording[language]))
    flags.sort(key=lambda flag: (flag.start, flag.end))
    return Analysis(language, flags, terms)
