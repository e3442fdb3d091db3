"""What a category's rule concludes about a clause, and the words a flag says it in."""
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Verdict:
    """What a category's rule concluded about a clause."""
    risky: bool
    start: int
    end: int
    found: str
    threshold: str
    terms: dict


def say_number(value: Decimal, language: str) -> str:
    text = format(value.quantize(Decimal("0.0001")).normalize(), "f")
    return text.replace(".", ",") if language == "ru" else text


def _plural_ru(count: Decimal, one: str, few: str, many: str) -> str:
    if count != count.to_integral_value():
        return few
    whole = int(count)
    if whole % 10 == 1 and whole % 100 != 11:
        return one
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return few
    return many


def say_days(count: Decimal, business: bool, language: str) -> str:
    number = say_number(count, language)
    if language == "ru":
        if business:
            return f"{number} " + _plural_ru(count, "рабочий день", "рабочих дня", "рабочих дней")
        return f"{number} " + _plural_ru(count, "день", "дня", "дней")
    kind = "business day" if business else "day"
    return f"{number} {kind}" + ("" if count == 1 else "s")


def say_months(count: Decimal, language: str) -> str:
    number = say_number(count, language)
    if language == "ru":
        return f"{number} " + _plural_ru(count, "месяц", "месяца", "месяцев")
    return f"{number} month" + ("" if count == 1 else "s")


def say(language: str, english: str, russian: str) -> str:
    return russian if language == "ru" else english


def whole_number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


def decisive(verdicts: list[Verdict]) -> Verdict | None:
    """The first risky verdict, else the first one (its terms still go on record)."""
    return next((verdict for verdict in verdicts if verdict.risky), verdicts[0] if verdicts else None)
