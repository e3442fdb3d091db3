"""uncapped_liability: the customer's liability or fines without a cap."""

from ..grammar import liable_party, lexicon_of
from ..passages import Clause, Hit, near_word
from ..verdicts import Verdict, say


def check(clause: Clause, rule) -> Verdict | None:
    lex = lexicon_of(clause)
    language = clause.language
    exclusions = clause.find(lex.exclusion)
    excluded = any(liable_party(hit.passage, lex) != "carrier" for hit in exclusions)
    unlimited_hits = clause.find(lex.unlimited)
    capped = any(liable_party(hit.passage, lex) != "carrier" and not _overlaps(hit, unlimited_hits)
                 for hit in clause.find(lex.liability_cap) + clause.find(lex.exclusive_penalty))
    statements = []
    for passage in clause.passages:
        if not passage.indexes(lex.LIABILITY) or liable_party(passage, lex) == "carrier" \
                or passage.first(lex.carve_out) is not None:
            continue
        excluded_here = any(exclusion.passage is passage for exclusion in exclusions)
        for kind in ("unlimited", "lost_profit", "on_top"):
            for hit in passage.find(getattr(lex, kind)):
                if kind != "on_top" and not near_word(passage, hit.first, lex.LIABILITY, 10):
                    continue
                if kind == "lost_profit" and excluded_here:
                    continue
                statements.append(hit)
    if not statements:
        return None
    hit = min(statements, key=lambda found: found.start)
    words = clause.text[hit.start:hit.end]
    found = say(language, f"“{words}”, no cap", f"«{words}», без ограничения")
    threshold = say(language, "a cap on the customer's liability", "ограничение ответственности Абонента")
    return Verdict(not (capped or excluded), hit.start, hit.end, found, threshold,
                   {"liability_capped": capped})


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(other.passage is hit.passage and other.first <= hit.last and hit.first <= other.last
               for other in others)
