"""Tests for models.formatting: dates and money in each language, for documents and pages alike."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from models.formatting import (currency_name, format_amount, format_date, format_datetime, format_money,
                               format_month, format_short_date, money_in_words, plain_amount)
from models.expenses import amount_text

NBSP = "\u00a0"


def plain(text: str) -> str:
    """Russian figures use non-breaking spaces; compare them as ordinary ones."""
    return text.replace(NBSP, " ")


# ------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "day, en, ru",
    [
        (date(2026, 11, 28), "28 November 2026", "«28» ноября 2026 г."),
        (date(2026, 12, 1), "1 December 2026", "«01» декабря 2026 г."),
        (date(2027, 1, 31), "31 January 2027", "«31» января 2027 г."),
        (date(2024, 2, 29), "29 February 2024", "«29» февраля 2024 г."),
        (date(2026, 3, 8), "8 March 2026", "«08» марта 2026 г."),
        (date(2026, 5, 9), "9 May 2026", "«09» мая 2026 г."),
    ],
)
def test_format_date(day, en, ru):
    assert format_date(day, "en") == en
    assert format_date(day, "ru") == ru


def test_format_date_every_russian_month_is_genitive():
    months = [format_date(date(2026, month, 1), "ru").split()[1] for month in range(1, 13)]
    assert months == ["января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                      "августа", "сентября", "октября", "ноября", "декабря"]


def test_format_date_accepts_datetime_and_rejects_strings():
    assert format_date(datetime(2026, 11, 28, 15, 30), "en") == "28 November 2026"
    with pytest.raises(TypeError):
        format_date("2026-11-28", "en")
    with pytest.raises(ValueError):
        format_date(date(2026, 11, 28), "de")


@pytest.mark.parametrize(
    "day, en, ru",
    [
        (date(2026, 12, 2), "2 Dec 2026", "02.12.2026"),
        (date(2027, 1, 31), "31 Jan 2027", "31.01.2027"),
        (date(2026, 9, 9), "9 Sep 2026", "09.09.2026"),
    ],
)
def test_format_short_date(day, en, ru):
    assert format_short_date(day, "en") == en
    assert format_short_date(day, "ru") == ru


def test_format_datetime_to_the_minute():
    moment = datetime(2026, 12, 2, 9, 5, 59)
    assert format_datetime(moment, "en") == "2 Dec 2026 09:05"
    assert format_datetime(moment, "ru") == "02.12.2026 09:05"
    with pytest.raises(TypeError):
        format_datetime(date(2026, 12, 2), "en")


def test_format_month_is_nominative_in_russian():
    assert format_month(date(2026, 12, 2), "en") == "December 2026"
    assert format_month(date(2026, 12, 2), "ru") == "декабрь 2026"
    assert [format_month(date(2026, month, 1), "ru").split()[0] for month in (1, 5, 8)] == ["январь", "май", "август"]


# ------------------------------------------------------------------------ money


@pytest.mark.parametrize(
    "amount, en, ru",
    [
        (Decimal("1500"), "RUB 1,500.00", "1 500,00 руб."),
        (Decimal("1500.00"), "RUB 1,500.00", "1 500,00 руб."),
        (Decimal("0"), "RUB 0.00", "0,00 руб."),
        (Decimal("0.5"), "RUB 0.50", "0,50 руб."),
        (Decimal("999.99"), "RUB 999.99", "999,99 руб."),
        (Decimal("1000000"), "RUB 1,000,000.00", "1 000 000,00 руб."),
        (Decimal("50000.00"), "RUB 50,000.00", "50 000,00 руб."),
        (Decimal("-1234.5"), "-RUB 1,234.50", "-1 234,50 руб."),
        (7, "RUB 7.00", "7,00 руб."),
    ],
)
def test_format_money(amount, en, ru):
    assert format_money(amount, "RUB", "en") == en
    assert plain(format_money(amount, "RUB", "ru")) == ru


def test_format_money_russian_spaces_do_not_break():
    text = format_money(Decimal("1500"), "RUB", "ru")
    assert text == f"1{NBSP}500,00{NBSP}руб."


def test_format_money_other_currencies():
    assert format_money(Decimal("12.3"), "USD", "en") == "USD 12.30"
    assert plain(format_money(Decimal("12.3"), "EUR", "ru")) == "12,30 евро"
    assert plain(format_money(Decimal("12.3"), "USD", "ru")) == "12,30 долл. США"
    assert plain(format_money(Decimal("12.3"), "KZT", "ru")) == "12,30 KZT"  # no Russian sign known: the code


def test_format_money_four_places_for_call_prices():
    assert format_money(Decimal("0.9"), "RUB", "en", places=4) == "RUB 0.9000"
    assert plain(format_money(Decimal("1234.56785"), "RUB", "ru", places=4)) == "1 234,5679 руб."


@pytest.mark.parametrize(
    "price, en, ru",
    [
        (Decimal("0.6500"), "RUB 0.65", "0,65 руб."),
        (Decimal("0.6550"), "RUB 0.655", "0,655 руб."),
        (Decimal("1.9525"), "RUB 1.9525", "1,9525 руб."),
        (Decimal("12"), "RUB 12.00", "12,00 руб."),
        (Decimal("0.123456"), "RUB 0.1235", "0,1235 руб."),  # rounded half-up to four places
        (Decimal("1500.1000"), "RUB 1,500.10", "1 500,10 руб."),
    ],
)
def test_call_prices_drop_only_the_zeros_beyond_two_places(price, en, ru):
    assert format_money(price, "RUB", "en", max_places=4) == en
    assert plain(format_money(price, "RUB", "ru", max_places=4)) == ru


@pytest.mark.parametrize(
    "amount, en, ru",
    [
        (Decimal("12345.6"), "12,345.60", "12 345,60"),
        (Decimal("-0.5"), "-0.50", "-0,50"),
        (Decimal("0"), "0.00", "0,00"),
        (Decimal("999999.995"), "1,000,000.00", "1 000 000,00"),
    ],
)
def test_format_amount_is_the_figure_alone(amount, en, ru):
    assert format_amount(amount, "en") == en
    assert plain(format_amount(amount, "ru")) == ru
    assert format_amount(amount, "ru") == ru.replace(" ", NBSP)


@pytest.mark.parametrize(
    "amount, places, text",
    [
        (Decimal("1500"), 2, "1500.00"),
        (Decimal("2.675"), 2, "2.68"),
        (Decimal("-1234.5"), 2, "-1234.50"),
        (Decimal("0.65"), 4, "0.6500"),
        (0, 2, "0.00"),
    ],
)
def test_plain_amount_is_the_same_in_every_language(amount, places, text):
    assert plain_amount(amount, places) == text


def test_api_and_csv_amounts_stay_plain_decimal_strings():
    assert amount_text(Decimal("12345.675")) == "12345.68"
    assert amount_text(Decimal("-0.5")) == "-0.50"
    assert amount_text(Decimal("0")) == "0.00"


def test_currency_names():
    assert currency_name("RUB", "ru") == "российский рубль"
    assert currency_name("RUB", "en") == "Russian roubles"
    assert currency_name("KZT", "ru") == "KZT"


def test_format_money_rounds_half_up_exactly():
    # 2.675 is 2.67499999... as a float; as a Decimal it rounds up.
    assert format_money(Decimal("2.675"), "RUB", "en") == "RUB 2.68"
    assert format_money(Decimal("2.665"), "RUB", "en") == "RUB 2.67"
    assert format_money(Decimal("0.1") + Decimal("0.2"), "RUB", "en") == "RUB 0.30"


def test_format_money_large_amounts_keep_every_digit():
    amount = Decimal("12345678901234567.89")  # more digits than a float holds
    assert format_money(amount, "RUB", "en") == "RUB 12,345,678,901,234,567.89"
    assert plain(format_money(amount, "RUB", "ru")) == "12 345 678 901 234 567,89 руб."


@pytest.mark.parametrize("function", [format_money, money_in_words,
                                      lambda amount, _currency, language: format_amount(amount, language)])
def test_money_refuses_floats_and_junk(function):
    with pytest.raises(TypeError):
        function(1500.0, "RUB", "en")
    with pytest.raises(TypeError):
        function("1500", "RUB", "en")
    with pytest.raises(ValueError):
        function(Decimal("NaN"), "RUB", "en")
    with pytest.raises(ValueError):
        function(Decimal("1"), "RUB", "de")


# ----------------------------------------------------------------- in words


@pytest.mark.parametrize(
    "amount, words",
    [
        (Decimal("1500.00"), "одна тысяча пятьсот рублей 00 копеек"),
        (Decimal("50000"), "пятьдесят тысяч рублей 00 копеек"),
        (Decimal("1.01"), "один рубль 01 копейка"),
        (Decimal("2.02"), "два рубля 02 копейки"),
        (Decimal("21.21"), "двадцать один рубль 21 копейка"),
        (Decimal("11.11"), "одиннадцать рублей 11 копеек"),
        (Decimal("3000"), "три тысячи рублей 00 копеек"),
        (Decimal("0.30"), "ноль рублей 30 копеек"),
        (Decimal("1000000"), "один миллион рублей 00 копеек"),
    ],
)
def test_money_in_words_russian(amount, words):
    assert money_in_words(amount, "RUB", "ru") == words


@pytest.mark.parametrize(
    "amount, words",
    [
        (Decimal("1500.00"), "one thousand, five hundred roubles and zero kopeks"),
        (Decimal("1.01"), "one rouble and one kopek"),
        (Decimal("50000"), "fifty thousand roubles and zero kopeks"),
        (Decimal("0.3"), "zero roubles and thirty kopeks"),
    ],
)
def test_money_in_words_english(amount, words):
    assert money_in_words(amount, "RUB", "en") == words


def test_money_in_words_is_exact_for_decimal_sums():
    total = Decimal("0.1") + Decimal("0.2")
    assert money_in_words(total, "RUB", "ru") == "ноль рублей 30 копеек"
    assert money_in_words(total, "RUB", "en") == "zero roubles and thirty kopeks"
    # Rounds half-up to whole kopecks, like format_money.
    assert money_in_words(Decimal("2.675"), "RUB", "ru") == "два рубля 68 копеек"
    assert format_money(Decimal("2.675"), "RUB", "ru").startswith("2,68")


def test_money_in_words_large_amounts():
    amount = Decimal("12345678901234567.89")
    words = money_in_words(amount, "RUB", "ru")
    assert words.startswith("двенадцать квадриллионов триста сорок пять триллионов")
    assert words.endswith("пятьсот шестьдесят семь рублей 89 копеек")
    english = money_in_words(amount, "RUB", "en")
    assert english.endswith("five hundred and sixty-seven roubles and eighty-nine kopeks")
    assert money_in_words(Decimal("999999999.99"), "RUB", "ru") == (
        "девятьсот девяносто девять миллионов девятьсот девяносто девять тысяч "
        "девятьсот девяносто девять рублей 99 копеек"
    )


def test_money_in_words_integer_means_whole_roubles():
    # num2words alone would read the int 1500 as 1500 kopecks.
    assert money_in_words(1500, "RUB", "ru") == "одна тысяча пятьсот рублей 00 копеек"


def test_money_in_words_negative_and_other_currencies():
    assert money_in_words(Decimal("-5"), "RUB", "ru") == "минус пять рублей 00 копеек"
    assert money_in_words(Decimal("2"), "USD", "ru") == "два доллара 00 центов"
    assert money_in_words(Decimal("2"), "EUR", "en") == "two euro and zero cents"


def test_money_in_words_unknown_currency_or_too_large():
    with pytest.raises(ValueError, match="XYZ"):
        money_in_words(Decimal("1"), "XYZ", "ru")
    with pytest.raises(ValueError, match="too large"):
        money_in_words(Decimal("1e40"), "RUB", "ru")
