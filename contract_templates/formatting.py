"""Dates and money written the way each document language expects.

All amounts are :class:`decimal.Decimal` (or ``int``): a float has already lost
the exact value a contract must state, so floats are refused rather than
rounded silently.  Amounts are rounded half-up to whole kopecks/cents, the
usual rule for money, and every function here rounds the same way so the
figure and the words in a document always agree.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

__all__ = ["format_date", "format_money", "money_in_words"]

_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ),
    # Genitive case: «28» ноября, not «28» ноябрь.
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня", "июля",
        "августа", "сентября", "октября", "ноября", "декабря",
    ),
}

# Russian typography groups thousands with a space and puts a space before
# the currency; a non-breaking one keeps "1 500,00 руб." on one line in Word.
_NBSP = "\u00a0"

_RU_CURRENCY = {"RUB": "руб."}


def _check_language(language: str) -> None:
    if language not in _MONTHS:
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


def format_date(day: date, language: str) -> str:
    """en: ``28 November 2026``; ru: ``«28» ноября 2026 г.`` (day zero-padded,
    as in the «__» blank of Russian contract forms)."""
    _check_language(language)
    if not isinstance(day, date):
        raise TypeError(f"day must be a date, not {type(day).__name__}")
    month = _MONTHS[language][day.month - 1]
    if language == "ru":
        return f"«{day.day:02d}» {month} {day.year} г."
    return f"{day.day} {month} {day.year}"


def format_money(amount: Decimal, currency: str, language: str, *, places: int = 2) -> str:
    """en: ``RUB 1,500.00``; ru: ``1 500,00 руб.`` (non-breaking spaces).

    ``places`` is 2 for amounts, 4 for per-minute call prices.
    """
    _check_language(language)
    value = _rounded(amount, places)
    figure = format(abs(value), f",.{places}f")  # exact for Decimal, no float involved
    sign = "-" if value < 0 else ""
    if language == "ru":
        figure = figure.replace(",", _NBSP).replace(".", ",")
        return f"{sign}{figure}{_NBSP}{_RU_CURRENCY.get(currency, currency)}"
    return f"{sign}{currency} {figure}"


def money_in_words(amount: Decimal, currency: str, language: str) -> str:
    """The amount in words, as written next to the figure in a contract.

    ru: ``одна тысяча пятьсот рублей 00 копеек`` (roubles in words, kopecks in
    figures, the usual form in Russian contracts);
    en: ``one thousand, five hundred roubles and zero kopeks``.
    """
    _check_language(language)
    # Always a Decimal: num2words reads a plain int as a number of kopecks.
    value = _rounded(amount, 2)
    try:
        if language == "ru":
            return num2words(value, lang="ru", to="currency", currency=currency,
                             cents=False, separator="")
        return num2words(value, lang="en", to="currency", currency=currency,
                         separator=" and")
    except OverflowError as exc:  # num2words has no words beyond its largest unit
        raise ValueError(f"amount {amount} is too large to write in words") from exc
    except NotImplementedError as exc:
        raise ValueError(
            f"currency {currency!r} cannot be written in words in {language!r}"
        ) from exc
