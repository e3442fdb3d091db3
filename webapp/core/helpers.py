"""Small things every page template uses: state and choice labels, and dates, numbers and money written in the
reader's language (through the project's one formatter, models/formatting.py)."""
from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, request

from models import formatting
from models.choices import DocumentKind, Holder, NumberStatus, NumberType, Role, TrunkType
from models.lifecycle import STATES

from . import labels
from .i18n import LANGUAGE_NAMES, page_language

STATE_COLOURS = {"active": "success", "rejected": "danger", "cancelled": "secondary", "draft": "light"}


def state_badge(state: str | None) -> str:
    if state in STATE_COLOURS:
        return STATE_COLOURS[state]
    return "info" if state in STATES and STATES[state].machine_step else "warning"


class LocalisedChoices:
    """A choice set of models/choices.py whose labels are in the page's language: pages get these, so
    ``Role.label(role)`` and ``Holder.CHOICES`` read in Russian on a Russian page. Everything else (the values,
    ``Role.ADMIN``) is the choice set's own."""

    def __init__(self, choice_set: type):
        self.choice_set = choice_set

    def label(self, value: str | None, language: str | None = None) -> str:
        return "" if value is None else self.choice_set.label(value, language or page_language())

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        return self.choice_set.choices(language or page_language())

    @property
    def CHOICES(self) -> list[tuple[str, str]]:  # noqa: N802 (the choice set's own name)
        return self.choices()

    def __getattr__(self, name: str):
        return getattr(self.choice_set, name)


def choice_sets(*sets: type) -> dict[str, LocalisedChoices]:
    """Choice sets for a context processor, each by its class name: ``choice_sets(DestinationClass, ImportKind)``."""
    return {choice_set.__name__: LocalisedChoices(choice_set) for choice_set in sets}


def localised(record, attribute: str = "name") -> str:
    """A name kept in both languages (a branch's, a carrier's, a PBX's): the Russian one on a Russian page when
    there is one, else the English: ``{{ r.department | localised }}``,
    ``{{ r.carrier | localised("legal_name") }}``."""
    if record is None:
        return ""
    if page_language() == "ru":
        russian = getattr(record, f"{attribute}_ru", "")
        if russian:
            return russian
    return getattr(record, attribute)


def branch_text(department) -> str:
    """A branch with its city: "Kazan showroom (Kazan)"."""
    if department is None:
        return ""
    return f"{localised(department, 'name')} ({localised(department, 'city')})"


# ------------------------------------------------------------------------------------------------ dates


def _in_zone(value: datetime, tz_name: str | None) -> datetime:
    """A stored time (UTC, naive or aware) in the zone named, e.g. the branch's."""
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(ZoneInfo(tz_name or "UTC"))


def date_text(value: date | None) -> str:
    """A date as a sentence writes it: 2 December 2026 / «02» декабря 2026 г."""
    return "" if value is None else formatting.format_date(value, page_language())


def short_date(value: date | None) -> str:
    """A date in a table: 2 Dec 2026 / 02.12.2026."""
    return "" if value is None else formatting.format_short_date(value, page_language())


def datetime_text(value: datetime | None, tz_name: str | None = "UTC") -> str:
    """A stored (UTC) time in the zone named, to the minute, with the zone: 2 Dec 2026 15:40 MSK /
    02.12.2026 15:40 MSK."""
    if value is None:
        return ""
    moment = _in_zone(value, tz_name)
    return f"{formatting.format_datetime(moment, page_language())} {moment:%Z}"


def month_text(value: date | None) -> str:
    """A month on its own: December 2026 / декабрь 2026."""
    return "" if value is None else formatting.format_month(value, page_language())


def _decimal(value: Decimal | int | float | str) -> Decimal | int:
    # Pages may hold a float (a chart's sums); the formatter takes only exact amounts.
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return value
    return Decimal(str(value))


def amount(value: Decimal | int | None, places: int = 2, max_places: int | None = None) -> str:
    """A figure: 1,500.00 / 1 500,00."""
    if value is None:
        return ""
    return formatting.format_amount(_decimal(value), page_language(), places=places, max_places=max_places)


def money(value: Decimal | int | None, currency: str | None = None, places: int = 2,
          max_places: int | None = None) -> str:
    """An amount with its currency: RUB 1,500.00 / 1 500,00 руб.; without a currency, the figure alone."""
    if value is None:
        return ""
    if not currency:
        return amount(value, places, max_places)
    return formatting.format_money(_decimal(value), currency, page_language(), places=places, max_places=max_places)


def language_switch_url(language: str) -> str:
    """This page again, in `language` (the switch of signed-out pages; see i18n.remember_chosen_language)."""
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'lang': language})}"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        state_label=labels.state_label, state_badge=state_badge, action_label=labels.action_label,
        event_label=labels.event_label, step_label=labels.step_label, answer_label=labels.answer_label,
        category_label=labels.category_label, playbook_field=labels.playbook_field, domain_text=labels.domain_text,
        localised=localised, branch_text=branch_text,
        date_text=date_text, short_date=short_date, datetime_text=datetime_text, month_text=month_text,
        amount=amount, money=money,
        # The older name of datetime_text, kept while pages move over to the new one.
        local_time=datetime_text)
    app.jinja_env.globals.update(
        STATES=STATES, page_language=page_language, LANGUAGE_NAMES=LANGUAGE_NAMES,
        language_switch_url=language_switch_url,
        **choice_sets(Role, NumberType, Holder, NumberStatus, DocumentKind, TrunkType))
