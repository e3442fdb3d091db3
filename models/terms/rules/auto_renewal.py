"""auto_renewal: renewal the customer cannot stop in time, or for long periods."""
import re
from decimal import Decimal

from ..grammar import lexicon_of
from ..lexicon import Lexicon
from ..passages import Clause, Passage, nearest_to, quantities_of, text_span
from ..verdicts import Verdict, say, say_days, say_months, whole_number


_STRONG_AUTOMATIC = re.compile(r"automatic|tacit|unless|if|deem|absen|failing|автомат|если|при|считаться")


def check(clause: Clause, rule) -> Verdict | None:
    lex = lexicon_of(clause)
    for passage in clause.passages:
        renewals = passage.indexes(lex.RENEW) + [hit.first for hit in passage.find(lex.renew_phrase)]
        automatic = passage.first(lex.automatic)
        if not renewals or automatic is None:
            continue
        if passage.first(lex.renew_by_agreement) is not None \
                and not _STRONG_AUTOMATIC.match(automatic.match.group()):
            continue
        return _renewal_verdict(clause, passage, min(renewals), rule, lex)
    return None


def _renewal_verdict(clause: Clause, passage: Passage, index: int, rule, lex: Lexicon) -> Verdict:
    language = clause.language
    evidence = [index]
    problems = []
    terms = {}
    period, period_positions = _renewal_months(clause, passage, lex)
    notices = [(position, quantity) for position, quantity in quantities_of(passage.find(lex.notice_period))
               if position not in period_positions]
    notice = nearest_to(notices, index)
    if notice is None:
        notice = next(((-1, quantity) for other in clause.passages if other is not passage
                       for _, quantity in quantities_of(other.find(lex.notice_period))), None)
    if notice is not None:
        position, quantity = notice
        days, business = quantity.days, quantity.business
    else:
        position, days = _days_before_end(clause, passage, lex)
        business = False
    if days is not None:
        terms["renewal_notice_days"] = int(days)
        if position >= 0:
            evidence.append(position)
        if days > rule.max_notice_days:
            problems.append(say(language, "notice ", "уведомление за ")
                            + f"{say_days(days, business, language)} > {rule.max_notice_days}")
    if period is not None:
        terms["renewal_months"] = whole_number(period)
        evidence.extend(position for position in period_positions if position >= 0)
        if period > rule.max_renewal_months:
            problems.append(say(language, "renewal ", "продление на ")
                            + f"{say_months(period, language)} > {rule.max_renewal_months}")
    refusal = passage.first(lex.no_refusal) or next(iter(clause.find(lex.no_refusal)), None)
    if refusal is not None:
        problems.append(say(language, "the customer may not refuse renewal",
                            "Абонент не вправе отказаться от продления"))
        if refusal.passage is passage:
            evidence.extend((refusal.first, refusal.last))
    start, end = text_span(passage, *evidence)
    threshold = say(language, f"notice ≤ {say_days(Decimal(rule.max_notice_days), False, language)}, renewal ≤ "
                              f"{say_months(Decimal(rule.max_renewal_months), language)}",
                    f"уведомление ≤ {say_days(Decimal(rule.max_notice_days), False, language)}, продление ≤ "
                    f"{say_months(Decimal(rule.max_renewal_months), language)}")
    return Verdict(bool(problems), start, end, "; ".join(problems), threshold, terms)


def _days_before_end(clause: Clause, passage: Passage, lex: Lexicon) -> tuple[int, Decimal | None]:
    """ "objects by 1 October" for a term ending on 31 December: the notice as the days from the deadline to the
    end of the term, with the deadline's position."""
    deadline = passage.first(lex.deadline)
    if deadline is None:
        return -1, None
    position = deadline.items(deadline.group("d"))[0]
    day = passage.items[position].quantity.value
    ends = [item.quantity.value for other in clause.passages for index, item in enumerate(other.items)
            if item.lemma == "#date" and not (other is passage and index == position)]
    if not ends:
        return -1, None
    return position, (max(ends) - day) % 365


def _renewal_months(clause: Clause, passage: Passage, lex: Lexicon) -> tuple[Decimal | None, set[int]]:
    """How long each renewal runs, in months, and the items of the passage that say so (-1: another sentence)."""
    hits = passage.find(lex.renewal_period) or [hit for hit in clause.find(lex.renewal_period)]
    for hit in hits:
        position = hit.last if hit.passage is passage else -1
        quantity = hit.quantity()
        if quantity is not None:
            return quantity.months, {hit.items(hit.group("q"))[0] if hit.passage is passage else -1}
        unit = hit.text("unit")
        if unit is not None:
            return Decimal(12 if unit in ("год", "year") else 1), {position}
    yearly = passage.first(lex.yearly)
    if yearly is not None:
        return Decimal(12), {yearly.first}
    monthly = passage.first(lex.monthly)
    if monthly is not None:
        return Decimal(1), {monthly.first}
    if passage.first(lex.same_period) is not None:
        for hit in clause.find(lex.initial_term):
            position = hit.items(hit.group("q"))[0]
            notices = {notice for notice, _ in quantities_of(hit.passage.find(lex.notice_period))}
            if position not in notices:
                return hit.quantity().months, {position if hit.passage is passage else -1}
    return None, set()
