"""numberdesk's own PBXs in the domain: a branch's call distribution as the PBX package takes it, the test calls
that prove a number rings in its branch, and the checklist of a PBX attached by hand.

The PBX package (pbx.asterisk) imports these models, so it is imported inside the functions that need it.
"""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import access, payloads
from .audit_trail import record
from .choices import NumberStatus, PbxKind, RingStrategy, Role
from .db import db
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .numbers import PhoneNumber
from .organisation import User, utcnow
from .requests import NumberRequest

# What a sysadmin ticks to confirm attaching a number to a PBX configured by hand.
ATTACHMENT_CHECKLIST = {
    "trunk_configured": "The carrier's trunk is configured on the PBX",
    "inbound_route": "Each number's inbound route goes to the branch's ring group",
    "outbound_caller_id": "The branch's outgoing calls show the new number",
    "test_call_made": "A test call to each number reached the ring group",
}
OPEN_HOURS_EXAMPLE = "mon-fri 09:00-18:00; sat 10:00-16:00"


def attachment_checklist(payload: dict, request) -> dict:
    """confirm_attachment's input: every item of ATTACHMENT_CHECKLIST ticked, and an optional comment."""
    errors: dict[str, str] = {}
    try:
        comment = payloads.optional_comment(payload, request)["comment"]
    except InvalidInput as refused:
        comment, errors = "", dict(refused.fields)
    ticked = payload.get("checklist")
    if not isinstance(ticked, list) or not all(isinstance(item, str) for item in ticked):
        errors["checklist"] = f"must list the items ticked: {', '.join(ATTACHMENT_CHECKLIST)}"
    elif unknown := sorted(set(ticked) - set(ATTACHMENT_CHECKLIST)):
        errors["checklist"] = f"has no item {', '.join(unknown)}"
    elif missing := [item for item in ATTACHMENT_CHECKLIST if item not in ticked]:
        errors["checklist"] = f"every item must be ticked; not ticked: {', '.join(missing)}"
    if errors:
        raise InvalidInput("the input is not valid", errors)
    return {"comment": comment, "checklist": list(ATTACHMENT_CHECKLIST)}


def step_report(payload: dict, request) -> dict:
    """The input of a PBX step's machine action: what the step did, kept as it is in the audit trail."""
    return {"comment": str(payload.get("comment") or ""), **{k: v for k, v in payload.items() if k != "comment"}}


# --- a branch's call distribution ----------------------------------------------------------------------------

def parse_extensions(text: str) -> tuple[str, ...]:
    return tuple(extension.strip() for extension in (text or "").split(",") if extension.strip())


def parse_open_hours(text: str) -> tuple:
    """"mon-fri 09:00-13:00, 14:00-18:00; sat 10:00-16:00" as pbx.asterisk.OpenHours, in that order; empty text is
    always open. InvalidInput naming open_hours if it cannot be read."""
    from pbx.asterisk import OpenHours

    hours = []
    for part in filter(None, (part.strip() for part in (text or "").lower().split(";"))):
        days, _, spans = part.partition(" ")
        for span in spans.split(","):
            opens, _, closes = span.strip().partition("-")
            try:
                hours.append(OpenHours(days, opens.strip(), closes.strip()))
            except InvalidInput as refused:
                reasons = "; ".join(f"{name} {reason}" for name, reason in refused.fields.items())
                raise InvalidInput(f"the open hours {part!r} cannot be read: {reasons}",
                                   {"open_hours": f"{part!r}: {reasons}. Example: {OPEN_HOURS_EXAMPLE}"}) from None
    return tuple(hours)


def format_open_hours(hours) -> str:
    """Open hours as parse_open_hours reads them, ranges of the same days together."""
    parts: list[tuple[str, list[str]]] = []
    for entry in hours:
        span = f"{entry.opens}-{entry.closes}"
        if parts and parts[-1][0] == entry.days:
            parts[-1][1].append(span)
        else:
            parts.append((entry.days, [span]))
    return "; ".join(f"{days} {', '.join(spans)}" for days, spans in parts)


def check_call_distribution(field: str, value):
    """A Department call distribution field checked by the PBX package's own rules, and tidied: InvalidInput naming
    the field if the PBX could not take it."""
    from pbx.asterisk import Branch

    def check(**branch) -> None:
        try:
            Branch(**{"id": "check", "extensions": ("check",), **branch})
        except InvalidInput as refused:
            reason = "; ".join(refused.fields.values())
            raise InvalidInput(f"{field} {reason}", {field: reason}) from None

    if field == "extensions":
        extensions = parse_extensions(value)
        if extensions:
            check(extensions=extensions)
        return ", ".join(extensions)
    if field == "ring_strategy":
        if value not in RingStrategy.values():
            raise InvalidInput(f"ring_strategy must be one of {', '.join(RingStrategy.values())}",
                               {field: f"must be one of {', '.join(RingStrategy.values())}"})
        return value
    if field == "ring_seconds":
        check(ring_seconds=value)
        return value
    if field == "fallback_voicemail":
        value = (value or "").strip()
        if value:
            check(fallback_voicemail=value)
        return value
    if field == "open_hours":
        return format_open_hours(parse_open_hours(value))
    raise ValueError(f"{field} is not part of a branch's call distribution")


# --- test calls ----------------------------------------------------------------------------------------------

class TestCall(db.Model):
    """One test call to a number through its PBX: placed by the verify step (for a request), or asked for by a
    sysadmin (queue_test_call) and placed by the workflow. While it is due, passed is None.

    sip_status is the PBX's final answer to the call (200, 404, 486...), None if none came or the call was made
    inside the PBX (AMI); channel says how the call went in."""
    __test__ = False  # a model, not a test case

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_number_id: Mapped[int] = mapped_column(ForeignKey("phone_number.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("number_request.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    at: Mapped[datetime | None]
    passed: Mapped[bool | None]
    sip_status: Mapped[int | None]
    seconds: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(200), default="")
    # Set when a sysadmin asks for the call; cleared when the dispatcher hands it to Prefect (as for requests).
    dispatch_pending: Mapped[bool] = mapped_column(default=False)
    dispatch_attempts: Mapped[int] = mapped_column(default=0)

    number: Mapped[PhoneNumber] = relationship()

    @property
    def due(self) -> bool:
        return self.passed is None

    def finish(self, *, passed: bool, sip_status: int | None, seconds: float, detail: str, channel: str,
               at: datetime | None = None) -> None:
        self.at, self.passed, self.sip_status = at or utcnow(), passed, sip_status
        self.seconds, self.detail, self.channel = seconds, detail, channel


def last_test_call(number: PhoneNumber) -> TestCall | None:
    """The number's latest test call that was placed."""
    return db.session.scalar(db.select(TestCall).where(TestCall.phone_number_id == number.id,
                                                       TestCall.passed.is_not(None))
                             .order_by(TestCall.at.desc(), TestCall.id.desc()).limit(1))


def due_test_call(number: PhoneNumber) -> TestCall | None:
    """The test call a sysadmin asked for that has not been placed yet."""
    return db.session.scalar(db.select(TestCall).where(TestCall.phone_number_id == number.id,
                                                       TestCall.passed.is_(None)).order_by(TestCall.id).limit(1))


def latest_verification(request: NumberRequest) -> dict | None:
    """How the latest test calls of the request's verification went, for the API: {"result": "passed" | "failed",
    "sip_status", "at", "detail"}; None before any. Failed if the latest call to any of its numbers failed (that
    call is the one described); a detail names the number when the request has several."""
    calls = db.session.scalars(db.select(TestCall).where(TestCall.request_id == request.id,
                                                         TestCall.passed.is_not(None)).order_by(TestCall.id)).all()
    latest = list({call.phone_number_id: call for call in calls}.values())
    if not latest:
        return None
    failed = [call for call in latest if not call.passed]
    shown = failed[0] if failed else max(latest, key=lambda call: call.id)
    detail = f"{shown.number.e164}: {shown.detail}" if len(latest) > 1 else shown.detail
    return {"result": "failed" if failed else "passed", "sip_status": shown.sip_status, "at": shown.at,
            "detail": detail}


def queue_test_call(user: User, number: PhoneNumber) -> TestCall:
    """A sysadmin asks for a new test call to an active number on a PBX numberdesk provisions; the workflow places
    it (workflows.dispatch.dispatch_test_call after the commit). A call already due is returned, not doubled.
    Flushes, does not commit."""
    if not access.sees_branch(user, number.department_id):
        raise NotFound(f"there is no number {number.id}")
    if not user.has_role(Role.SYSADMIN):
        raise Forbidden("needs the role sysadmin")
    if number.status != NumberStatus.ACTIVE:
        raise Conflict(f"{number.e164} is not active: only active numbers are test-called")
    if number.pbx is None or number.pbx.kind != PbxKind.ASTERISK:
        raise Conflict(f"{number.e164} is not on a PBX that numberdesk provisions: call it by hand")
    due = due_test_call(number)
    if due is not None:
        return due
    call = TestCall(number=number, requested_by=user.email, dispatch_pending=True)
    db.session.add(call)
    record(user, "queue_test_call", f"phone number {number.id}", {"e164": number.e164})
    db.session.flush()
    return call


def pbx_calls_by_itself(request: NumberRequest, user: User) -> str | None:
    """A guard: only a PBX numberdesk provisions is test-called again by the workflow."""
    if request.pbx.kind != PbxKind.ASTERISK:
        return "this PBX is not test-called by numberdesk: make the test call and confirm it"
    return None
