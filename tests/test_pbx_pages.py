"""The PBX in the pages: the admin forms for a PBX's settings and a branch's call distribution, the inventory's place
of each number on its PBX with its last test call and a sysadmin's "test-call again", and a PBX's page with its
check and "apply again", done by the workflow and never by the web request.

The parts that reach a PBX run against a real Asterisk (tests/asterisk_stack.py) with the branch's phones 101 and
102 played by sipp stand-ins at 127.0.0.5-6, as in test_pbx_workflow.py."""
from dataclasses import replace
from datetime import timedelta

import pytest

from asterisk_stack import SIPP, asterisk_available, running_asterisk
from conftest import auth, installed, login
from lifecycle_helpers import fresh_numbers, request_in
from test_dispatch import Clock, FakePrefect
from models import AuditEvent, Department, PbxSystem, TestCall, db
from models.choices import NumberStatus, PbxKind, RingStrategy
from models.lifecycle import ACTIVE, apply_action
from models.pbx import last_test_call
from models.pbx_checks import APPLY, CHECK, PbxCheck
from pbx.asterisk import Plan, apply_plan
from workflows import dispatch, steps
from workflows.adapters import PBX_ADAPTERS, AsteriskPbxAdapter
from workflows.dispatcher import Dispatcher
from workflows.pbx_checks import run_pbx_check, sweep_pbx_checks
from workflows.pbx_plan import trunk_id

needs_asterisk = installed(asterisk_available() and SIPP is not None,
                           "Asterisk (scripts/install-asterisk builds it) or sipp (sip-tester)")
BRANCH_FILE = "extensions.d/branch-rg-sr-ovb.conf"  # the Novosibirsk showroom's ring group
RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9"}
# A carrier elsewhere: its calls are made inside the PBX, over its manager interface. One on this machine: a SIP
# call from the carrier's address.
REMOTE_CARRIER = "198.51.100.7"
LOCAL_CARRIER = "127.0.0.3"


def branch(city: str = "Novosibirsk") -> Department:
    return db.session.scalar(db.select(Department).filter_by(city=city))


def add_pbx(name: str = "Test Asterisk", secret: str = "manager-secret", **settings) -> PbxSystem:
    """An Asterisk PBX whose manager interface nothing answers, unless settings say where it is."""
    system = PbxSystem(name=name, kind=PbxKind.ASTERISK, vendor="self-hosted",
                       **{"config_dir": "/nonexistent/asterisk", "ami_username": "numberdesk", "ami_port": 9,
                          **settings})
    system.set_ami_secret(secret)
    db.session.add(system)
    db.session.commit()
    return system


def on_pbx(people, catalog, status: str = NumberStatus.ACTIVE, carrier: str = REMOTE_CARRIER):
    """A request whose carrier assigned a number on the test PBX, over an IP trunk from the carrier's address; the
    number in `status` (the request as the carrier's answer left it: the plan has the number either way)."""
    branch().extensions = "101, 102"
    request = request_in("ordered", people, catalog, pbx="Test Asterisk")
    apply_action(request, "confirm_order", people["sysadmin"],
                 {"numbers": fresh_numbers(1), "trunk": {"type": "ip", "addresses": [carrier]}})
    request.numbers[0].status = status
    db.session.commit()
    return request


def record_call(number, *, passed: bool, sip_status: int | None, detail: str) -> TestCall:
    call = TestCall(number=number, requested_by="sysadmin@example.com")
    call.finish(passed=passed, sip_status=sip_status, seconds=1.5, detail=detail, channel="sip:test")
    db.session.add(call)
    db.session.commit()
    return call


def signed_in(app, role: str):
    client = app.test_client()
    login(client, role)
    return client


@pytest.fixture
def prefect_mode(monkeypatch):
    """The web request only marks things due, as in production."""
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")


# --- the admin forms -----------------------------------------------------------------------------------------

def pbx_form(**changes) -> dict:
    return {"name": "Branch Asterisk", "kind": "asterisk", "vendor": "self-hosted", "notes": "",
            "ami_host": "10.0.0.5", "ami_port": "5039", "ami_username": "numberdesk", "ami_secret": "s3cret-ami",
            "config_dir": "/etc/asterisk", "sip_host": "10.0.0.5", "sip_port": "5070", **changes}


def test_the_pbx_form_keeps_the_manager_secret_encrypted_and_never_shows_it(app):
    admin = signed_in(app, "admin")
    assert admin.post("/admin/pbx/new", data=pbx_form()).status_code == 302
    system = db.session.scalar(db.select(PbxSystem).filter_by(name="Branch Asterisk"))
    assert (system.kind, system.ami_host, system.ami_port, system.ami_username, system.config_dir,
            system.sip_host, system.sip_port) == ("asterisk", "10.0.0.5", 5039, "numberdesk", "/etc/asterisk",
                                                  "10.0.0.5", 5070)
    assert "s3cret-ami" not in system.ami_secret and system.ami_password() == "s3cret-ami"

    edit = admin.get(f"/admin/pbx/{system.id}/edit").text
    assert "s3cret-ami" not in edit and system.ami_secret not in edit
    assert 'value="numberdesk"' in edit and "A secret is kept; leave empty to keep it." in edit

    # Empty keeps the secret; a new one replaces it.
    assert admin.post(f"/admin/pbx/{system.id}/edit", data=pbx_form(ami_secret="", ami_port="5038")).status_code \
        == 302
    db.session.refresh(system)
    assert (system.ami_port, system.ami_password()) == (5038, "s3cret-ami")
    admin.post(f"/admin/pbx/{system.id}/edit", data=pbx_form(ami_secret="n3w-secret"))
    db.session.refresh(system)
    assert system.ami_password() == "n3w-secret"
    trail = db.session.scalars(db.select(AuditEvent).where(AuditEvent.subject == f"pbx system {system.id}")).all()
    assert len(trail) == 3 and trail[-1].data["changes"]["ami_secret"] == "changed"
    assert not any("s3cret" in str(event.data) or "n3w" in str(event.data) for event in trail)


def test_an_asterisk_pbx_needs_its_manager_user_secret_and_folder_and_a_manual_one_none(app):
    admin = signed_in(app, "admin")
    refused = admin.post("/admin/pbx/new", data=pbx_form(ami_username="", ami_secret="", config_dir="etc",
                                                         ami_host="not a host", sip_port="70000"))
    assert refused.status_code == 422
    for message in ("numberdesk needs the manager user to provision an Asterisk PBX.",
                    "numberdesk needs the manager user&#39;s secret to provision an Asterisk PBX.",
                    "Give the full path, starting with /.", "Enter a host name or an IPv4 address",
                    "Number must be between 1 and 65535."):
        assert message in refused.text, message
    manual = {"name": "Hand-made PBX", "kind": "manual", "vendor": "", "notes": ""}
    assert admin.post("/admin/pbx/new", data=manual).status_code == 302
    system = db.session.scalar(db.select(PbxSystem).filter_by(name="Hand-made PBX"))
    assert (system.ami_host, system.ami_port, system.ami_secret, system.sip_port) == ("127.0.0.1", 5038, None, 5060)


def department_form(department: Department, **changes) -> dict:
    return {"name": department.name, "city": department.city, "time_zone": department.time_zone,
            "cost_centre": department.cost_centre, "monthly_call_load": str(department.monthly_call_load),
            "ring_group": department.ring_group, **changes}


def test_the_department_form_saves_a_branchs_call_distribution_tidied(app):
    admin = signed_in(app, "admin")
    novosibirsk, kazan = branch(), branch("Kazan")
    form = admin.get(f"/admin/departments/{novosibirsk.id}/edit").text
    assert "Ring all phones at once" in form and "Kazan showroom (Kazan)" in form
    assert "mon-fri 09:00-13:00, 14:00-18:00; sat 10:00-16:00" in form  # the format, described
    saved = admin.post(f"/admin/departments/{novosibirsk.id}/edit", data=department_form(
        novosibirsk, extensions=" 101,102 ,", ring_strategy=RingStrategy.HUNT, ring_seconds="15",
        fallback_department_id=str(kazan.id), open_hours="MON-FRI 09:00-18:00;sat 10:00-16:00"))
    assert saved.status_code == 302
    db.session.refresh(novosibirsk)
    assert (novosibirsk.extensions, novosibirsk.ring_strategy, novosibirsk.ring_seconds,
            novosibirsk.fallback_department_id, novosibirsk.fallback_voicemail, novosibirsk.open_hours) == (
        "101, 102", "hunt", 15, kazan.id, "", "mon-fri 09:00-18:00; sat 10:00-16:00")
    again = admin.get(f"/admin/departments/{novosibirsk.id}/edit").text
    assert 'value="101, 102"' in again and f'<option selected value="{kazan.id}">' in again

    # Back to a voicemail box and no branch.
    admin.post(f"/admin/departments/{novosibirsk.id}/edit", data=department_form(
        novosibirsk, extensions="101", fallback_voicemail="1001@default", fallback_department_id="0"))
    db.session.refresh(novosibirsk)
    assert (novosibirsk.fallback_voicemail, novosibirsk.fallback_department_id, novosibirsk.ring_seconds) == (
        "1001@default", None, 20)


def test_a_call_distribution_the_pbx_cannot_take_is_refused_on_its_field(app):
    admin = signed_in(app, "admin")
    novosibirsk, kazan = branch(), branch("Kazan")
    kazan.fallback_department = novosibirsk
    db.session.commit()
    refused = admin.post(f"/admin/departments/{novosibirsk.id}/edit", data=department_form(
        novosibirsk, extensions="101, 10 2", ring_seconds="2", fallback_voicemail="box one",
        open_hours="weekdays 09:00-18:00", fallback_department_id=str(kazan.id)))
    assert refused.status_code == 422
    for message in ("Use the PBX&#39;s endpoint names (letters, digits, - or _), separated by commas, each once.",
                    "Number must be between 5 and 300.", "Use a mailbox such as 1001 or 1001@default.",
                    "Write days and times such as mon-fri 09:00-18:00; sat 10:00-16:00 "
                    "(&#39;weekdays 09:00-18:00&#39;: "
                    "days must be a day or a range of days"):
        assert message in refused.text, message
    circle = admin.post(f"/admin/departments/{novosibirsk.id}/edit", data=department_form(
        novosibirsk, fallback_department_id=str(kazan.id)))
    assert circle.status_code == 422 and "calls would go round in a circle" in circle.text
    both = admin.post(f"/admin/departments/{kazan.id}/edit", data=department_form(
        kazan, fallback_voicemail="1001", fallback_department_id=str(novosibirsk.id)))
    assert both.status_code == 422 and "not both" in both.text
    db.session.refresh(novosibirsk)
    assert (novosibirsk.extensions, novosibirsk.fallback_department_id, novosibirsk.ring_seconds) == ("", None, 20)

    russian = admin.post(f"/admin/departments/{novosibirsk.id}/edit", headers=RUSSIAN,
                         data=department_form(novosibirsk, fallback_voicemail="box one"))
    assert "Телефоны группы вызова" in russian.text and "Укажите ящик, например 1001 или 1001@default." in russian.text


# --- the inventory -------------------------------------------------------------------------------------------

def test_the_inventory_shows_each_numbers_place_on_its_pbx_and_its_last_test_call(app, people, catalog, tokens):
    add_pbx()
    request = on_pbx(people, catalog)
    number = request.numbers[0]
    trunk = trunk_id(request.order)
    record_call(number, passed=False, sip_status=486, detail="486: busy")
    record_call(number, passed=True, sip_status=200, detail="200: answered by 127.0.0.5:5062")
    manual = request_in("active", people, catalog).numbers[0]

    page = signed_in(app, "sysadmin").get(f"/numbers?q={number.e164[1:]}").text
    row = page.split(f"<code>{number.e164}</code>")[1].split("</tr>")[0]
    assert f"<code>{trunk}</code>" in row and f"<code>{number.e164} → rg-sr-ovb</code>" in row
    assert "<code>101, 102</code>" in row and "ring all phones at once, 20 s" in row
    assert "passed" in row and "SIP 200" in row and "answered by 127.0.0.5:5062" in row and "busy" not in row
    assert "Test-call again" in row and f'name="number_id" value="{number.id}"' in row
    hand_made = signed_in(app, "sysadmin").get(f"/numbers?q={manual.e164[1:]}").text
    assert "configured by hand" in hand_made and "Test-call again" not in hand_made
    # Who is not a sysadmin sees the call, not the button.
    assert "Test-call again" not in signed_in(app, "accountant").get(f"/numbers?q={number.e164[1:]}").text

    answer = app.test_client().get("/api/v1/numbers?per_page=200", headers=auth(tokens["accountant"]))
    listed = {n["e164"]: n for n in answer.json}
    call = last_test_call(number)
    assert listed[number.e164]["last_test_call"] == {
        "result": "passed", "sip_status": 200, "at": call.at.isoformat() + "Z",
        "detail": "200: answered by 127.0.0.5:5062"}
    assert listed[manual.e164]["last_test_call"] is None


def test_test_call_again_is_queued_and_the_page_says_it_is_due_without_waiting(app, people, catalog, prefect_mode):
    add_pbx()
    number = on_pbx(people, catalog).numbers[0]
    sysadmin = signed_in(app, "sysadmin")
    asked = sysadmin.post("/numbers/test-calls", data={"number_id": number.id, "next": "/numbers?status=active"})
    assert asked.status_code == 302 and asked.location == "/numbers?status=active"
    queued = db.session.scalars(db.select(TestCall).filter_by(phone_number_id=number.id)).one()
    assert queued.due and queued.dispatch_pending and queued.requested_by == "sysadmin@example.com"
    page = sysadmin.get("/numbers?status=active", follow_redirects=True).text
    row = page.split(f"<code>{number.e164}</code>")[1].split("</tr>")[0]
    assert "test call due" in row and "Test-call again" not in row
    # Asking again while one is due adds none; another site is never where the button leads.
    assert sysadmin.post("/numbers/test-calls", data={"number_id": number.id, "next": "https://example.org/"}
                         ).location == "/numbers"
    assert len(db.session.scalars(db.select(TestCall).filter_by(phone_number_id=number.id)).all()) == 1

    # The worker's run records the result; here the PBX does not answer.
    assert "failed" in steps.run_test_call(queued.id)
    db.session.refresh(queued)
    assert (queued.passed, queued.due) == (False, False)
    assert queued.detail.startswith("the PBX could not be reached: Asterisk's manager interface at 127.0.0.1:9")
    assert "Test-call again" in sysadmin.get(f"/numbers?q={number.e164[1:]}").text


def test_only_an_active_number_on_a_pbx_numberdesk_provisions_is_test_called_again(
        app, people, catalog, prefect_mode):
    add_pbx()
    attached = on_pbx(people, catalog, status=NumberStatus.ATTACHED).numbers[0]
    manual = request_in("active", people, catalog).numbers[0]
    sysadmin = signed_in(app, "sysadmin")
    for number in (attached, manual):
        assert sysadmin.post("/numbers/test-calls", data={"number_id": number.id}).status_code == 409
    assert sysadmin.post("/numbers/test-calls", data={"number_id": 424242}).status_code == 404
    assert signed_in(app, "admin").post("/numbers/test-calls", data={"number_id": attached.id}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(TestCall.id))) == 0


# --- a PBX's page --------------------------------------------------------------------------------------------

def test_a_manual_pbx_page_says_nothing_is_provisioned_there(app, catalog):
    page = signed_in(app, "sysadmin").get(f"/pbx/{catalog['pbx']('Office Asterisk').id}").text
    assert "numberdesk provisions nothing on this PBX" in page and "Check now" not in page
    listing = signed_in(app, "admin").get("/pbx").text
    assert "Office Asterisk" in listing and "configured by hand" in listing
    assert signed_in(app, "accountant").get("/pbx").status_code == 403


def test_a_pbx_page_shows_what_numberdesk_provisions_there_without_contacting_it(app, people, catalog):
    system = add_pbx()
    request = on_pbx(people, catalog)
    number = request.numbers[0]
    trunk = trunk_id(request.order)
    page = signed_in(app, "admin").get(f"/pbx/{system.id}").text
    trunks = page.split("data-trunks")[1].split("</table>")[0]
    assert f"<code>{trunk}</code>" in trunks and "by IP address" in trunks
    assert f"<code>{REMOTE_CARRIER}</code>" in trunks
    groups = page.split("data-ring-groups")[1].split("</table>")[0]
    assert "<code>rg-sr-ovb</code>" in groups and "Novosibirsk showroom" in groups and "<code>101, 102</code>" in groups
    assert f"<code>{number.e164}</code>" in groups  # its caller ID
    routes = page.split("data-routes")[1].split("</table>")[0]
    assert f"<tr><td><code>{number.e164}</code></td><td><code>{trunk}</code></td><td><code>rg-sr-ovb</code>" in routes
    assert "Not checked yet." in page and "Check now" in page and "Apply again" in page
    assert db.session.scalar(db.select(db.func.count(PbxCheck.id))) == 0  # looking is not checking

    # A branch the PBX cannot take is said, not a crash.
    branch().ring_group = "Novosibirsk showroom"
    db.session.commit()
    broken = signed_in(app, "sysadmin").get(f"/pbx/{system.id}").text
    assert "The plan cannot be made: Novosibirsk showroom: Branch" in broken


def test_check_now_is_queued_and_an_unreachable_pbx_is_recorded_with_why(app, people, catalog, prefect_mode):
    system = add_pbx()
    on_pbx(people, catalog)
    sysadmin = signed_in(app, "sysadmin")
    assert sysadmin.post(f"/pbx/{system.id}/check").location == f"/pbx/{system.id}"
    assert sysadmin.post(f"/pbx/{system.id}/check").status_code == 302  # one due already: not doubled
    check = db.session.scalars(db.select(PbxCheck)).one()
    assert (check.kind, check.due, check.dispatch_pending, check.requested_by) == (
        CHECK, True, True, "sysadmin@example.com")
    due = sysadmin.get(f"/pbx/{system.id}").text
    assert "check due" in due and "Check now" not in due and "Apply again" in due

    run_pbx_check(check.id)
    db.session.refresh(check)
    assert (check.due, check.reachable, check.ok, check.drift) == (False, False, False, None)
    assert check.detail.startswith("the PBX could not be reached: Asterisk's manager interface at 127.0.0.1:9")
    page = sysadmin.get(f"/pbx/{system.id}").text
    assert "unreachable" in page and "127.0.0.1:9" in page and "Check now" in page
    assert "unreachable" in sysadmin.get("/pbx").text

    # A manual PBX is not checked.
    manual = catalog["pbx"]("Office Asterisk")
    assert sysadmin.post(f"/pbx/{manual.id}/check").status_code == 409


def test_a_check_asked_for_is_handed_to_prefect_once_and_a_lost_one_again(app, people, catalog, prefect_mode):
    system = add_pbx()
    signed_in(app, "admin").post(f"/pbx/{system.id}/apply")
    asked = db.session.scalars(db.select(PbxCheck)).one()
    assert asked.kind == APPLY
    prefect = FakePrefect()
    dispatching = Dispatcher(prefect, clock=Clock())

    def handed() -> list[tuple[str, dict, str]]:
        dispatching.run_once()
        return [created for created in prefect.created if created[0].startswith("run-pbx-check")]
    expected = ("run-pbx-check/numberdesk", {"check_id": asked.id}, f"pbx-check-{asked.id}-a0")
    assert handed() == [expected]
    assert handed() == [expected]
    db.session.refresh(asked)
    asked.requested_at -= timedelta(minutes=5)  # its run never came
    db.session.commit()
    assert sweep_pbx_checks() == [asked.id]
    assert handed()[-1] == ("run-pbx-check/numberdesk", {"check_id": asked.id}, f"pbx-check-{asked.id}-a1")


# --- against a real Asterisk ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def asterisk(tmp_path_factory):
    with running_asterisk(tmp_path_factory.mktemp("asterisk"), {"101": "127.0.0.5", "102": "127.0.0.6"}) as running:
        yield running


@pytest.fixture
def office(app, asterisk, monkeypatch) -> PbxSystem:
    """A PBX system for the running Asterisk, whose phones the stand-ins answer."""
    pbx = asterisk.pbx
    system = add_pbx(config_dir=str(pbx.config_dir), ami_host=pbx.ami_host, ami_port=pbx.ami_port,
                     ami_username=pbx.ami_username, sip_host=pbx.sip_host, sip_port=pbx.sip_port,
                     secret=pbx.ami_secret)
    monkeypatch.setitem(PBX_ADAPTERS, PbxKind.ASTERISK, AsteriskPbxAdapter(
        {name: replace(phone, answer=200) for name, phone in asterisk.phones.items()}))
    yield system
    apply_plan(pbx, Plan(), prune=True)


@needs_asterisk
def test_a_sysadmin_has_an_active_number_test_called_again_by_the_worker(
        asterisk, office, app, people, catalog, monkeypatch):
    request = on_pbx(people, catalog, status=NumberStatus.ASSIGNED, carrier=LOCAL_CARRIER)
    dispatch.dispatch(request)  # provisioned and proven by the workflow
    assert request.state == ACTIVE
    number = request.numbers[0]

    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")
    sysadmin = signed_in(app, "sysadmin")
    sysadmin.post("/numbers/test-calls", data={"number_id": number.id})
    queued = db.session.scalars(db.select(TestCall).where(TestCall.phone_number_id == number.id,
                                                          TestCall.passed.is_(None))).one()
    steps.run_test_call(queued.id)  # what the worker's flow runs
    db.session.refresh(queued)
    assert (queued.passed, queued.sip_status, queued.request_id) == (True, 200, None)
    assert queued.detail == f"200: answered by {asterisk.phones['101'].address}"
    row = sysadmin.get(f"/numbers?q={number.e164[1:]}").text.split(f"<code>{number.e164}</code>")[1]
    assert "passed" in row and "SIP 200" in row and queued.detail in row and "test call due" not in row


@needs_asterisk
def test_the_pbx_page_checks_drift_and_applies_the_plan_again(asterisk, office, app, people, catalog):
    request = on_pbx(people, catalog, status=NumberStatus.ASSIGNED)  # in the plan, not provisioned yet
    number, trunk = request.numbers[0], trunk_id(request.order)
    admin = signed_in(app, "admin")

    def latest(kind: str) -> PbxCheck:
        return db.session.scalars(db.select(PbxCheck).filter_by(kind=kind).order_by(PbxCheck.id.desc())).first()

    admin.post(f"/pbx/{office.id}/check")  # inline here: the worker's run, at once
    drifted = latest(CHECK)
    assert (drifted.reachable, drifted.ok) == (True, False)
    assert drifted.drift == {"missing_files": [BRANCH_FILE, f"pjsip.d/trunk-{trunk}.conf"],
                             "missing_endpoints": [f"trunk-{trunk}"],
                             "missing_contexts": ["numberdesk-branch-rg-sr-ovb"], "missing_numbers": [number.e164]}
    page = admin.get(f"/pbx/{office.id}").text
    assert "reachable" in page and "drift" in page and f"<code>{BRANCH_FILE}</code>" in page

    admin.post(f"/pbx/{office.id}/apply")
    applied = latest(APPLY)
    assert (applied.reachable, applied.ok) == (True, True)
    assert applied.applied == {"written": [BRANCH_FILE, f"pjsip.d/trunk-{trunk}.conf"], "removed": [],
                               "reloaded": ["res_pjsip.so", "pbx_config.so"]}
    admin.post(f"/pbx/{office.id}/check")
    assert (latest(CHECK).ok, latest(CHECK).drift) == (True, {})
    page = admin.get(f"/pbx/{office.id}").text
    assert "as provisioned" in page and "applied" in page

    # Somebody edits numberdesk's file by hand: the next check says so, and applying again puts it back.
    branch_file = asterisk.pbx.config_dir / BRANCH_FILE
    branch_file.write_text(branch_file.read_text() + "; edited by hand\n")
    admin.post(f"/pbx/{office.id}/check")
    assert latest(CHECK).drift == {"changed_files": [BRANCH_FILE]}
    admin.post(f"/pbx/{office.id}/apply")
    assert latest(APPLY).applied["written"] == [BRANCH_FILE]
    assert "edited by hand" not in branch_file.read_text()
