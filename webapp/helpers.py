"""Small things every page template uses."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask

from models.choices import DocumentKind, Holder, NumberStatus, NumberType, Role
from models.lifecycle import STATES

STATE_COLOURS = {"active": "success", "rejected": "danger", "cancelled": "secondary", "draft": "light"}


def state_label(state: str | None) -> str:
    return STATES[state].label if state in STATES else (state or "")


def state_badge(state: str | None) -> str:
    if state in STATE_COLOURS:
        return STATE_COLOURS[state]
    return "info" if state in STATES and STATES[state].machine_step else "warning"


def local_time(value: datetime | None, tz_name: str = "UTC") -> str:
    """Times are stored in UTC and shown in the branch's time zone."""
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M %Z")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(state_label=state_label, state_badge=state_badge, local_time=local_time)
    app.jinja_env.globals.update(
        Role=Role, NumberType=NumberType, Holder=Holder, NumberStatus=NumberStatus, DocumentKind=DocumentKind,
        STATES=STATES)
