"""Numbers, periods, percentages and amounts as carriers write them, in digits or words, English or Russian.

"тридцати (30) календарных дней", "fifteen (15) business days", "one half of one percent", "0,5 %",
"половины процента", "в десятидневный срок", "two weeks": each is read into a Quantity with its character span,
so that a flag can point at the words. A week counts 7 days, a month 30, a year 365; business days keep their
count and say so.
"""
import functools
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .language import Token, detect_language, morphology, tokenize

DAY = "day"
BUSINESS_DAY = "business day"
WEEK = "week"
MONTH = "month"
YEAR = "year"
HOUR = "hour"
PERCENT = "percent"
# A day of the year ("1 October", "31 декабря"): its value is the day's number in a year of 365 days.
DATE = "date"
MONEY = "money"
NUMBER = "number"

DAYS_PER_UNIT = {DAY: Decimal(1), BUSINESS_DAY: Decimal(1), WEEK: Decimal(7), MONTH: Decimal(30),
                 YEAR: Decimal(365), HOUR: Decimal(1) / 24}
MONTHS_PER_UNIT = {DAY: Decimal(1) / 30, BUSINESS_DAY: Decimal(1) / 30, WEEK: Decimal(7) / 30, MONTH: Decimal(1),
                   YEAR: Decimal(12), HOUR: Decimal(1) / 720}


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str
    start: int
    end: int
    # The tokens it was read from: [first_token, end_token).
    first_token: int
    end_token: int

    @property
    def is_duration(self) -> bool:
        return self.unit in DAYS_PER_UNIT

    @property
    def days(self) -> Decimal:
        """The period in days (business days stay business days)."""
        return self.value * DAYS_PER_UNIT[self.unit]

    @property
    def months(self) -> Decimal:
        return self.value * MONTHS_PER_UNIT[self.unit]

    @property
    def business(self) -> bool:
        return self.unit == BUSINESS_DAY


def parse_quantities(text: str, language: str | None = None) -> list[Quantity]:
    """Every quantity written in `text`, in order."""
    language = language or detect_language(text)
    return find_quantities(tokenize(text, language), language)


def find_quantities(tokens: list[Token], language: str) -> list[Quantity]:
    reader = _Reader(tokens, language)
    found = []
    index = 0
    while index < len(tokens):
        quantity = reader.quantity_at(index)
        if quantity is None:
            index += 1
        else:
            found.append(quantity)
            index = quantity.end_token
    return found


# English number words.
_EN_UNITS = {word: Decimal(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_UNITS["nought"] = _EN_UNITS["naught"] = Decimal(0)
_EN_TENS = {word: Decimal(10 * (index + 2)) for index, word in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                 "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10, "hundredth": 100,
                 "hundredths": 100, "thousandth": 1000, "thousandths": 1000}
# Russian numerals by dictionary form; all their case forms are looked up (see _russian_numeral_forms).
_RU_CARDINALS = {
    "ноль": 0, "нуль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13,
    "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18,
    "девятнадцать": 19, "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "сто": 100, "двести": 200, "триста": 300,
    "четыреста": 400, "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7, "полтора": Decimal("1.5"),
}
_RU_PARTS = {"половина": Decimal("0.5"), "четверть": Decimal("0.25"), "треть": Decimal(1) / 3}
_RU_DENOMINATORS = {"десятый": 10, "сотый": 100, "тысячный": 1000}

_EN_UNIT_WORDS = {"day": DAY, "days": DAY, "week": WEEK, "weeks": WEEK, "month": MONTH, "months": MONTH,
                  "year": YEAR, "years": YEAR, "hour": HOUR, "hours": HOUR}
_RU_UNIT_WORDS = {"день": DAY, "сутки": DAY, "неделя": WEEK, "месяц": MONTH, "год": YEAR, "час": HOUR}
# "десятидневный", "трехмесячный": a numeral's genitive joined to a period adjective.
_RU_PERIOD_ADJECTIVES = {"дневный": DAY, "суточный": DAY, "недельный": WEEK, "месячный": MONTH,
                         "годичный": YEAR, "летний": YEAR, "часовой": HOUR}
_RU_COMPOUND = re.compile(r"^([а-я]+?)(дневный|суточный|недельный|месячный|годичный|летний|часовой)$")
_BUSINESS_WORDS = frozenset({"business", "working", "banking", "bank", "рабочий", "банковский"})
_PERIOD_MODIFIERS = _BUSINESS_WORDS | frozenset({
    "calendar", "clear", "full", "consecutive", "complete", "календарный", "полный", "последовательный"})
_PERCENT_WORDS = frozenset({"%", "percent", "pct", "процент"})
_CURRENCY_AFTER = frozenset({
    "rub", "rubles", "roubles", "ruble", "rouble", "rur", "usd", "eur", "dollars", "dollar", "euro", "euros", "₽",
    "рубль", "руб", "р", "доллар", "евро", "тенге"})
_CURRENCY_BEFORE = frozenset({"$", "€", "£", "₽", "usd", "eur", "rub", "rur"})
# Words after which a bare "месяц", "неделя" or "год" means one of them: "в течение месяца", "за месяц до".
_RU_ONE_PERIOD_AFTER = frozenset({"течение", "за", "через", "спустя", "на"})
# ... in the accusative or genitive: "за месяц", "в течение месяца"; not "за месяцем" (the month after).
_RU_ONE_PERIOD_FORMS = frozenset({"неделю", "недели", "месяц", "месяца", "год", "года"})
_EN_MONTHS = {name: number for number, name in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_RU_MONTHS = {name: number for number, name in enumerate(
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split(), start=1)}
_COMMON_YEAR = 2001  # any year of 365 days
_DAY_OF_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
_FRACTION_DIGITS = re.compile(r"^(\d+)/(\d+)$")


@functools.cache
def _russian_numeral_forms() -> dict[str, tuple[str, Decimal]]:
    """Every case form of the Russian numerals: form -> (kind, value), kind "cardinal", "part" or "denominator"."""
    forms = {}
    for kind, table in (("cardinal", _RU_CARDINALS), ("part", _RU_PARTS), ("denominator", _RU_DENOMINATORS),
                        ("thousand", {"тысяча": 1000})):
        for lemma, value in table.items():
            parse = next(p for p in morphology().parse(lemma) if p.normal_form == lemma)
            for form in parse.lexeme:
                forms.setdefault(form.word.replace("ё", "е"), (kind, Decimal(value)))
    return forms


def _digits_value(text: str, language: str) -> Decimal | None:
    if not _DIGITS.match(text):
        return None
    if "," in text:
        if language == "en" and re.match(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", text):
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        else:
            return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class _Reader:
    def __init__(self, tokens: list[Token], language: str):
        self.tokens = tokens
        self.language = language

    def lemma(self, index: int) -> str:
        return self.tokens[index].lemma if 0 <= index < len(self.tokens) else ""

    def quantity_at(self, index: int) -> Quantity | None:
        if self.lemma(index) in _CURRENCY_BEFORE:
            number = self.number_at(index + 1)
            if number is not None:
                return self.make(number[0], MONEY, index, self.restated(number[1])[0])
            return None
        compound = self.russian_compound_at(index) or self.date_at(index)
        if compound is not None:
            return compound
        number = self.number_at(index)
        if number is None:
            return self.one_period_at(index)
        value, after = number
        after, restated_value, unit = self.restated(after)
        if restated_value is not None:
            value = restated_value
        after = self.skip_suffix(after)
        multiplied = self.fraction_of_percent(value, after)
        if multiplied is not None:
            return self.make(multiplied[0], PERCENT, index, multiplied[1])
        if unit is None:
            unit, end = self.unit_at(after)
        else:
            end = after
        if unit is None or (unit == YEAR and value >= 1000):  # "2026 года" is a calendar year
            return self.make(value, NUMBER, index, after)
        end, restated_value, _ = self.restated(end)  # "one percent (1%)"
        return self.make(restated_value if restated_value is not None else value, unit, index, end)

    def date_at(self, index: int) -> Quantity | None:
        """ "1 October", "the 1st of October", "October 1", "1 октября": a day of the year."""
        months = _RU_MONTHS if self.language == "ru" else _EN_MONTHS
        day = _DAY_OF_MONTH.match(self.tokens[index].text)
        if day is not None:
            month_at = self.skip_ordinal_ending(index + 1)
            month_at += self.lemma(month_at) == "of"
            month = months.get(self.lemma(month_at))
            end = month_at + 1
        else:
            # "October 1st"; a capital letter tells the month May from the verb.
            month = months.get(self.lemma(index)) if self.tokens[index].text[:1].isupper() else None
            day = _DAY_OF_MONTH.match(self.tokens[index + 1].text) if index + 1 < len(self.tokens) else None
            end = self.skip_ordinal_ending(index + 2)
        if month is None or day is None or not 1 <= int(day.group(1)) <= monthrange(_COMMON_YEAR, month)[1]:
            return None
        ordinal = date(_COMMON_YEAR, month, int(day.group(1))).timetuple().tm_yday
        return self.make(Decimal(ordinal), DATE, index, end)

    def skip_ordinal_ending(self, index: int) -> int:
        return index + 1 if self.lemma(index) in ("st", "nd", "rd", "th") else index

    def make(self, value: Decimal, unit: str, first: int, end: int) -> Quantity:
        return Quantity(value, unit, self.tokens[first].start, self.tokens[end - 1].end, first, end)

    def restated(self, index: int) -> tuple[int, Decimal | None, str | None]:
        """ "(30)", "(тридцать)", "(1%)" or "(five business days)" after a number restates it; the digits are taken
        when both are given. Returns where the reading goes on, the digits' value (None when not in digits) and
        the unit named inside the brackets."""
        if self.lemma(index) != "(":
            return index, None, None
        number = self.number_at(index + 1)
        if number is None:
            return index, None, None
        unit, close = self.unit_at(number[1])
        if unit is None:
            close = number[1]
        if self.lemma(close) != ")":
            return index, None, None
        digits = number[0] if _digits_value(self.tokens[index + 1].text, self.language) is not None else None
        return close + 1, digits, unit

    def skip_suffix(self, index: int) -> int:
        """ "5-ти дней": the case ending after the digits."""
        if self.lemma(index) == "-" and re.match(r"^[а-я]{1,3}$", self.lemma(index + 1)) \
                and self.lemma(index + 1) not in _RU_UNIT_WORDS:
            return index + 2
        return index

    def fraction_of_percent(self, value: Decimal, index: int) -> tuple[Decimal, int] | None:
        """ "one half of one percent", "половины одного процента": a part of a percentage."""
        if value >= 1:
            return None
        if self.lemma(index) == "of":
            index += 1
        whole = Decimal(1)
        if self.lemma(index) in ("a", "an"):
            index += 1
        else:
            number = self.number_at(index)
            if number is not None:
                whole, index = number
        unit, end = self.unit_at(index)
        if unit != PERCENT:
            return None
        return value * whole, end

    def unit_at(self, index: int) -> tuple[str | None, int]:
        if self.lemma(index) == "-":
            index += 1
        business = False
        while self.lemma(index) in _PERIOD_MODIFIERS or (self.lemma(index) == "-" and business):
            business = business or self.lemma(index) in _BUSINESS_WORDS
            index += 1
        word = self.lemma(index)
        if word in _PERCENT_WORDS:
            return PERCENT, index + 1
        if word == "per" and self.lemma(index + 1) == "cent":
            return PERCENT, index + 2
        if word in _CURRENCY_AFTER and not business:
            return MONEY, index + 1 + (self.lemma(index + 1) == ".")
        unit = (_RU_UNIT_WORDS if self.language == "ru" else _EN_UNIT_WORDS).get(word)
        if unit is None and self.language == "ru":
            # "30-дневный срок"
            unit = _RU_PERIOD_ADJECTIVES.get(word) if self.lemma(index - 1) == "-" else None
        if unit is None:
            return None, index
        if unit == DAY and business:
            unit = BUSINESS_DAY
        end = index + 1
        if self.lemma(end) in ("'", "'s"):
            end += 1
        return unit, end

    def number_at(self, index: int) -> tuple[Decimal, int] | None:
        if index >= len(self.tokens):
            return None
        text = self.tokens[index].text
        fraction = _FRACTION_DIGITS.match(text)
        if fraction and int(fraction.group(2)):
            return Decimal(int(fraction.group(1))) / Decimal(int(fraction.group(2))), index + 1
        value = _digits_value(text, self.language)
        if value is not None and self.lemma(index + 1) == "/" and index + 2 < len(self.tokens):
            denominator = _digits_value(self.tokens[index + 2].text, self.language)
            if denominator:  # "1/10" read as three tokens
                return value / denominator, index + 3
        if value is not None:
            # "10 000": digits grouped by spaces.
            while (index + 1 < len(self.tokens) and re.match(r"^\d{3}$", self.tokens[index + 1].text)
                   and self.tokens[index + 1].start == self.tokens[index].end + 1 and "." not in text):
                value = value * 1000 + Decimal(self.tokens[index + 1].text)
                index += 1
            return value, index + 1
        if self.language == "ru":
            return self.russian_number_at(index)
        return self.english_number_at(index)

    def english_number_at(self, index: int) -> tuple[Decimal, int] | None:
        lemma = self.lemma
        total = current = Decimal(0)
        seen = False
        position = index
        # "a month", "a calendar month", "a half"; not "a day", which is a rate ("0.5% a day").
        if lemma(position) in ("a", "an"):
            after = position + 1
            while lemma(after) in _PERIOD_MODIFIERS:
                after += 1
            if _EN_UNIT_WORDS.get(lemma(after)) in (WEEK, MONTH, YEAR):
                return Decimal(1), position + 1
            if lemma(position + 1) in _EN_FRACTIONS:
                current, seen, position = Decimal(1), True, position + 1
        while True:
            word = lemma(position)
            if word in _EN_UNITS or word in _EN_TENS:
                current += _EN_UNITS.get(word, _EN_TENS.get(word))
                seen = True
            elif word == "hundred" and seen:
                current *= 100
            elif word == "thousand" and seen:
                total, current = total + current * 1000, Decimal(0)
            elif word == "-" and seen and (lemma(position + 1) in _EN_UNITS or lemma(position + 1) in _EN_FRACTIONS
                                           or lemma(position + 1) == "and"):
                pass
            elif word == "and" and seen and (lemma(position + 1) in _EN_UNITS or lemma(position + 1) in _EN_TENS):
                pass  # "one hundred and twenty"
            else:
                break
            position += 1
        value = total + current
        if seen and lemma(position) == "point" and lemma(position + 1) in _EN_UNITS:
            position += 1
            digits = ""
            while lemma(position) in _EN_UNITS and _EN_UNITS[lemma(position)] < 10:
                digits += str(_EN_UNITS[lemma(position)])
                position += 1
            value += Decimal("0." + digits)
        elif not seen and lemma(position) == "point" and lemma(position + 1) in _EN_UNITS:
            return self.english_number_at_point(position)
        if lemma(position) == "-" and lemma(position + 1) in _EN_FRACTIONS and seen:
            position += 1
        if lemma(position) in _EN_FRACTIONS and (seen or lemma(position) == "half"):
            return (value if seen else Decimal(1)) / _EN_FRACTIONS[lemma(position)], position + 1
        if seen and lemma(position) == "and" and lemma(position + 1) in ("a", "an") \
                and lemma(position + 2) in _EN_FRACTIONS:
            return value + Decimal(1) / _EN_FRACTIONS[lemma(position + 2)], position + 3
        return (value, position) if seen else None

    def english_number_at_point(self, index: int) -> tuple[Decimal, int]:
        """ "point five": a number below one."""
        position = index + 1
        digits = ""
        while self.lemma(position) in _EN_UNITS and _EN_UNITS[self.lemma(position)] < 10:
            digits += str(_EN_UNITS[self.lemma(position)])
            position += 1
        return Decimal("0." + digits), position

    def russian_number_at(self, index: int) -> tuple[Decimal, int] | None:
        forms = _russian_numeral_forms()
        total = current = Decimal(0)
        seen = False
        position = index
        while position < len(self.tokens):
            kind, value = forms.get(self.tokens[position].text.lower().replace("ё", "е"), (None, None))
            if kind == "cardinal":
                current += value
            elif kind == "thousand" and seen:
                total, current = total + current * 1000, Decimal(0)
            elif kind == "part" and not seen:
                return value, position + 1
            else:
                break
            seen = True
            position += 1
        if not seen:
            return None
        value = total + current
        word = self.lemma(position)
        if word == "целый":
            fraction = self.russian_fraction_at(position + 1)
            if fraction is not None:
                return value + fraction[0], fraction[1]
        kind, denominator = forms.get(self.tokens[position].text.lower().replace("ё", "е"), (None, None)) \
            if position < len(self.tokens) else (None, None)
        if kind == "denominator":
            return value / denominator, position + 1
        return value, position

    def russian_fraction_at(self, index: int) -> tuple[Decimal, int] | None:
        """ "пять десятых" after "ноль целых"."""
        number = self.russian_number_at(index)
        if number is None or number[0] >= 1:
            return None
        return number

    def russian_compound_at(self, index: int) -> Quantity | None:
        """ "десятидневный срок", "трехмесячный": a number joined to a period adjective."""
        if self.language != "ru":
            return None
        match = _RU_COMPOUND.match(self.lemma(index))
        if match is None:
            return None
        kind, value = _russian_numeral_forms().get(match.group(1), (None, None))
        if kind != "cardinal":
            return None
        return self.make(value, _RU_PERIOD_ADJECTIVES[match.group(2)], index, index + 1)

    def one_period_at(self, index: int) -> Quantity | None:
        """ "в течение месяца", "за неделю до": one period, the number left unwritten."""
        if self.language != "ru" or self.lemma(index - 1) not in _RU_ONE_PERIOD_AFTER:
            return None
        end = index
        while self.lemma(end) in _PERIOD_MODIFIERS:
            end += 1
        if end >= len(self.tokens) or self.tokens[end].text.lower() not in _RU_ONE_PERIOD_FORMS:
            return None
        return self.make(Decimal(1), _RU_UNIT_WORDS[self.lemma(end)], index, end + 1)
