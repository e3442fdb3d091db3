"""The demo's own PBX (demo/asterisk.py) as `make run` starts it: a demo request goes from the carrier's numbers to
active through a real provisioning of the demo's Asterisk and a real SIP test call answered by a branch phone, with
no person after the sysadmin; without Asterisk built, the demo's PBX stays a manual one and says why.

The demo's Asterisk runs here on free ports (make run's are fixed), its phones at the demo's phone address; the
carrier sends from 127.0.0.2, as the README suggests."""
import re
import socket
import stat
import subprocess

import pytest
from flask_migrate import upgrade

from asterisk_stack import SIPP, asterisk_available, wait_until
from cli import cli
from conftest import installed, make_app
from demo import asterisk as demo_asterisk
from demo.data import load_demo_data
from models import Department, NumberRequest, PbxSystem, User, db
from models.choices import NumberStatus, PbxKind
from models.lifecycle import ACTIVE, ORDERED, apply_action
from models.pbx import last_test_call
from pbx.asterisk import ping
from pbx.asterisk.calls import free_port, udp_port_taken
from workflows import dispatch

needs_asterisk = installed(asterisk_available() and SIPP is not None,
                           "Asterisk (scripts/install-asterisk builds it) or sipp (sip-tester)")
CARRIER = "127.0.0.2"
YEKATERINBURG_NUMBERS = ["+73432000501", "+73432000502"]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    return tmp_path / "instance"


@pytest.fixture
def empty_app(tmp_path, instance):
    """An app on a new database, migrated, without the demo."""
    app = make_app(tmp_path / "demo.db")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        yield app
        db.session.remove()
        db.engine.dispose()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def running_demo_asterisk(instance):
    """The demo's Asterisk and its branches' phones, started as `numberdesk pbx demo` and `demo-phones` start them,
    on free ports."""
    host = demo_asterisk.HOST
    pbx = demo_asterisk.demo_pbx(sip_port=free_port(host), ami_port=free_port(host, socket.SOCK_STREAM))
    phones_port = free_port(demo_asterisk.PHONES_HOST)
    demo_asterisk.write_configuration(pbx, phones_port)
    with (instance / "asterisk" / "asterisk.out").open("w") as output:
        asterisk = demo_asterisk.start_asterisk(pbx, output)
        try:
            phones = demo_asterisk.start_phones(instance / "asterisk", phones_port)
            try:
                assert demo_asterisk.wait_until_booted(pbx, asterisk), \
                    (instance / "asterisk" / "asterisk.out").read_text()[-2000:]
                wait_until(lambda: udp_port_taken(demo_asterisk.PHONES_HOST, phones_port), "the phones to answer")
                yield pbx
            finally:
                stop(phones)
        finally:
            stop(asterisk)


def office() -> PbxSystem:
    return db.session.scalar(db.select(PbxSystem).filter_by(name=demo_asterisk.OFFICE))


def setup_for_make_run(app):
    return app.test_cli_runner().invoke(cli, ["setup", "--demo-asterisk"])


@needs_asterisk
def test_a_demo_request_goes_active_through_the_demo_asterisk_with_a_real_test_call(empty_app, running_demo_asterisk):
    pbx = running_demo_asterisk
    assert load_demo_data(office_asterisk=pbx)
    system = office()
    assert (system.kind, system.config_dir, system.sip_port, system.ami_port) == (
        PbxKind.ASTERISK, str(pbx.config_dir), pbx.sip_port, pbx.ami_port)
    assert system.ami_password() == pbx.ami_secret
    ping(pbx)
    assert stat.S_IMODE((pbx.config_dir / "manager.conf").stat().st_mode) == 0o600
    assert stat.S_IMODE((pbx.config_dir.parent / demo_asterisk.SECRET_FILE).stat().st_mode) == 0o600

    # The demo's Yekaterinburg request waits for the carrier's numbers; the sysadmin records them and the trunk.
    request = db.session.scalar(db.select(NumberRequest).join(Department)
                                .where(NumberRequest.state == ORDERED, Department.city == "Yekaterinburg"))
    sysadmin = db.session.scalar(db.select(User).filter_by(email="sysadmin@example.com"))
    apply_action(request, "confirm_order", sysadmin,
                 {"numbers": YEKATERINBURG_NUMBERS, "trunk": {"type": "ip", "addresses": [CARRIER]}})
    db.session.commit()
    dispatch.dispatch(request)  # the attach step, then the verify step

    assert (request.state, request.step_error) == (ACTIVE, "")
    assert [(event.action, event.actor) for event in request.events[-2:]] == [
        ("pbx_provisioned", "workflow:attach_to_pbx"), ("test_call_passed", "workflow:verify_number")]
    for number in request.numbers:
        call = last_test_call(number)
        assert (number.status, call.passed, call.sip_status, call.detail) == (
            NumberStatus.ACTIVE, True, 200, "200: answered")
        assert call.channel == f"sip:{number.e164}@{pbx.sip_host}:{pbx.sip_port}"
    # Answered by the Yekaterinburg showroom's phones, once for each number.
    log = (pbx.config_dir.parent / "log" / "messages.log").read_text()
    assert len(re.findall(r"PJSIP/50[12]-\w+ answered PJSIP/trunk-", log)) == 2
    # St Petersburg's number, made active by hand before the demo's Asterisk took over, is on it too.
    assert "+78122000001" in (pbx.config_dir / "extensions.d" / "branch-rg-sr-led.conf").read_text()


@needs_asterisk
def test_setup_for_make_run_makes_the_office_pbx_the_demo_asterisk(empty_app, instance):
    result = setup_for_make_run(empty_app)

    assert result.exit_code == 0, result.output
    assert "The demo's Office Asterisk is the Asterisk `numberdesk pbx demo` runs" in result.output
    system = office()
    assert (system.kind, system.config_dir, system.ami_host, system.ami_port, system.sip_port) == (
        PbxKind.ASTERISK, str(instance / "asterisk" / "etc"), "127.0.0.1", 5038, 5080)
    assert system.ami_password() == (instance / "asterisk" / demo_asterisk.SECRET_FILE).read_text().strip()
    branches = {d.cost_centre: d.extension_list for d in db.session.scalars(db.select(Department))}
    assert branches == demo_asterisk.BRANCH_PHONES


def test_without_asterisk_built_the_demo_pbx_stays_manual_and_says_why(empty_app, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_ASTERISK_HOME", str(tmp_path / "no-asterisk"))
    result = setup_for_make_run(empty_app)

    assert result.exit_code == 0, result.output
    assert "The demo's Office Asterisk stays a manual PBX: Asterisk is not built" in result.output
    system = office()
    assert (system.kind, system.ami_secret, system.config_dir) == (PbxKind.MANUAL, None, "")
    assert "The demo could not run it: Asterisk is not built" in system.notes
    assert not any(d.extensions for d in db.session.scalars(db.select(Department)))
