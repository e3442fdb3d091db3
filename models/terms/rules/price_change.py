"""price_change: the carrier may change prices on less than the playbook's notice."""
from decimal import Decimal

from ..grammar import is_negated, lexicon_of, subjects_of
from ..lexicon import Lexicon
from ..passages import Clause, Passage, near_word, nearest_to, quantities_of, text_span
from ..quantities import Quantity
from ..verdicts import Verdict, decisive, say, say_days


def check(clause: Clause, rule) -> Verdict | None:
    lex = lexicon_of(clause)
    if not any(passage.indexes(lex.PRICE) for passage in clause.passages):
        return None
    verdicts = []
    prices_named = False
    for passage in clause.passages:
        # A sentence after one that names the prices may speak of them without naming them again.
        named_here = bool(passage.indexes(lex.PRICE))
        for index in _price_changes(passage, lex, prices_named and not named_here):
            if not _change_is_safe(passage, index, lex):
                verdict = _notice_verdict(clause, passage, index, rule, lex)
                if verdict is not None:
                    verdicts.append(verdict)
        prices_named = prices_named or named_here
    return decisive(verdicts)


def _price_changes(passage: Passage, lex: Lexicon, prices_before: bool) -> list[int]:
    """The words that speak of changing prices: a change word near a price (or a pronoun standing for one), or
    any change word when the sentence before named the prices; or prices that are whatever the carrier's website
    shows at the time."""
    found = []
    for index, lemma in enumerate(passage.lemmas):
        if lex.CHANGE.fullmatch(lemma) and not _changes_something_else(passage, index, lex):
            if prices_before or near_word(passage, index, lex.PRICE, 12) or near_word(passage, index, lex.PRONOUN, 3):
                found.append(index)
        elif lex.CHANGE_BEFORE_PRICE.fullmatch(lemma):
            if any(lex.PRICE.fullmatch(following) for following in passage.lemmas[index + 1:index + 4]):
                found.append(index)
    if passage.indexes(lex.PRICE):
        found.extend(hit.first for hit in passage.find(lex.published_prices))
    return found


def _changes_something_else(passage: Passage, index: int, lex: Lexicon) -> bool:
    """ "a change in legislation", "изменение законодательства": the word that follows says what changes."""
    position = index + 1
    while position < len(passage.lemmas) and lex.OBJECT_GAP.fullmatch(passage.lemmas[position]):
        position += 1
    return position < len(passage.lemmas) and bool(lex.OTHER_OBJECT.fullmatch(passage.lemmas[position]))


def _change_is_safe(passage: Passage, index: int, lex: Lexicon) -> bool:
    """A change that is negated, prohibited, only a decrease, the customer's own, or only by agreement."""
    lemma = passage.lemmas[index]
    if lex.DECREASE.fullmatch(lemma) or is_negated(passage, index, lex):
        return True
    if passage.first(lex.prohibited, index + 1, index + 8) is not None:
        return True
    if passage.first(lex.decrease_only) is not None and not lex.INCREASE.fullmatch(lemma):
        return True
    if _customer_may(passage, index, lex) or passage.first(lex.customer_request) is not None:
        return True
    agreed = [hit for hit in passage.find(lex.agreement) if not _without(passage, hit.first, lex)]
    return bool(agreed) and passage.first(lex.unilateral) is None


def _customer_may(passage: Passage, index: int, lex: Lexicon) -> bool:
    """ "the Customer may change its tariff plan": the customer's own change."""
    before = subjects_of(passage, lex, index)
    if not before or before[-1][1] != "customer":
        return False
    between = passage.lemmas[before[-1][0] + 1:index]
    return len(between) <= 8 and any(lex.PERMISSION.fullmatch(lemma) for lemma in between)


def _without(passage: Passage, index: int, lex: Lexicon) -> bool:
    """ "without the Customer's consent", "без согласования с Абонентом"."""
    return any(lemma in ("without", "без") for lemma in passage.lemmas[max(0, index - 3):index])


def _notice_verdict(clause: Clause, passage: Passage, index: int, rule, lex: Lexicon) -> Verdict | None:
    language = clause.language
    minimum = rule.min_notice_days
    threshold = say_days(Decimal(minimum), False, language)
    notices = [(position, quantity) for position, quantity in quantities_of(passage.find(lex.notice_period))
               if not _notice_of_other_topic(passage, position, index, lex)]
    nearest = nearest_to(notices, index)
    if nearest is not None:
        position, notice = nearest
        start, end = text_span(passage, index, position)
    else:
        notice = _notice_elsewhere(clause, passage, lex)
        start, end = text_span(passage, index, index)
    if notice is not None:
        days = notice.days
        found = say(language, f"notice {say_days(days, notice.business, language)}",
                    f"уведомление за {say_days(days, notice.business, language)}")
        return Verdict(days < minimum, start, end, f"{found} < {minimum}", threshold,
                       {"price_change_notice_days": int(days)})
    without = passage.first(lex.no_notice) or next(iter(clause.find(lex.no_notice)), None)
    if without is not None and without.passage is passage:
        start, end = text_span(passage, index, without.first, without.last)
    if without is None and passage.first(lex.notice_word) is None and passage.first(lex.cross_reference):
        return None  # the notice is set elsewhere in the contract
    if without is None and passage.first(lex.notice_word) is not None:
        found = say(language, f"notice period not stated < {minimum}", f"срок уведомления не указан < {minimum}")
    else:
        found = say(language, f"no prior notice < {minimum}", f"без предварительного уведомления < {minimum}")
    return Verdict(True, start, end, found, threshold, {"price_change_notice_days": None})


def _notice_of_other_topic(passage: Passage, position: int, index: int, lex: Lexicon) -> bool:
    """ "renews … unless either party gives 30 days' notice, and upon each renewal the Operator may revise its
    charges": a notice in another part of the sentence that speaks of termination or renewal is not for the
    price change."""
    first, end = passage.part(position, lex.CONJUNCTION)
    return not first <= index < end and any(lex.OTHER_TOPIC.fullmatch(lemma) for lemma in passage.lemmas[first:end])


def _notice_elsewhere(clause: Clause, passage: Passage, lex: Lexicon) -> Quantity | None:
    """A notice period stated in another sentence of the clause that speaks of nothing else."""
    for other in clause.passages:
        if other is passage or other.indexes(lex.OTHER_TOPIC):
            continue
        found = quantities_of(other.find(lex.notice_period))
        if found:
            return found[0][1]
    return None
