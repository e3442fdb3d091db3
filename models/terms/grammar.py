"""Who does what in a sentence: the lexicon of a clause, negation, the parties named and who is liable."""
import re

from .lexicon import Lexicon
from .lexicon_en import ENGLISH
from .lexicon_ru import RUSSIAN
from .passages import Clause, Passage


_LEXICONS = {"en": ENGLISH, "ru": RUSSIAN}


def lexicon_of(clause: Clause) -> Lexicon:
    return _LEXICONS[clause.language]


def is_negated(passage: Passage, index: int, lex: Lexicon) -> bool:
    """ "shall not be changed", "не вправе изменять": a negation before the word, only auxiliaries between."""
    position = index - 1
    while position >= 0 and index - position <= 6:
        lemma = passage.lemmas[position]
        if lex.NEG.fullmatch(lemma):
            return True
        if not lex.NEG_GAP.fullmatch(lemma):
            return False
        position -= 1
    return False


def party_role(lemma: str, lex: Lexicon) -> str | None:
    if lex.CARRIER.fullmatch(lemma):
        return "carrier"
    if lex.CUSTOMER.fullmatch(lemma):
        return "customer"
    if lemma in ("party", "parties", "сторона"):
        return "either"
    return None


def is_subject(passage: Passage, index: int, lex: Lexicon) -> bool:
    """A party named as the one who acts: nominative in Russian; in English not after a preposition, nor
    possessive unless what it owns is its liability ("the Customer's liability")."""
    item = passage.items[index]
    if lex is RUSSIAN:
        return item.token is not None and item.token.nominative
    lemmas = passage.lemmas
    if index + 1 < len(lemmas) and lemmas[index + 1] == "'s":
        return any(lex.OWNED.fullmatch(lemma) for lemma in lemmas[index + 2:index + 5])
    position = index - 1
    while position >= 0 and lex.ARTICLE.fullmatch(lemmas[position]):
        position -= 1
    return position < 0 or not lex.OBLIQUE.fullmatch(lemmas[position])


def subjects_of(passage: Passage, lex: Lexicon, end: int | None = None) -> list[tuple[int, str]]:
    found = []
    for index, lemma in enumerate(passage.lemmas[:end]):
        role = party_role(lemma, lex)
        if role is not None and is_subject(passage, index, lex):
            found.append((index, role))
    return found


def liability_owners(passage: Passage, lex: Lexicon) -> set[str]:
    """ "liability of the Customer", "ответственность Абонента": whose liability the sentence speaks of."""
    owners = set()
    lemmas = passage.lemmas
    for index, lemma in enumerate(lemmas):
        if not lex.OWNED.fullmatch(lemma):
            continue
        position = index + 1
        if lex is ENGLISH:
            if position >= len(lemmas) or lemmas[position] != "of":
                continue
            position += 1
            while position < len(lemmas) and lex.ARTICLE.fullmatch(lemmas[position]):
                position += 1
        if position < len(lemmas):
            role = party_role(lemmas[position], lex)
            if role is not None:
                owners.add(role)
    return owners


def liable_party(passage: Passage, lex: Lexicon) -> str:
    """Who a liability sentence makes pay: "customer", "either", "carrier", or "unknown" (passive, unnamed).
    An English sentence's subject is its first party not after a preposition; the others are its objects."""
    paid_by = passage.first(lex.paid_by)
    if paid_by is not None:
        return party_role(paid_by.text("payer"), lex)
    subjects = subjects_of(passage, lex)
    if lex is ENGLISH:
        main = [subject for subject in subjects if subject[0] >= _main_clause_start(passage, lex)]
        subjects = (main or subjects)[:1]
    roles = {role for _, role in subjects} | liability_owners(passage, lex)
    if "customer" in roles:
        return "customer"
    if "either" in roles:
        return "either"
    if "carrier" in roles:
        return "customer" if passage.indexes(lex.RECOVER) else "carrier"
    return _agent(passage, lex)


def _main_clause_start(passage: Passage, lex: Lexicon) -> int:
    """The first item after a sentence's opening subordinate clause ("If …, ", "Where …, "), else 0."""
    if passage.first(lex.subordinate_opening) is None:
        return 0
    return next((index + 1 for index, lemma in enumerate(passage.lemmas) if lemma == ","), 0)


def _agent(passage: Passage, lex: Lexicon) -> str:
    """ "losses caused by the Carrier": the party a passive sentence names after "by"."""
    lemmas = passage.lemmas
    for index, lemma in enumerate(lemmas):
        role = party_role(lemma, lex)
        if role is None or lex is RUSSIAN:
            continue
        position = index - 1
        while position >= 0 and lex.ARTICLE.fullmatch(lemmas[position]):
            position -= 1
        if position >= 0 and lemmas[position] == "by":
            # "losses suffered by the Carrier", "damages recoverable by the Carrier": the other party pays.
            suffered = position > 0 and (re.match(r"suffer|incur|sustain", lemmas[position - 1])
                                         or lex.RECOVER.fullmatch(lemmas[position - 1]))
            if suffered:
                return "customer" if role == "carrier" else "carrier"
            return role
    return "unknown"
