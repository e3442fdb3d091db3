"""What an Asterisk PBX should carry, made from numberdesk's records: a pbx.asterisk.Plan, and the PBX to apply it to.

A number is on its PBX while it is attached or active, and from the moment its request's attach step is due
(number assigned). Its route goes to its branch's call distribution, through the trunk of its request's carrier
order. Disconnected numbers, numbers of cancelled or rejected requests, and numbers without a trunk are not in the
plan: applying it with prune removes what was provisioned for them, so cancelling, disconnecting or moving a number
to another branch is done by applying the plan again (`provision`).
"""
import hashlib
from pathlib import Path

from models import CarrierOrder, Department, InvalidInput, NumberRequest, PbxSystem, PhoneNumber, db
from models.choices import NumberStatus, PbxKind
from models.lifecycle import CANCELLED, NUMBER_ASSIGNED, REJECTED
from models.pbx import parse_open_hours
from pbx.asterisk import IP, REGISTRATION, Applied, AsteriskPbx, Branch, Plan, Route, Trunk, apply_plan

DEFAULT_SIP_PORT = 5060


def asterisk_pbx(system: PbxSystem) -> AsteriskPbx:
    """The PBX system as the PBX package reaches it; InvalidInput naming what its settings lack."""
    problems: dict[str, str] = {}
    if system.kind != PbxKind.ASTERISK:
        problems["kind"] = f"must be {PbxKind.ASTERISK} for numberdesk to provision it"
    if not system.config_dir.strip():
        problems["config_dir"] = "is needed: the folder of the PBX's pjsip.conf and extensions.conf"
    if not system.ami_username.strip():
        problems["ami_username"] = "is needed: the PBX's manager (AMI) user"
    secret = system.ami_password()
    if not secret:
        problems["ami_secret"] = "is needed: the manager (AMI) user's secret"
    if problems:
        raise InvalidInput(f"{system.name} is not set up to be provisioned: "
                           + "; ".join(f"{name} {reason}" for name, reason in problems.items()), problems)
    return AsteriskPbx(config_dir=Path(system.config_dir.strip()), ami_username=system.ami_username.strip(),
                       ami_secret=secret, ami_host=system.ami_host, ami_port=system.ami_port,
                       sip_host=system.sip_host, sip_port=system.sip_port)


def branch_id(department: Department) -> str:
    """A branch's name on the PBX: its ring group's, or one made from its id."""
    return department.ring_group.strip().lower() or f"department-{department.id}"


def trunk_id(order: CarrierOrder) -> str:
    """Carrier orders for the same connection (a registrar account, or a set of addresses) share one trunk, whose
    name stays the same while any of them has numbers on the PBX: two trunks matching the same carrier address
    would take each other's calls."""
    digest = hashlib.sha256(repr(_connection(order.trunk)).encode()).hexdigest()[:8]
    return f"carrier-{order.carrier_id}-{digest}"


def provisioned_numbers(system: PbxSystem) -> list[tuple[PhoneNumber, NumberRequest]]:
    """The numbers the PBX should route, with their requests, oldest first."""
    being_attached = db.and_(PhoneNumber.status == NumberStatus.ASSIGNED, NumberRequest.state == NUMBER_ASSIGNED)
    return list(db.session.execute(
        db.select(PhoneNumber, NumberRequest).join(NumberRequest, PhoneNumber.request_id == NumberRequest.id)
        .where(PhoneNumber.pbx_id == system.id, NumberRequest.state.not_in([CANCELLED, REJECTED]),
               db.or_(PhoneNumber.status.in_([NumberStatus.ATTACHED, NumberStatus.ACTIVE]), being_attached))
        # What other requests' steps committed since this session read it.
        .order_by(PhoneNumber.id).execution_options(populate_existing=True)).tuples())


def plan_for(system: PbxSystem) -> Plan:
    """Everything numberdesk provisions on the PBX: the trunks of the carrier orders of its numbers (trunk_id),
    every branch with numbers there (and the branches their calls fall back to), and a route for each number.
    InvalidInput saying which record the PBX cannot take."""
    trunks: dict[str, Trunk] = {}
    trunk_of: dict[str, str] = {}
    numbers_of: dict[int, list[PhoneNumber]] = {}
    departments: dict[int, Department] = {}
    for number, request in provisioned_numbers(system):
        order = request.order
        if order is None or not order.trunk:
            continue
        trunk = _trunk(order)
        trunks[trunk.id] = trunk  # a shared trunk takes the credentials of its newest order
        trunk_of[number.e164] = trunk.id
        numbers_of.setdefault(number.department_id, []).append(number)
        departments[number.department_id] = number.department
    waiting = list(departments.values())
    while waiting:
        fallback = waiting.pop().fallback_department
        if fallback is not None and fallback.id not in departments:
            departments[fallback.id] = fallback
            waiting.append(fallback)
    branches = [_branch(department, numbers_of.get(department.id, [])) for department in departments.values()]
    routes = [Route(number.e164, branch_id(number.department), trunk_of[number.e164])
              for numbers in numbers_of.values() for number in numbers]
    return Plan(trunks=tuple(sorted(trunks.values(), key=lambda t: t.id)),
                branches=tuple(sorted(branches, key=lambda b: b.id)),
                routes=tuple(sorted(routes, key=lambda r: r.did)))


def provision(system: PbxSystem) -> Applied:
    """Apply the PBX's plan, removing whatever numberdesk provisioned there that the plan no longer has. The plan is
    read from the records under the PBX's configuration lock: steps for two requests at once lose neither's
    numbers."""
    return apply_plan(asterisk_pbx(system), lambda: plan_for(system), prune=True)


def _trunk(order: CarrierOrder) -> Trunk:
    settings = order.trunk
    try:
        if settings.get("type") == REGISTRATION:
            host, port = _host_and_port(settings.get("registrar", ""))
            return Trunk(id=trunk_id(order), kind=REGISTRATION, host=host, port=port,
                         username=settings.get("username", ""), password=order.trunk_password() or "")
        addresses = tuple(settings.get("addresses") or ())
        # Calls to the carrier go to its first address when it sends from several.
        host = addresses[0] if len(addresses) > 1 and "/" not in addresses[0] else ""
        return Trunk(id=trunk_id(order), kind=IP, host=host, source_addresses=addresses)
    except InvalidInput as refused:
        raise InvalidInput(f"the trunk of {order.request.reference}: {refused.message}", refused.fields) from None


def _host_and_port(registrar: str) -> tuple[str, int]:
    """"sip.example.net", "sip.example.net:5070" or "sip:sip.example.net:5070"."""
    host, colon, port = registrar.strip().removeprefix("sip:").partition(":")
    if colon and not port.isdigit():
        raise InvalidInput(f"the registrar {registrar!r} has no port number after its colon",
                           {"registrar": "must be a host, or host:port"})
    return host, int(port) if colon else DEFAULT_SIP_PORT


def _connection(settings: dict) -> tuple:
    if settings.get("type") == REGISTRATION:
        return REGISTRATION, *_host_and_port(settings.get("registrar", "")), settings.get("username", "")
    return IP, *sorted(settings.get("addresses") or ())


def _branch(department: Department, numbers: list[PhoneNumber]) -> Branch:
    # Outgoing calls show the oldest active number, or the oldest one while none is active yet.
    caller = min(numbers, key=lambda n: (n.status != NumberStatus.ACTIVE, n.id), default=None)
    fallback = department.fallback_department
    try:
        return Branch(id=branch_id(department), extensions=department.extension_list,
                      strategy=department.ring_strategy, ring_seconds=department.ring_seconds,
                      fallback_voicemail=department.fallback_voicemail,
                      fallback_branch=branch_id(fallback) if fallback is not None else "",
                      open_hours=parse_open_hours(department.open_hours), time_zone=department.time_zone,
                      caller_id=caller.e164 if caller else "")
    except InvalidInput as refused:
        raise InvalidInput(f"{department.name}: {refused.message}", refused.fields) from None
