"""The language of a clause, its tokens with their lemmas, and its sentences.

Russian is tokenised by razdel and lemmatised by pymorphy3; English tokens are lower-cased words, which the
rules match by their stems.
"""
import functools
import re
from dataclasses import dataclass

import pymorphy3
import razdel

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
# Digits with their separators, words with inner apostrophes, a possessive 's, or any other single character.
_ENGLISH_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’](?![sS]\b)[^\W\d_]+)*|['’][sS]\b|\S")
_DIGITS_AND_HYPHEN = re.compile(r"\d+(?:[.,]\d+)*|-|[^\d-]+")
# Words after which a full stop does not end the sentence: "Sec. 4", "No. 5", "i.e.", "Прил. № 2", "т.е.".
_ABBREVIATIONS = frozenset({
    "no", "nos", "sec", "secs", "art", "arts", "cl", "para", "paras", "pp", "mr", "ms", "mrs", "dr", "ltd", "inc",
    "co", "llc", "jsc", "st", "vs", "approx", "incl", "excl", "fig", "ref", "app", "cf", "viz",
    "п", "пп", "ст", "прил", "руб", "коп", "тыс", "млн", "см", "рис", "др", "пр", "им", "ул", "обл", "мес", "гг",
    "абз", "разд", "ред", "изм", "доп",
})
_SENTENCE_ENDS = frozenset(".!?…")
# Forms pymorphy3 reads first as another word: "пеню" as the verb "пенить", "данные" as "дать".
_RUSSIAN_LEMMAS = {"пеню": "пеня", "пени": "пеня", "пеней": "пеня", "данные": "данные", "данных": "данные",
                   "данным": "данные", "данными": "данные"}


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    lemma: str
    # A Russian word that can be in the nominative case: a party named so is the subject of its sentence.
    nominative: bool = False

    @property
    def is_word(self) -> bool:
        return bool(_LETTER.search(self.text))


def detect_language(text: str) -> str:
    """Russian ("ru") when at least half of the letters are Cyrillic, else English ("en")."""
    letters = _LETTER.findall(text)
    if not letters:
        return "en"
    cyrillic = sum(1 for letter in letters if _CYRILLIC.match(letter))
    return "ru" if cyrillic * 2 >= len(letters) else "en"


@functools.cache
def morphology() -> pymorphy3.MorphAnalyzer:
    """The Russian analyser, created once: loading its dictionaries takes a noticeable fraction of a second."""
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=100_000)
def russian_word(word: str) -> tuple[str, bool]:
    """The dictionary form of a Russian word (its most likely reading), lower-case with ё written е, and whether
    the word can be nominative."""
    lowered = word.lower().replace("ё", "е")
    if not _CYRILLIC.search(lowered):
        return lowered, False
    parses = morphology().parse(lowered)
    lemma = _RUSSIAN_LEMMAS.get(lowered) or parses[0].normal_form.replace("ё", "е")
    return lemma, any(parse.tag.case == "nomn" for parse in parses)


def english_lemma(word: str) -> str:
    """A lower-case English word, apostrophes written '."""
    return word.lower().replace("’", "'")


def tokenize(text: str, language: str) -> list[Token]:
    if language == "ru":
        return [_russian_token(part, start) for piece in razdel.tokenize(text)
                for part, start in _split_digits_from_words(piece.text, piece.start)]
    return [Token(match.group(), match.start(), match.end(), english_lemma(match.group()))
            for match in _ENGLISH_TOKEN.finditer(text)]


def _split_digits_from_words(text: str, start: int) -> list[tuple[str, int]]:
    """razdel keeps "30-дневный" whole; the number and the word are read apart."""
    if "-" not in text or not any(char.isdigit() for char in text):
        return [(text, start)]
    return [(match.group(), start + match.start()) for match in _DIGITS_AND_HYPHEN.finditer(text)]


def _russian_token(text: str, start: int) -> Token:
    if not _LETTER.search(text):
        return Token(text, start, start + len(text), text.lower())
    lemma, nominative = russian_word(text)
    return Token(text, start, start + len(text), lemma, nominative)


def sentence_ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges [first, last) of the sentences: a full stop ends one when a capital letter follows and
    the word before it is not an abbreviation."""
    ranges = []
    first = 0
    for index, token in enumerate(tokens):
        if token.text not in _SENTENCE_ENDS or index + 1 == len(tokens):
            continue
        following = tokens[index + 1]
        if token.text == "." and not _ends_sentence(tokens[index - 1] if index else None, following):
            continue
        ranges.append((first, index + 1))
        first = index + 1
    if first < len(tokens):
        ranges.append((first, len(tokens)))
    return ranges


def _ends_sentence(before: Token | None, following: Token) -> bool:
    if not following.text[0].isupper():
        return False
    if before is None:
        return True
    word = before.text.lower()
    if before.is_word and (len(word) == 1 or word in _ABBREVIATIONS):
        return False
    return True
