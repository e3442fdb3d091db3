"""Provisioning a real Asterisk and proving numbers with SIP test calls.

One Asterisk (tests/asterisk_stack.py) serves the module; every test starts from a PBX without numberdesk's
files. Carriers and phones are sipp on loopback addresses of their own: the registrar and its calls at
127.0.0.2, the IP carrier at 127.0.0.3, the phones at 127.0.0.5-7."""
import socket
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asterisk_stack import SIPP, asterisk_available, running_asterisk, sipp_registrar, wait_until
from conftest import installed
from pbx.asterisk import (HUNT, IP, REGISTRATION, AsteriskPbx, Branch, OpenHours, PbxRefused, PbxUnreachable,
                          PhoneStandIn, Plan, Route, Trunk, apply_plan, calls_from_here, check_drift,
                          originate_test_call, ping, place_test_call, registration_status, remove_from_pbx,
                          render_plan)
from pbx.asterisk.calls import free_port

pytestmark = installed(asterisk_available() and SIPP is not None,
                       "Asterisk (scripts/install-asterisk builds it) or sipp (sip-tester)")

KAZAN_NUMBER = "+78432000001"
KAZAN_SECOND_NUMBER = "+78432000002"
UFA_NUMBER = "+73472000001"
IP_CARRIER = "127.0.0.3"


@pytest.fixture(scope="module")
def asterisk(tmp_path_factory):
    with running_asterisk(tmp_path_factory.mktemp("asterisk"),
                          {"101": "127.0.0.5", "102": "127.0.0.6", "201": "127.0.0.7"}) as running:
        yield running


@pytest.fixture
def pbx(asterisk) -> AsteriskPbx:
    yield asterisk.pbx
    apply_plan(asterisk.pbx, Plan(), prune=True)


def phone(asterisk, name: str, answer: int = 200) -> PhoneStandIn:
    stand_in = asterisk.phones[name]
    return PhoneStandIn(stand_in.host, stand_in.port, answer)


def kazan_phones(asterisk) -> list[PhoneStandIn]:
    """Stand-ins for both phones of the Kazan group: the PBX keeps sending its INVITE to a phone that never
    answers, for half a minute, and a later test's stand-in on that port would take it for its own call."""
    return [phone(asterisk, "101"), phone(asterisk, "102", answer=486)]


def ip_trunk(trunk_id: str = "ufa-link", address: str = IP_CARRIER) -> Trunk:
    return Trunk(id=trunk_id, kind=IP, source_addresses=(address,))


def kazan_plan(trunk: Trunk, *numbers: str, **branch) -> Plan:
    return Plan(trunks=(trunk,), branches=(Branch(id="kazan", extensions=("101", "102"), **branch),),
                routes=tuple(Route(number, "kazan", trunk.id) for number in numbers or (KAZAN_NUMBER,)))


def test_a_registration_trunk_registers_with_the_right_password_only_and_carries_calls(asterisk, pbx, tmp_path):
    with sipp_registrar(tmp_path, "127.0.0.2", "78432000001", "right-password") as port:
        trunk = Trunk(id="kzn-telecom", kind=REGISTRATION, host="127.0.0.2", port=port, username="78432000001",
                      password="wrong-password")
        apply_plan(pbx, Plan(trunks=(trunk,)))
        assert wait_until(lambda: registration_status(pbx, "kzn-telecom") == "Rejected", "the refusal")

        trunk = replace(trunk, password="right-password")
        assert apply_plan(pbx, kazan_plan(trunk)).reloaded == ("res_pjsip.so", "pbx_config.so")
        assert wait_until(lambda: registration_status(pbx, "kzn-telecom") == "Registered", "the registration")

        result = place_test_call(pbx, trunk, KAZAN_NUMBER, phones=kazan_phones(asterisk))
    assert result.passed, result
    assert result.sip_status == 200
    assert result.detail == f"200: answered by {asterisk.phones['101'].address}"
    assert "wrong-password" not in asterisk.log() and "right-password" not in asterisk.log()


def test_a_new_number_on_an_ip_trunk_rings_the_whole_group_and_an_unknown_number_is_404(asterisk, pbx):
    trunk = ip_trunk()
    apply_plan(pbx, kazan_plan(trunk, strategy="ringall"))
    # One phone is busy; the group still answers through the other.
    phones = [phone(asterisk, "101", answer=486), phone(asterisk, "102")]

    result = place_test_call(pbx, trunk, KAZAN_NUMBER, phones=phones)
    assert result.passed, result
    assert (result.sip_status, set(result.phones_rung)) == (200, {p.address for p in phones})

    unknown = place_test_call(pbx, trunk, "+78432009999", phones=phones)
    assert (unknown.passed, unknown.sip_status, unknown.phones_rung) == (False, 404, ())


def test_a_hunt_group_rings_in_turn_and_a_closed_branch_sends_calls_to_its_fallback(asterisk, pbx):
    trunk = ip_trunk()
    now = datetime.now(ZoneInfo("Asia/Yekaterinburg"))
    # Open for an hour starting two hours from now, every day: closed whenever the test runs.
    opens = (now + timedelta(hours=2)).replace(minute=0)
    closed = OpenHours("mon-sun", opens.strftime("%H:%M"), f"{opens.hour + 1:02d}:00")
    plan = Plan(trunks=(trunk,),
                branches=(Branch(id="kazan", extensions=("101", "102"), strategy=HUNT),
                          Branch(id="ufa", extensions=("201",), open_hours=(closed,), time_zone="Asia/Yekaterinburg",
                                 fallback_branch="kazan")),
                routes=(Route(KAZAN_NUMBER, "kazan", trunk.id), Route(UFA_NUMBER, "ufa", trunk.id)))
    apply_plan(pbx, plan)
    busy, free = phone(asterisk, "101", answer=486), phone(asterisk, "102")

    hunted = place_test_call(pbx, trunk, KAZAN_NUMBER, phones=[busy, free])
    assert hunted.passed, hunted
    assert hunted.phones_rung == (busy.address, free.address)

    ufa_phone = phone(asterisk, "201")
    after_hours = place_test_call(pbx, trunk, UFA_NUMBER, phones=[ufa_phone, busy, free])
    assert after_hours.passed, after_hours
    assert after_hours.phones_rung == (busy.address, free.address)


def test_when_the_whole_group_is_busy_the_fallback_voicemail_answers(asterisk, pbx):
    trunk = ip_trunk()
    apply_plan(pbx, kazan_plan(trunk, fallback_voicemail="1001@default"))
    busy = [phone(asterisk, "101", answer=486), phone(asterisk, "102", answer=486)]

    result = place_test_call(pbx, trunk, KAZAN_NUMBER, phones=busy)
    assert (result.passed, result.sip_status) == (False, 200)
    assert result.detail == "200: answered, but not by a stand-in phone"
    assert set(result.phones_rung) == {p.address for p in busy}
    assert 'VoiceMail("PJSIP/trunk-ufa-link' in asterisk.log()


def test_a_remote_carriers_number_is_called_from_inside_the_pbx_through_its_route(asterisk, pbx):
    trunk = ip_trunk(address="198.51.100.7")  # the carrier's address is not this machine's: no SIP from there
    assert not calls_from_here(trunk) and calls_from_here(ip_trunk())
    apply_plan(pbx, kazan_plan(trunk))

    answered = originate_test_call(pbx, trunk.id, KAZAN_NUMBER, phones=kazan_phones(asterisk))
    assert answered.passed, answered
    assert (answered.sip_status, answered.channel) == (None, f"Local/{KAZAN_NUMBER}@numberdesk-from-ufa-link")
    assert answered.detail == f"answered by {asterisk.phones['101'].address}"

    busy = [phone(asterisk, "101", answer=486), phone(asterisk, "102", answer=486)]
    refused = originate_test_call(pbx, trunk.id, KAZAN_NUMBER, phones=busy)
    assert (refused.passed, refused.detail) == (False, "not answered")
    assert set(refused.phones_rung) == {p.address for p in busy}

    unknown = originate_test_call(pbx, trunk.id, "+78432009999")
    assert (unknown.passed, unknown.detail) == (False, "the PBX has no route for +78432009999 in "
                                                       "numberdesk-from-ufa-link")


def test_applying_a_plan_twice_changes_nothing_the_second_time_and_drift_is_reported(asterisk, pbx):
    plan = kazan_plan(ip_trunk(), KAZAN_NUMBER, KAZAN_SECOND_NUMBER, caller_id=KAZAN_NUMBER)
    first = apply_plan(pbx, plan)
    assert first.written == ("extensions.d/branch-kazan.conf", "pjsip.d/trunk-ufa-link.conf")
    on_disk = {path: (pbx.config_dir / path).read_bytes() for path in first.written}

    second = apply_plan(pbx, plan)
    assert not second.changed
    assert {path: (pbx.config_dir / path).read_bytes() for path in first.written} == on_disk
    assert check_drift(pbx, plan).clean

    (pbx.config_dir / "extensions.d/branch-kazan.conf").write_text("; edited by hand\n")
    (pbx.config_dir / "extensions.d/branch-gone.conf").write_text("; left behind\n")
    drift = check_drift(pbx, plan)
    assert drift.changed_files == ("extensions.d/branch-kazan.conf",)
    assert drift.extra_files == ("extensions.d/branch-gone.conf",)
    # Asterisk has not reloaded the edit: it still routes both numbers.
    assert drift.missing_numbers == () and drift.missing_contexts == ()

    repaired = apply_plan(pbx, plan, prune=True)
    assert repaired.written == ("extensions.d/branch-kazan.conf",)
    assert repaired.removed == ("extensions.d/branch-gone.conf",)
    assert check_drift(pbx, plan).clean


def test_removing_a_route_makes_its_number_404_and_removing_the_trunk_and_branch_drops_them(asterisk, pbx):
    trunk = ip_trunk()
    apply_plan(pbx, kazan_plan(trunk, KAZAN_NUMBER, KAZAN_SECOND_NUMBER))
    assert place_test_call(pbx, trunk, KAZAN_SECOND_NUMBER, phones=kazan_phones(asterisk)).passed

    fewer = kazan_plan(trunk, KAZAN_NUMBER)
    applied = apply_plan(pbx, fewer)
    assert (applied.written, applied.reloaded) == (("extensions.d/branch-kazan.conf",), ("pbx_config.so",))
    assert place_test_call(pbx, trunk, KAZAN_SECOND_NUMBER, phones=kazan_phones(asterisk)).sip_status == 404
    assert place_test_call(pbx, trunk, KAZAN_NUMBER, phones=kazan_phones(asterisk)).passed

    removed = remove_from_pbx(pbx, trunks=[trunk.id], branches=["kazan"])
    assert removed.removed == ("extensions.d/branch-kazan.conf", "pjsip.d/trunk-ufa-link.conf")
    assert removed.reloaded == ("res_pjsip.so", "pbx_config.so")
    drift = check_drift(pbx, fewer)
    assert drift.missing_endpoints == ("trunk-ufa-link",)
    assert drift.missing_contexts == ("numberdesk-branch-kazan",)
    assert drift.missing_numbers == (KAZAN_NUMBER,)
    assert not remove_from_pbx(pbx, trunks=[trunk.id]).changed


def test_an_unreachable_pbx_raises_an_error_to_retry_on_and_the_retry_reloads(asterisk, pbx):
    closed = replace(pbx, ami_port=free_port(pbx.ami_host, socket.SOCK_STREAM))
    with pytest.raises(PbxUnreachable):
        ping(closed)
    plan = kazan_plan(ip_trunk())
    with pytest.raises(PbxUnreachable):
        apply_plan(closed, plan)

    ping(pbx)
    retried = apply_plan(pbx, plan)
    assert (retried.written, retried.reloaded) == ((), ("res_pjsip.so", "pbx_config.so"))
    assert place_test_call(pbx, plan.trunks[0], KAZAN_NUMBER, phones=kazan_phones(asterisk)).passed

    with pytest.raises(PbxRefused):
        ping(replace(pbx, ami_secret="not-the-secret"))


def test_provisioning_runs_at_once_lose_nothing(asterisk, pbx):
    trunks = [ip_trunk(f"carrier-{n}", f"127.0.0.{30 + n}") for n in range(6)]
    failures = []

    def provision(trunk):
        try:
            apply_plan(pbx, Plan(trunks=(trunk,)))
        except Exception as exc:  # reported below, with the others
            failures.append(exc)

    runs = [threading.Thread(target=provision, args=(trunk,)) for trunk in trunks]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert failures == []
    everything = Plan(trunks=tuple(trunks))
    assert sorted(p.name for p in (pbx.config_dir / "pjsip.d").glob("*.conf")) == sorted(
        path.split("/")[1] for path in render_plan(everything))
    assert check_drift(pbx, everything).clean
