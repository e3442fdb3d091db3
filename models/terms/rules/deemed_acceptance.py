"""deemed_acceptance: invoices or acts deemed accepted, or disputes barred, without the playbook's window."""
from decimal import Decimal

from ..grammar import is_negated, lexicon_of, subjects_of
from ..lexicon import Lexicon
from ..passages import Clause, Hit, Passage, nearest_to, quantities_of, text_span
from ..quantities import Quantity
from ..verdicts import Verdict, decisive, say, say_days


def check(clause: Clause, rule) -> Verdict | None:
    lex = lexicon_of(clause)
    if not any(passage.indexes(lex.DOCUMENT) for passage in clause.passages):
        return None
    verdicts = []
    for passage in clause.passages:
        for paid, pattern in ((False, lex.deemed), (True, lex.payment_means)):
            for hit in passage.find(pattern):
                if _speaks_of_acceptance(passage, hit, paid, lex):
                    # Paying is accepting: no window is left, whatever the clause says of objections.
                    window = None if paid else _objection_window(clause, passage, hit, lex)
                    verdicts.append(_window_verdict(clause, passage, hit, window, rule))
        for hit in passage.find(lex.barred):
            if _denied(passage, hit, lex):
                continue
            verdicts.append(_window_verdict(clause, passage, hit, _objection_window(clause, passage, hit, lex),
                                            rule))
        for hit in passage.find(lex.claims_window):
            first, end = hit.items()
            subjects = subjects_of(passage, lex, first)
            # The carrier's time to answer a claim is not the customer's time to make one.
            answered = any(lex.REVIEW.fullmatch(lemma) for lemma in passage.lemmas[max(0, first - 6):end]) or (
                subjects and subjects[-1][1] == "carrier")
            if passage.indexes(lex.DOCUMENT) and not answered:
                window = hit.items(hit.group("q"))[0], hit.quantity()
                verdicts.append(_window_verdict(clause, passage, hit, window, rule))
    verdicts.sort(key=lambda verdict: verdict.terms["invoice_dispute_days"])
    return decisive(verdicts)


def _speaks_of_acceptance(passage: Passage, hit: Hit, paid: bool, lex: Lexicon) -> bool:
    """Not negated ("payment does not mean acceptance") and not the acceptance of an offer or order; paying is
    accepting the charges when what is accepted is the prices or their changes."""
    first, end = hit.items()
    if any(lex.NEG.fullmatch(lemma) for lemma in passage.lemmas[first:end]) or _denied(passage, hit, lex):
        return False
    offer = passage.first(lex.offer_object, end, end + 8)
    if offer is None or offer.first != end:
        return True
    accepted = passage.lemmas[offer.first:offer.last + 1]
    if lex.PRONOUN.fullmatch(accepted[-1]):
        # "payment of the invoice means agreement with it": the pronoun stands for the last thing named before.
        named = next((lemma for lemma in reversed(passage.lemmas[:first])
                      if lex.PRICE.fullmatch(lemma) or lex.DOCUMENT.fullmatch(lemma)), None)
        accepted.append(named or "")
    if paid and any(lex.PRICE.fullmatch(lemma) or lex.CHANGE.fullmatch(lemma) for lemma in accepted):
        return True
    if lex.DOCUMENT.fullmatch(accepted[-1]) and not lex.PRICE.fullmatch(accepted[-1]):
        return True
    # "acceptance of the new tariffs and of that invoice" still accepts an invoice.
    return any(lex.DOCUMENT.fullmatch(lemma) for lemma in passage.lemmas[offer.last + 1:offer.last + 8])


def _denied(passage: Passage, hit: Hit, lex: Lexicon) -> bool:
    """ "does not waive", "shall not be construed as acceptance ... or as a waiver": the words are denied."""
    if is_negated(passage, hit.first, lex):
        return True
    part = max((index + 1 for index in range(hit.first) if passage.lemmas[index] == ";"), default=0)
    return bool(passage.find(lex.denial, part, hit.first))


def _objection_window(clause: Clause, passage: Passage, hit: Hit, lex: Lexicon) -> tuple[int, Quantity] | None:
    """The period the customer has to object: the nearest period in the sentence that is not a payment term,
    else one stated with an objection in another sentence."""
    stated = quantities_of(passage.find(lex.window)) or [
        (position, item.quantity) for position, item in enumerate(passage.items) if item.lemma == "#dur"]
    candidates = [(position, quantity) for position, quantity in stated if not _payment_term(passage, position, lex)]
    nearest = nearest_to(candidates, hit.first)
    if nearest is not None:
        return nearest
    for other in clause.passages:
        if other is not passage and other.indexes(lex.OBJECTION):
            found = quantities_of(other.find(lex.claims_window) or other.find(lex.window))
            if found:
                return -1, found[0][1]
    return None


def _payment_term(passage: Passage, position: int, lex: Lexicon) -> bool:
    """ "payable within 15 days": a period to pay, not to object."""
    before = passage.lemmas[max(0, position - 5):position]
    paying = any(lex.PAY.fullmatch(lemma) for lemma in before)
    return paying and not any(lex.OBJECTION.fullmatch(lemma) for lemma in before)


def _window_verdict(clause: Clause, passage: Passage, hit: Hit, window: tuple[int, Quantity] | None,
                    rule) -> Verdict:
    language = clause.language
    minimum = rule.min_dispute_days
    threshold = say_days(Decimal(minimum), False, language)
    if window is None:
        found = say(language, f"no time to dispute < {minimum}", f"без срока на возражения < {minimum}")
        return Verdict(True, hit.start, hit.end, found, threshold, {"invoice_dispute_days": 0})
    position, quantity = window
    start, end = text_span(passage, hit.first, hit.last, *([position] if position >= 0 else []))
    days = quantity.days
    found = say(language, f"dispute window {say_days(days, quantity.business, language)}",
                f"срок на возражения {say_days(days, quantity.business, language)}")
    return Verdict(days < minimum, start, end, f"{found} < {minimum}" if days < minimum else f"{found} ≥ {minimum}",
                   threshold, {"invoice_dispute_days": int(days)})
