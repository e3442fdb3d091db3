"""The text model of a clause: sentences read into lines of lemmas, and the helpers over them.

A clause is read into sentences of tokens; each sentence becomes a line of lemmas in which every quantity stands
as one placeholder (#dur a period, #pct a percentage, #amt an amount of money, #date a day of the year, #num
another number). The rules are patterns over those lines and over single lemmas, so every flag can say which
words it rests on and what they state against which threshold.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass

from .language import Token, sentence_ranges, tokenize
from .quantities import DATE, MONEY, NUMBER, PERCENT, Quantity, find_quantities

_PLACEHOLDERS = {PERCENT: "#pct", MONEY: "#amt", NUMBER: "#num", DATE: "#date"}


@dataclass(frozen=True)
class Item:
    """A token, or a quantity standing for the tokens it was read from."""
    lemma: str
    start: int
    end: int
    token: Token | None
    quantity: Quantity | None


class Passage:
    """One sentence as a line of lemmas separated by single spaces."""

    def __init__(self, items: list[Item]):
        self.items = items
        self.lemmas = [item.lemma for item in items]
        self.offsets = []
        position = 0
        for lemma in self.lemmas:
            self.offsets.append(position)
            position += len(lemma) + 1
        self.line = " ".join(self.lemmas)

    def item_at(self, position: int) -> int:
        return bisect_right(self.offsets, position) - 1

    def find(self, pattern: re.Pattern, first: int = 0, end: int | None = None) -> list["Hit"]:
        """Matches within items [first, end)."""
        stop = len(self.line) if end is None or end >= len(self.items) else self.offsets[end] - 1
        start = self.offsets[first] if first < len(self.items) else len(self.line)
        return [Hit(self, match) for match in pattern.finditer(self.line, start, stop)]

    def first(self, pattern: re.Pattern, first: int = 0, end: int | None = None) -> "Hit | None":
        hits = self.find(pattern, first, end)
        return hits[0] if hits else None

    def indexes(self, word: re.Pattern) -> list[int]:
        """The items whose lemma is `word` (a pattern matched against the whole lemma)."""
        return [index for index, lemma in enumerate(self.lemmas) if word.fullmatch(lemma)]

    def part(self, index: int, conjunction: re.Pattern) -> tuple[int, int]:
        """[first, end) items of the part of the sentence around `index`: parts end at a semicolon, or at a comma
        before a `conjunction` ("…, and upon each renewal …")."""
        def breaks(position: int) -> bool:
            lemma = self.lemmas[position]
            return lemma == ";" or (lemma == "," and position + 1 < len(self.lemmas)
                                    and bool(conjunction.fullmatch(self.lemmas[position + 1])))
        first = max((position + 1 for position in range(index) if breaks(position)), default=0)
        end = next((position for position in range(index, len(self.lemmas)) if breaks(position)), len(self.lemmas))
        return first, end


@dataclass(frozen=True)
class Hit:
    passage: Passage
    match: re.Match

    def items(self, group: str | int = 0) -> tuple[int, int]:
        """[first, end) items of the group."""
        start, end = self.match.span(group)
        return self.passage.item_at(start), self.passage.item_at(max(start, end - 1)) + 1

    @property
    def first(self) -> int:
        return self.items()[0]

    @property
    def last(self) -> int:
        return self.items()[1] - 1

    @property
    def start(self) -> int:
        return self.passage.items[self.first].start

    @property
    def end(self) -> int:
        return self.passage.items[self.last].end

    def group(self, name: str) -> str | None:
        """The first numbered group `name`1, `name`2, ... that matched."""
        for key, value in self.match.groupdict().items():
            if value is not None and key.rstrip("0123456789") == name:
                return key
        return None

    def quantity(self, name: str = "q") -> Quantity | None:
        key = self.group(name)
        return None if key is None else self.passage.items[self.items(key)[0]].quantity

    def text(self, name: str) -> str | None:
        key = self.group(name)
        return None if key is None else self.match.group(key)


class Clause:
    """A clause's text read into passages."""

    def __init__(self, text: str, language: str):
        self.text = text
        self.language = language
        tokens = tokenize(text, language)
        quantities = {quantity.first_token: quantity for quantity in find_quantities(tokens, language)}
        self.passages = []
        for first, end in sentence_ranges(tokens):
            items = []
            index = first
            while index < end:
                quantity = quantities.get(index)
                if quantity is not None:
                    placeholder = "#dur" if quantity.is_duration else _PLACEHOLDERS[quantity.unit]
                    items.append(Item(placeholder, quantity.start, quantity.end, None, quantity))
                    index = quantity.end_token
                else:
                    token = tokens[index]
                    items.append(Item(token.lemma, token.start, token.end, token, None))
                    index += 1
            if items:
                self.passages.append(Passage(items))

    def find(self, pattern: re.Pattern) -> list[Hit]:
        return [hit for passage in self.passages for hit in passage.find(pattern)]

    def has(self, pattern: re.Pattern) -> bool:
        return any(pattern.search(passage.line) for passage in self.passages)


def near_word(passage: Passage, index: int, word: re.Pattern, distance: int) -> bool:
    """Whether a `word` stands within `distance` items of `index`, with no semicolon between."""
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(passage.items) and abs(position - index) <= distance:
            lemma = passage.lemmas[position]
            if lemma == ";":
                break
            if word.fullmatch(lemma):
                return True
            position += step
    return False


def nearest_to(candidates: list[tuple[int, Quantity]], index: int) -> tuple[int, Quantity] | None:
    return min(candidates, key=lambda candidate: abs(candidate[0] - index), default=None)


def quantities_of(hits: list[Hit]) -> list[tuple[int, Quantity]]:
    """The quantities the hits captured, with their item positions, once each."""
    found = {}
    for hit in hits:
        key = hit.group("q")
        if key is not None:
            found[hit.items(key)[0]] = hit.quantity()
    return sorted(found.items())


def text_span(passage: Passage, *indexes: int) -> tuple[int, int]:
    return passage.items[min(indexes)].start, passage.items[max(indexes)].end
