"""Dates and money written the way each language expects: the one formatter for documents, pages, reports and
e-mails.

All amounts are :class:`decimal.Decimal` (or ``int``): a float has already lost the exact value a contract must
state, so floats are refused rather than rounded silently.  Amounts are rounded half-up, the usual rule for
money, and every function here rounds the same way so the figure and the words in a document always agree.

Languages are "en" and "ru".  The forms:

=====================  =========================  ==============================
what                   en                         ru
=====================  =========================  ==============================
format_date            2 December 2026            «02» декабря 2026 г.
format_short_date      2 Dec 2026                 02.12.2026
format_month           December 2026              декабрь 2026
format_amount          1,500.00                   1 500,00
format_money           RUB 1,500.00               1 500,00 руб.
money_in_words         one thousand, five ...     одна тысяча пятьсот рублей 00 копеек
plain_amount           1500.00 (JSON, CSV, forms: the same in every language)
=====================  =========================  ==============================

Russian figures group thousands with a non-breaking space, so "1 500,00 руб." stays on one line in Word and on
a page.  The tables are written out here rather than taken from a locale library: a contract needs exactly
these forms («02» with its quotes, "руб.", kopecks in figures), which no library's locale data gives.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

from .choices import Language

LANGUAGES = tuple(Language.values())

__all__ = ["currency_name", "format_amount", "format_date", "format_datetime", "format_money",
           "format_month", "format_short_date", "money_in_words", "plain_amount"]

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    # Genitive, as after a day: «28» ноября, not «28» ноябрь.
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
}
# A month on its own (a report's title) is nominative in Russian.
_MONTHS_ALONE = {
    "en": _MONTHS["en"],
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь"),
}

NBSP = "\u00a0"

# How an amount names its currency after the figure in Russian; English puts the ISO code first.
_RU_CURRENCY_SIGNS = {"RUB": "руб.", "USD": "долл. США", "EUR": "евро"}

# The currency as words, e.g. in "prices are stated in ...".
_CURRENCY_NAMES = {
    "RUB": {"en": "Russian roubles", "ru": "российский рубль"},
    "USD": {"en": "US dollars", "ru": "доллар США"},
    "EUR": {"en": "euros", "ru": "евро"},
}


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected 'en' or 'ru'")


def _exact(amount: Decimal | int) -> Decimal:
    # bool is an int subclass but never a sensible amount.
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"amount must be a finite number, not {amount}")
    return value


def _rounded(amount: Decimal | int, places: int) -> Decimal:
    try:
        return _exact(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise ValueError(f"amount {amount} is too large") from exc


def _check_day(day: date) -> None:
    if not isinstance(day, date):
        raise TypeError(f"day must be a date, not {type(day).__name__}")


# ------------------------------------------------------------------------------------------------ dates


def format_date(day: date, language: str) -> str:
    """The date as documents write it. en: ``2 December 2026``; ru: ``«02» декабря 2026 г.`` (the day zero-padded,
    as in the «__» blank of Russian contract forms)."""
    _check_language(language)
    _check_day(day)
    month = _MONTHS[language][day.month - 1]
    if language == "ru":
        return f"«{day.day:02d}» {month} {day.year} г."
    return f"{day.day} {month} {day.year}"


def format_short_date(day: date, language: str) -> str:
    """The date in a table or a list. en: ``2 Dec 2026``; ru: ``02.12.2026``."""
    _check_language(language)
    _check_day(day)
    if language == "ru":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {_MONTHS['en'][day.month - 1][:3]} {day.year}"


def format_datetime(moment: datetime, language: str) -> str:
    """A moment already in the reader's time zone, to the minute. en: ``2 Dec 2026 15:40``; ru:
    ``02.12.2026 15:40``."""
    if not isinstance(moment, datetime):
        raise TypeError(f"moment must be a datetime, not {type(moment).__name__}")
    return f"{format_short_date(moment, language)} {moment:%H:%M}"


def format_month(day: date, language: str) -> str:
    """The month of ``day``, e.g. a report's. en: ``December 2026``; ru: ``декабрь 2026``."""
    _check_language(language)
    _check_day(day)
    return f"{_MONTHS_ALONE[language][day.month - 1]} {day.year}"


# ------------------------------------------------------------------------------------------------ money


def plain_amount(amount: Decimal | int, places: int = 2) -> str:
    """The amount as data travels (JSON, CSV, form fields): ``1500.00``, whatever the language."""
    return str(_rounded(amount, places))


def format_amount(amount: Decimal | int, language: str, *, places: int = 2, max_places: int | None = None) -> str:
    """The figure alone. en: ``1,500.00``; ru: ``1 500,00`` (non-breaking spaces).

    ``places`` decimals at least; with ``max_places`` the amount is rounded to that many and only the
    zeros beyond ``places`` are dropped: a call price of 0.6500 reads 0.65, one of 0.6525 keeps every digit.
    """
    _check_language(language)
    value = _rounded(amount, places if max_places is None else max(places, max_places))
    digits = format(abs(value), ",f")  # exact for Decimal, no float involved
    if "." in digits:
        whole, fraction = digits.split(".")
        fraction = fraction.rstrip("0").ljust(places, "0")
        digits = f"{whole}.{fraction}" if fraction else whole
    sign = "-" if value < 0 else ""
    if language == "ru":
        digits = digits.replace(",", NBSP).replace(".", ",")
    return sign + digits


def format_money(amount: Decimal | int, currency: str, language: str, *, places: int = 2,
                 max_places: int | None = None) -> str:
    """The amount with its currency. en: ``RUB 1,500.00``; ru: ``1 500,00 руб.`` (non-breaking spaces).

    ``places`` and ``max_places`` as for :func:`format_amount`; call prices use ``max_places=4``.
    """
    figure = format_amount(amount, language, places=places, max_places=max_places)
    if language == "ru":
        return f"{figure}{NBSP}{_RU_CURRENCY_SIGNS.get(currency, currency)}"
    sign, figure = ("-", figure[1:]) if figure.startswith("-") else ("", figure)
    return f"{sign}{currency} {figure}"


def currency_name(currency: str, language: str) -> str:
    """The currency in words: en ``Russian roubles``, ru ``российский рубль``; an unknown one by its code."""
    _check_language(language)
    return _CURRENCY_NAMES.get(currency, {}).get(language, currency)


def money_in_words(amount: Decimal | int, currency: str, language: str) -> str:
    """The amount in words, as written next to the figure in a contract.

    ru: ``одна тысяча пятьсот рублей 00 копеек`` (roubles in words, kopecks in figures, the usual form in
    Russian contracts); en: ``one thousand, five hundred roubles and zero kopeks``.
    """
    _check_language(language)
    # Always a Decimal: num2words reads a plain int as a number of kopecks.
    value = _rounded(amount, 2)
    try:
        if language == "ru":
            return num2words(value, lang="ru", to="currency", currency=currency, cents=False, separator="")
        return num2words(value, lang="en", to="currency", currency=currency, separator=" and")
    except OverflowError as exc:  # num2words has no words beyond its largest unit
        raise ValueError(f"amount {amount} is too large to write in words") from exc
    except NotImplementedError as exc:
        raise ValueError(f"currency {currency!r} cannot be written in words in {language!r}") from exc
