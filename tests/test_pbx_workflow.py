"""A request on an Asterisk PBX: the attach step provisions a real Asterisk and the verify step proves the number
with a real test call, without a person; and the plan those steps apply, made from the records.

One Asterisk (tests/asterisk_stack.py) serves the module, every test starts from a PBX without numberdesk's files.
The branch's phones 101 and 102 are sipp stand-ins at 127.0.0.5-6; carriers send from 127.0.0.2 (a registrar)
and 127.0.0.3 (an IP trunk)."""
import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from asterisk_stack import SIPP, asterisk_available, running_asterisk, sipp_registrar, wait_until
from conftest import installed
from lifecycle_helpers import fresh_numbers, request_in
from test_dispatch import Clock, FakePrefect
from models import AuditEvent, Conflict, Department, Forbidden, InvalidInput, NotFound, PbxSystem, TestCall, db
from models.choices import NumberStatus, PbxKind
from models.lifecycle import ACTIVE, ATTACHED, NUMBER_ASSIGNED, VERIFYING, allowed_actions, apply_action
from models.pbx import (ATTACHMENT_CHECKLIST, attachment_checklist, last_test_call, latest_verification,
                        parse_open_hours, queue_test_call)
from pbx.asterisk import (IP, REGISTRATION, OpenHours, PbxUnreachable, Plan, Trunk, apply_plan, place_test_call,
                          registration_status)
from models import pbx_checks
from workflows import dispatch, pbx_plan, steps
from workflows.pbx_checks import run_pbx_check
from workflows.adapters import PBX_ADAPTERS, AsteriskPbxAdapter
from workflows.dispatcher import Dispatcher
from workflows.pbx_plan import plan_for, provision, trunk_id

needs_asterisk = installed(asterisk_available() and SIPP is not None,
                           "Asterisk (scripts/install-asterisk builds it) or sipp (sip-tester)")
IP_CARRIER = "127.0.0.3"
REGISTRAR = "127.0.0.2"
BRANCH_FILE = "extensions.d/branch-rg-sr-ovb.conf"  # the Novosibirsk showroom's ring group


@pytest.fixture(scope="module")
def asterisk(tmp_path_factory):
    with running_asterisk(tmp_path_factory.mktemp("asterisk"), {"101": "127.0.0.5", "102": "127.0.0.6"}) as running:
        yield running


def stand_ins(asterisk, **answers) -> AsteriskPbxAdapter:
    """The adapter with both phones of the group standing in (one left out would keep the PBX ringing it while a
    later test's stand-in takes its port): each answers 200 unless told (e.g. p101=486)."""
    return AsteriskPbxAdapter({name: replace(phone, answer=answers.get(f"p{name}", 200))
                               for name, phone in asterisk.phones.items()})


def add_pbx(name: str = "Test Asterisk", **settings) -> PbxSystem:
    system = PbxSystem(name=name, kind=PbxKind.ASTERISK, vendor="self-hosted", **settings)
    db.session.add(system)
    db.session.commit()
    return system


@pytest.fixture
def office(app, asterisk, monkeypatch) -> PbxSystem:
    """A PBX system for the running Asterisk, and the Novosibirsk showroom's ring group on it."""
    pbx = asterisk.pbx
    system = add_pbx(config_dir=str(pbx.config_dir), ami_host=pbx.ami_host, ami_port=pbx.ami_port,
                     ami_username=pbx.ami_username, sip_host=pbx.sip_host, sip_port=pbx.sip_port)
    system.set_ami_secret(pbx.ami_secret)
    branch().extensions = "101, 102"
    db.session.commit()
    monkeypatch.setitem(PBX_ADAPTERS, PbxKind.ASTERISK, stand_ins(asterisk))
    yield system
    apply_plan(pbx, Plan(), prune=True)


def branch(city: str = "Novosibirsk") -> Department:
    return db.session.scalar(db.select(Department).filter_by(city=city))


def ip_trunk(*addresses: str) -> dict:
    return {"type": "ip", "addresses": list(addresses or [IP_CARRIER])}


def assigned(people, catalog, pbx: str = "Test Asterisk", trunk: dict | None = None, quantity: int = 1, **kwargs):
    """A request on the PBX whose carrier has just assigned its numbers: its attach step is due."""
    request = request_in("ordered", people, catalog, pbx=pbx, quantity=quantity, **kwargs)
    confirmation = {"numbers": fresh_numbers(quantity), "trunk": trunk or ip_trunk()}
    apply_action(request, "confirm_order", people["sysadmin"], confirmation)
    db.session.commit()
    return request


def trail(request) -> list[tuple[str, str, str]]:
    """What happened since the carrier's numbers were recorded."""
    actions = [event.action for event in request.events]
    return [(e.action, e.to_state, e.actor) for e in request.events[actions.index("confirm_order") + 1:]]


def branch_file(asterisk) -> str:
    return (asterisk.pbx.config_dir / BRANCH_FILE).read_text()


# --- with a real Asterisk ------------------------------------------------------------------------------------

@needs_asterisk
def test_a_number_is_provisioned_and_proven_by_a_test_call_without_a_person(asterisk, office, people, catalog):
    request = assigned(people, catalog)
    number = request.numbers[0]
    dispatch.dispatch(request)  # the attach step, then the verify step it makes due

    assert request.state == ACTIVE and request.step_error == ""
    assert (number.status, number.activated_on is not None) == (NumberStatus.ACTIVE, True)
    trunk = trunk_id(request.order)
    assert trail(request) == [("pbx_provisioned", ATTACHED, "workflow:attach_to_pbx"),
                              ("test_call_passed", ACTIVE, "workflow:verify_number")]
    assert request.events[-2].data == {"written": [BRANCH_FILE, f"pjsip.d/trunk-{trunk}.conf"], "removed": [],
                                       "reloaded": ["res_pjsip.so", "pbx_config.so"]}
    assert f"'{number.e164}' =>" in asterisk.cli(f"dialplan show numberdesk-from-{trunk}")
    assert "Dial(PJSIP/101&PJSIP/102,20)" in branch_file(asterisk)

    call = last_test_call(number)
    assert (call.passed, call.sip_status, call.request_id, call.requested_by) == (
        True, 200, request.id, "workflow:verify_number")
    assert call.detail == f"200: answered by {asterisk.phones['101'].address}"
    assert call.channel == f"sip:{number.e164}@{asterisk.pbx.sip_host}:{asterisk.pbx.sip_port}"
    assert latest_verification(request) == {"result": "passed", "sip_status": 200, "at": call.at,
                                            "detail": call.detail}

    # Applying again changes no file and reloads nothing.
    files = {path: (asterisk.pbx.config_dir / path).read_bytes() for path in request.events[-2].data["written"]}
    assert not provision(office).changed
    assert {path: (asterisk.pbx.config_dir / path).read_bytes() for path in files} == files


@needs_asterisk
def test_a_failed_test_call_waits_in_verifying_with_the_reason_and_a_retry_after_the_fix_passes(
        asterisk, office, people, catalog, monkeypatch):
    monkeypatch.setitem(PBX_ADAPTERS, PbxKind.ASTERISK, stand_ins(asterisk, p101=486, p102=486))
    request = assigned(people, catalog)
    dispatch.dispatch(request)

    assert request.state == VERIFYING
    failed = latest_verification(request)
    assert failed["result"] == "failed" and failed["sip_status"] not in (None, 200)
    assert failed["detail"].startswith(str(failed["sip_status"]))
    event = request.events[-1]
    assert (event.action, event.actor) == ("test_call_failed", "workflow:verify_number")
    assert event.comment == f"the test call to {request.numbers[0].e164} failed: {failed['detail']}"
    assert event.data["test_calls"][0]["sip_status"] == failed["sip_status"]
    assert request.numbers[0].status == NumberStatus.ATTACHED

    # Somebody picks up now: the sysadmin has the number called again.
    monkeypatch.setitem(PBX_ADAPTERS, PbxKind.ASTERISK, stand_ins(asterisk))
    assert "retry_verification" in allowed_actions(request, people["sysadmin"])
    apply_action(request, "retry_verification", people["sysadmin"], {"comment": "Phones plugged in"})
    db.session.commit()
    assert request.state == ATTACHED and request.dispatch_pending
    dispatch.dispatch(request)
    assert request.state == ACTIVE
    assert latest_verification(request)["result"] == "passed"
    assert len(db.session.scalars(db.select(TestCall).filter_by(request_id=request.id)).all()) == 2


@needs_asterisk
def test_calling_again_after_fixing_the_branch_provisions_the_fix_first(asterisk, office, people, catalog):
    branch().extensions = "103"  # no such phone on the PBX
    db.session.commit()
    request = assigned(people, catalog)
    dispatch.dispatch(request)
    assert request.state == VERIFYING and latest_verification(request)["result"] == "failed"

    branch().extensions = "101, 102"
    db.session.commit()
    apply_action(request, "retry_verification", people["sysadmin"], {})
    db.session.commit()
    dispatch.dispatch(request)
    assert request.state == ACTIVE
    assert request.events[-1].data["provisioned"] == {"written": [BRANCH_FILE], "removed": []}
    assert "Dial(PJSIP/101&PJSIP/102,20)" in branch_file(asterisk)


@needs_asterisk
def test_where_no_test_can_pass_the_sysadmin_confirms_by_hand_with_a_reason(asterisk, office, people, catalog,
                                                                            monkeypatch):
    monkeypatch.setitem(PBX_ADAPTERS, PbxKind.ASTERISK, stand_ins(asterisk, p101=486, p102=486))
    request = assigned(people, catalog)
    dispatch.dispatch(request)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "confirm_verification", people["sysadmin"], {})
    assert set(refused.value.fields) == {"comment"}
    db.session.rollback()
    apply_action(request, "confirm_verification", people["sysadmin"], {"comment": "Called from a mobile: rings"})
    db.session.commit()
    assert request.state == ACTIVE and request.numbers[0].status == NumberStatus.ACTIVE
    assert latest_verification(request)["result"] == "failed"  # what the machine found stays on record


@needs_asterisk
def test_an_unreachable_pbx_fails_the_attach_step_for_a_retry_and_the_request_says_why(
        asterisk, office, people, catalog):
    request = assigned(people, catalog)
    port = office.ami_port
    office.ami_port = 9  # nothing answers there
    db.session.commit()
    with pytest.raises(PbxUnreachable):
        steps.attach_to_pbx(request.id)
    db.session.refresh(request)
    assert request.state == NUMBER_ASSIGNED
    assert request.step_error.startswith("the PBX could not be reached: Asterisk's manager interface at 127.0.0.1:9")

    office.ami_port = port
    db.session.commit()
    steps.attach_to_pbx(request.id)  # the workflow's retry
    db.session.refresh(request)
    assert (request.state, request.step_error) == (ATTACHED, "")


@needs_asterisk
def test_a_branch_the_pbx_cannot_take_is_recorded_on_the_request_and_not_retried(asterisk, office, people, catalog):
    request = assigned(people, catalog)
    branch().ring_group = "Novosibirsk showroom"  # not a name Asterisk takes
    db.session.commit()
    assert "could not be provisioned" in steps.attach_to_pbx(request.id)
    db.session.refresh(request)
    assert request.state == NUMBER_ASSIGNED
    assert request.step_error.startswith("the PBX could not be provisioned: Novosibirsk showroom: Branch")


@needs_asterisk
def test_a_disconnected_or_moved_number_loses_its_route_on_the_next_apply(asterisk, office, people, catalog):
    first, second = assigned(people, catalog), assigned(people, catalog)
    dispatch.dispatch(first)
    dispatch.dispatch(second)
    gone, moved = first.numbers[0], second.numbers[0]
    gone.status, gone.disconnected_on = NumberStatus.DISCONNECTED, date(2026, 12, 1)
    moved.department = branch("Kazan")
    branch("Kazan").extensions = "102"
    db.session.commit()

    # The Novosibirsk group has no number left; the trunk the two orders share stays.
    applied = provision(office)
    assert (applied.written, applied.removed) == (("extensions.d/branch-rg-sr-kzn.conf",), (BRANCH_FILE,))
    [trunk] = plan_for(office).trunks
    assert place_test_call(asterisk.pbx, trunk, gone.e164).sip_status == 404

    queued = queue_test_call(people["sysadmin"], moved)
    db.session.commit()
    dispatch.dispatch_test_call(queued)
    assert queued.passed, queued.detail
    assert queued.detail == f"200: answered by {asterisk.phones['102'].address}"
    assert last_test_call(moved) == queued and queued.request_id is None


@needs_asterisk
def test_a_request_confirmed_while_another_is_provisioned_is_not_lost(asterisk, office, people, catalog, app,
                                                                      monkeypatch):
    first = assigned(people, catalog)
    second = request_in("ordered", people, catalog, pbx="Test Asterisk")
    planned, make_plan = threading.Event(), pbx_plan.plan_for

    def slow_plan(system):
        plan = make_plan(system)
        if not planned.is_set():  # the first request's plan: the second is confirmed and provisioned meanwhile
            planned.set()
            time.sleep(0.5)
        return plan
    monkeypatch.setattr(pbx_plan, "plan_for", slow_plan)

    def attach_first():
        with app.app_context():
            steps.attach_to_pbx(first.id)
    attaching = threading.Thread(target=attach_first)
    attaching.start()
    planned.wait(10)
    apply_action(second, "confirm_order", people["sysadmin"], {"numbers": fresh_numbers(1), "trunk": ip_trunk()})
    db.session.commit()
    steps.attach_to_pbx(second.id)
    attaching.join()

    routed = branch_file(asterisk)
    assert first.numbers[0].e164 in routed and second.numbers[0].e164 in routed


@needs_asterisk
def test_a_registration_trunk_registers_and_carries_the_test_call(asterisk, office, people, catalog, tmp_path):
    with sipp_registrar(tmp_path, REGISTRAR, "73832000001", "carrier-password") as port:
        request = assigned(people, catalog, trunk={"type": "registration", "registrar": f"{REGISTRAR}:{port}",
                                                   "username": "73832000001", "password": "carrier-password"})
        steps.attach_to_pbx(request.id)
        trunk = trunk_id(request.order)
        assert wait_until(lambda: registration_status(asterisk.pbx, trunk) == "Registered", "the registration")
        steps.verify_number(request.id)
    db.session.refresh(request)
    assert request.state == ACTIVE
    assert latest_verification(request)["sip_status"] == 200
    trunk_file = asterisk.pbx.config_dir / f"pjsip.d/trunk-{trunk}.conf"
    assert "password = carrier-password" in trunk_file.read_text() and trunk_file.stat().st_mode & 0o077 == 0
    events = db.session.scalars(db.select(AuditEvent).filter_by(request_id=request.id)).all()
    assert not any("carrier-password" in str(event.data) + event.comment for event in events)


@needs_asterisk
def test_a_remote_carriers_number_is_proven_from_inside_the_pbx(asterisk, office, people, catalog):
    request = assigned(people, catalog, trunk=ip_trunk("198.51.100.7"))
    dispatch.dispatch(request)
    assert request.state == ACTIVE
    call = last_test_call(request.numbers[0])
    assert (call.sip_status, call.channel) == (
        None, f"Local/{request.numbers[0].e164}@numberdesk-from-{trunk_id(request.order)}")
    assert call.detail == f"answered by {asterisk.phones['101'].address}"


# --- without Asterisk ----------------------------------------------------------------------------------------

def test_the_plan_has_each_trunk_branch_and_route_of_the_numbers_on_the_pbx(app, people, catalog):
    system = add_pbx()
    novosibirsk, kazan = branch(), branch("Kazan")
    novosibirsk.extensions, novosibirsk.ring_strategy, novosibirsk.ring_seconds = "101, 102", "hunt", 15
    novosibirsk.open_hours, novosibirsk.fallback_department = "mon-fri 09:00-18:00; sat 10:00-16:00", kazan
    kazan.extensions, kazan.fallback_voicemail = "201", "1001@default"
    registered = assigned(people, catalog, quantity=2, trunk={
        "type": "registration", "registrar": "sip:sip.transtelecom.example:5070", "username": "ovb1",
        "password": "s3cret"})
    same_sbc, other_sbc = (assigned(people, catalog, trunk=ip_trunk("203.0.113.5", "203.0.113.6")),
                           assigned(people, catalog, trunk=ip_trunk("203.0.113.6", "203.0.113.5")))
    for request in (registered, same_sbc, other_sbc):
        request.state = ATTACHED
        for number in request.numbers:
            number.status = NumberStatus.ATTACHED
    registered.numbers[1].status = NumberStatus.ACTIVE
    gone = assigned(people, catalog)
    gone.numbers[0].status = NumberStatus.DISCONNECTED
    manual = assigned(people, catalog, pbx="Office Asterisk")
    db.session.commit()

    plan = plan_for(system)
    reg, ip = sorted(plan.trunks, key=lambda t: t.kind != REGISTRATION)
    assert (reg.id, reg.kind, reg.host, reg.port, reg.username, reg.password) == (
        trunk_id(registered.order), REGISTRATION, "sip.transtelecom.example", 5070, "ovb1", "s3cret")
    # Two orders with the same carrier addresses share one trunk (with the newer order's settings).
    assert trunk_id(same_sbc.order) == trunk_id(other_sbc.order) == ip.id
    assert ip.id.startswith(f"carrier-{same_sbc.carrier_id}-") and ip.id != reg.id and len(plan.trunks) == 2
    assert (ip.kind, ip.source_addresses, ip.host) == (IP, ("203.0.113.6", "203.0.113.5"), "203.0.113.6")
    ovb, kzn = sorted(plan.branches, key=lambda b: b.id != "rg-sr-ovb")
    assert (ovb.extensions, ovb.strategy, ovb.ring_seconds, ovb.fallback_branch, ovb.time_zone) == (
        ("101", "102"), "hunt", 15, "rg-sr-kzn", "Asia/Novosibirsk")
    assert ovb.open_hours == (OpenHours("mon-fri", "09:00", "18:00"), OpenHours("sat", "10:00", "16:00"))
    assert ovb.caller_id == registered.numbers[1].e164  # the oldest active number
    assert (kzn.id, kzn.extensions, kzn.fallback_voicemail) == ("rg-sr-kzn", ("201",), "1001@default")
    assert kzn.caller_id == ""  # no number of its own on this PBX
    routed = {route.did: (route.branch, route.trunk) for route in plan.routes}
    assert routed == {**{n.e164: ("rg-sr-ovb", reg.id) for n in registered.numbers},
                      **{n.e164: ("rg-sr-ovb", ip.id) for n in same_sbc.numbers + other_sbc.numbers}}
    assert gone.numbers[0].e164 not in routed and manual.numbers[0].e164 not in routed


def test_a_pbx_without_its_settings_cannot_be_provisioned(app, people, catalog):
    system = add_pbx()
    with pytest.raises(InvalidInput) as refused:
        provision(system)
    assert set(refused.value.fields) == {"config_dir", "ami_username", "ami_secret"}


def test_open_hours_are_read_and_written_back_the_same_way():
    hours = parse_open_hours("Mon-Fri 09:00-13:00, 14:00-18:00;sat 10:00-16:00; ")
    assert hours == (OpenHours("mon-fri", "09:00", "13:00"), OpenHours("mon-fri", "14:00", "18:00"),
                     OpenHours("sat", "10:00", "16:00"))
    assert parse_open_hours("") == ()


@pytest.mark.parametrize("text", ["mon-fri 18:00-09:00", "weekdays 09:00-18:00", "mon-fri", "mon-fri 9-18"])
def test_open_hours_that_cannot_be_read_name_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse_open_hours(text)
    assert set(refused.value.fields) == {"open_hours"}


@pytest.mark.parametrize("field,value", [("extensions", "101, 10 2"), ("ring_strategy", "random"),
                                         ("ring_seconds", 2), ("fallback_voicemail", "box one"),
                                         ("open_hours", "mon-fri 09:00-25:00")])
def test_a_branch_refuses_a_call_distribution_the_pbx_cannot_take(app, field, value):
    with pytest.raises(InvalidInput) as refused:
        setattr(branch(), field, value)
    assert set(refused.value.fields) == {field}


def test_a_branchs_call_distribution_is_kept_tidy(app):
    department = branch()
    department.extensions, department.open_hours = " 101,102 ,", "MON-FRI 09:00-18:00;sat 10:00-16:00"
    assert (department.extensions, department.extension_list) == ("101, 102", ("101", "102"))
    assert department.open_hours == "mon-fri 09:00-18:00; sat 10:00-16:00"


def test_the_ami_secret_is_kept_encrypted(app):
    system = add_pbx()
    system.set_ami_secret("manager-secret")
    db.session.commit()
    assert "manager-secret" not in system.ami_secret and system.ami_password() == "manager-secret"


def test_a_manual_attachment_checklist_must_have_every_item_ticked(app, people, catalog):
    request = request_in("attaching", people, catalog)
    every = list(ATTACHMENT_CHECKLIST)
    assert attachment_checklist({"checklist": every[::-1], "comment": " ok "}, request) == {
        "comment": "ok", "checklist": every}
    for payload in ({}, {"checklist": every[:-1]}, {"checklist": every + ["coffee"]}, {"checklist": "all"}):
        with pytest.raises(InvalidInput) as refused:
            attachment_checklist(payload, request)
        assert set(refused.value.fields) == {"checklist"}


def test_only_a_sysadmin_asks_for_a_test_call_of_an_active_number_on_a_provisioned_pbx(app, people, catalog):
    add_pbx()
    request = assigned(people, catalog)
    number = request.numbers[0]
    with pytest.raises(Conflict):  # not active yet
        queue_test_call(people["sysadmin"], number)
    number.status = NumberStatus.ACTIVE
    with pytest.raises(Forbidden):
        queue_test_call(people["accountant"], number)
    with pytest.raises(NotFound):  # works for other branches
        queue_test_call(people["kazan_requester"], number)
    first = queue_test_call(people["sysadmin"], number)
    assert queue_test_call(people["sysadmin"], number) is first and first.due and first.dispatch_pending
    manual = request_in("active", people, catalog).numbers[0]
    with pytest.raises(Conflict):
        queue_test_call(people["sysadmin"], manual)


def test_retrying_a_verification_is_only_for_a_pbx_numberdesk_calls(app, people, catalog):
    request = request_in("verifying", people, catalog)
    assert "retry_verification" not in allowed_actions(request, people["sysadmin"])
    with pytest.raises(Forbidden):
        apply_action(request, "retry_verification", people["sysadmin"], {})


def test_a_test_call_asked_for_is_handed_to_prefect_once_and_a_lost_one_again(app, people, catalog, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")
    add_pbx()
    number = assigned(people, catalog).numbers[0]
    number.status = NumberStatus.ACTIVE
    queued = queue_test_call(people["sysadmin"], number)
    db.session.commit()
    dispatch.dispatch_test_call(queued)  # the web request places nothing: the dispatcher hands it over
    prefect = FakePrefect()
    dispatching = Dispatcher(prefect, clock=Clock())

    def handed() -> list[tuple[str, dict, str]]:
        dispatching.run_once()
        return [created for created in prefect.created if created[0].startswith("run-test-call")]
    assert handed() == [("run-test-call/numberdesk", {"test_call_id": queued.id}, f"test-call-{queued.id}-a0")]
    assert handed() == [("run-test-call/numberdesk", {"test_call_id": queued.id}, f"test-call-{queued.id}-a0")]
    db.session.refresh(queued)
    assert queued.due and not queued.dispatch_pending

    queued.requested_at -= timedelta(minutes=5)  # its run never came
    db.session.commit()
    assert dispatch.sweep_test_calls() == [queued.id]
    assert handed()[-1] == ("run-test-call/numberdesk", {"test_call_id": queued.id}, f"test-call-{queued.id}-a1")


@needs_asterisk
def test_a_cancelled_request_gives_its_numbers_back_and_its_route_is_removed(asterisk, office, people, catalog):
    branch().extensions = "103"  # no such phone: the test call fails and the request waits in verifying
    db.session.commit()
    request = assigned(people, catalog)
    dispatch.dispatch(request)
    [number] = request.numbers
    assert request.state == VERIFYING and number.e164 in branch_file(asterisk)

    apply_action(request, "cancel", people["approver"], {"comment": "The branch closes"})
    db.session.commit()
    assert number.status == NumberStatus.DISCONNECTED and number.disconnected_on is not None
    removal = pbx_checks.due(office, pbx_checks.APPLY)
    assert removal is not None and removal.dispatch_pending
    run_pbx_check(removal.id)
    db.session.refresh(removal)
    assert removal.ok and BRANCH_FILE in removal.applied["removed"]
    assert not (asterisk.pbx.config_dir / BRANCH_FILE).exists()
    # Nothing else used the carrier's trunk, so it went too: the carrier's call is not even let in.
    assert not any(name.startswith("pjsip.d/") for name in removal.applied["written"])
    gone = place_test_call(asterisk.pbx, Trunk(id="gone", kind="ip", source_addresses=(IP_CARRIER,)), number.e164)
    assert not gone.passed and gone.sip_status in (401, 404)


@needs_asterisk
def test_a_worker_killed_after_provisioning_leaves_the_step_to_the_next_run_which_provisions_nothing_twice(
        asterisk, office, people, catalog, monkeypatch):
    request = assigned(people, catalog)

    def killed(*args, **kwargs):
        raise SystemExit("the worker was killed")
    monkeypatch.setattr(steps, "apply_action", killed)
    with pytest.raises(SystemExit):
        steps.attach_to_pbx(request.id)
    db.session.rollback()
    db.session.refresh(request)
    assert request.state == NUMBER_ASSIGNED  # nothing of the step was committed
    provisioned = branch_file(asterisk)
    assert request.numbers[0].e164 in provisioned

    monkeypatch.undo()
    steps.attach_to_pbx(request.id)
    db.session.refresh(request)
    assert request.state == ATTACHED
    provisioning = next(e for e in reversed(request.events) if e.action == "pbx_provisioned")
    assert provisioning.data == {"written": [], "removed": [], "reloaded": []}  # already there: nothing reloaded
    assert branch_file(asterisk) == provisioned
