"""daily_penalty: a per-day penalty on the customer above the playbook's rate, or without an overall cap."""
from decimal import Decimal

from ..grammar import lexicon_of
from ..lexicon import Lexicon
from ..passages import Clause, Hit, Passage, nearest_to, text_span
from ..quantities import PERCENT
from ..verdicts import Verdict, decisive, say, say_number


_PERIOD_DAYS = {"day": 1, "days": 1, "diem": 1, "daily": 1, "week": 7, "weeks": 7, "weekly": 7, "month": 30,
                "months": 30, "monthly": 30, "день": 1, "сутки": 1, "ежедневно": 1, "ежедневный": 1, "неделя": 7,
                "еженедельно": 7, "месяц": 30, "ежемесячно": 30, "ежемесячный": 30}


def check(clause: Clause, rule) -> Verdict | None:
    lex = lexicon_of(clause)
    capped, cap_items = _penalty_cap(clause, lex)
    verdicts = []
    for passage in clause.passages:
        if not (passage.indexes(lex.PENALTY) or passage.indexes(lex.DELAY)):
            continue
        if passage.first(lex.carrier_pays) is not None and passage.first(lex.customer_pays) is None:
            continue  # a service credit: the carrier pays
        for cue in passage.find(lex.per_period):
            period = _PERIOD_DAYS[cue.text("unit")]
            counted = passage.lemmas[max(0, cue.first - 8):cue.last + 5]
            if period > 1 and not any(lex.DELAY_COUNTED.fullmatch(lemma) for lemma in counted):
                continue  # "per month" is a price unless it counts months of delay
            verdict = _penalty_verdict(clause, passage, cue, period, capped, cap_items.get(id(passage), set()),
                                       rule, lex)
            if verdict is not None:
                verdicts.append(verdict)
    verdicts.sort(key=lambda verdict: -verdict.terms.get("daily_penalty_percent", Decimal(0)))
    return decisive(verdicts)


def _penalty_cap(clause: Clause, lex: Lexicon) -> tuple[bool, dict[int, set[int]]]:
    """Whether the penalties have an overall cap, and per passage the items that state a cap (not the rate)."""
    cap_items: dict[int, set[int]] = {}
    capped = False
    for hit in clause.find(lex.cap):
        position = hit.items(hit.group("capped"))[0]
        passage = hit.passage
        if passage.first(lex.per_period, position + 1, position + 4) is not None:
            continue  # "not more than 0.1% per day" bounds the rate, not the total
        cap_items.setdefault(id(passage), set()).add(position)
        capped = True
    if clause.has(lex.no_cap):
        capped = False
    return capped, cap_items


def _penalty_verdict(clause: Clause, passage: Passage, cue: Hit, period: int, capped: bool, cap_items: set[int],
                     rule, lex: Lexicon) -> Verdict | None:
    language = clause.language
    rates = [(position, item.quantity) for position, item in enumerate(passage.items)
             if item.quantity is not None and position not in cap_items and item.lemma in ("#pct", "#amt", "#num")]
    percents = [(position, quantity) for position, quantity in rates if quantity.unit == PERCENT]
    rate = nearest_to(percents, cue.first) or nearest_to(rates, cue.first)
    if rate is None and not passage.indexes(lex.PENALTY_NAMED):
        return None
    if rate is not None and passage.first(lex.annual, rate[0], rate[0] + 4) is not None:
        return None  # interest by the year accrues daily, but it is not a rate per day
    maximum = rule.max_percent_per_day
    cap_needed = rule.requires_cap and not capped
    capped_words = (", capped", ", с ограничением суммы") if rule.requires_cap else ("", "")
    threshold = say(language, f"{say_number(maximum, language)}% per day" + capped_words[0],
                    f"{say_number(maximum, language)}% в день" + capped_words[1])
    terms = {"penalty_capped": capped}
    problems = []
    if rate is not None and rate[1].unit == PERCENT:
        percent = rate[1].value / period
        terms["daily_penalty_percent"] = percent.quantize(Decimal("0.0001")).normalize()
        stated = say(language, f"{say_number(percent, language)}% per day", f"{say_number(percent, language)}% в день")
        if percent > maximum:
            problems.append(f"{stated} > {say_number(maximum, language)}%")
        elif cap_needed:
            problems.append(stated)
    elif cap_needed:
        problems.append(say(language, "a penalty per day", "неустойка за каждый день"))
    if cap_needed:
        problems.append(say(language, "no cap", "без ограничения суммы"))
    positions = [cue.first, cue.last] + ([rate[0]] if rate is not None else [])
    start, end = text_span(passage, *positions)
    return Verdict(bool(problems), start, end, ", ".join(problems), threshold, terms)
