"""The Asterisk files a plan renders, the plan's own checks, and writing them when the PBX cannot be reached:
no Asterisk is needed here (tests/test_asterisk.py runs the files in a real one)."""
import socket
import stat
from dataclasses import replace

import pytest

from models.errors import Conflict, InvalidInput
from pbx.asterisk import (HUNT, IP, MAIN_INCLUDES, REGISTRATION, AsteriskPbx, Branch, OpenHours, PbxUnreachable,
                          Plan, Route, Trunk, add_main_includes, apply_plan, render_plan)
from pbx.asterisk.provision import PENDING_RELOAD_FILE

KAZAN_NUMBER = "+78432000001"
UFA_NUMBER = "+73472000001"


def registration_trunk(**changes) -> Trunk:
    return Trunk(**{"id": "kzn-telecom", "kind": REGISTRATION, "host": "sip.kzn-telecom.example", "port": 5070,
                    "username": "78432000001", "password": "s3cret;with-semicolon",
                    "from_domain": "kzn-telecom.example", **changes})


def ip_trunk(**changes) -> Trunk:
    return Trunk(**{"id": "ufa-link", "kind": IP, "source_addresses": ("198.51.100.7",), **changes})


def kazan(**changes) -> Branch:
    return Branch(**{"id": "kazan", "extensions": ("101", "102"), "caller_id": KAZAN_NUMBER, **changes})


def kazan_plan(**branch_changes) -> Plan:
    return Plan(trunks=(registration_trunk(),), branches=(kazan(**branch_changes),),
                routes=(Route(KAZAN_NUMBER, "kazan", "kzn-telecom"),))


def sections(text: str) -> list[tuple[str, dict[str, str]]]:
    """The [name] sections of a PJSIP file with their options."""
    found = []
    for line in text.splitlines():
        if line.startswith("["):
            found.append((line.strip("[]"), {}))
        elif " = " in line and found:
            key, value = line.split(" = ", 1)
            found[-1][1][key] = value
    return found


def of_type(text: str, kind: str) -> tuple[str, dict[str, str]]:
    (found,) = [(name, options) for name, options in sections(text) if options.get("type") == kind]
    return found


def test_a_registration_trunk_registers_with_its_credentials_and_keeps_the_password_in_its_auth_section():
    text = render_plan(kazan_plan())["pjsip.d/trunk-kzn-telecom.conf"]
    name, endpoint = of_type(text, "endpoint")
    assert name == "trunk-kzn-telecom"
    assert endpoint["context"] == "numberdesk-from-kzn-telecom"
    assert endpoint["allow"] == "alaw,ulaw" and endpoint["disallow"] == "all"
    assert endpoint["outbound_auth"] == "trunk-kzn-telecom-auth"
    assert endpoint["from_domain"] == "kzn-telecom.example"
    registration = of_type(text, "registration")[1]
    assert registration["server_uri"] == "sip:sip.kzn-telecom.example:5070"
    assert registration["client_uri"] == "sip:78432000001@kzn-telecom.example"
    assert registration["forbidden_retry_interval"] == "0"
    assert of_type(text, "identify")[1]["match"] == "sip.kzn-telecom.example"
    auth_name, auth = of_type(text, "auth")
    assert auth_name == "trunk-kzn-telecom-auth"
    # A bare ; would cut the password short when Asterisk reads it.
    assert auth["password"] == r"s3cret\;with-semicolon"
    assert text.count("s3cret") == 1


def test_an_ip_trunk_is_matched_by_the_carriers_addresses_in_a_stable_order():
    trunk = ip_trunk(source_addresses=("203.0.113.9", "198.51.100.0/28"), host="198.51.100.1", codecs=("ulaw",))
    text = render_plan(Plan(trunks=(trunk,)))["pjsip.d/trunk-ufa-link.conf"]
    assert of_type(text, "identify")[1]["match"] == "198.51.100.0/28,203.0.113.9/32"
    assert of_type(text, "aor")[1]["contact"] == "sip:198.51.100.1:5060"
    assert of_type(text, "endpoint")[1]["allow"] == "ulaw"
    assert "auth" not in [options["type"] for _, options in sections(text)]
    assert "registration" not in [options["type"] for _, options in sections(text)]
    reordered = replace(trunk, source_addresses=tuple(reversed(trunk.source_addresses)))
    assert render_plan(Plan(trunks=(reordered,))) == render_plan(Plan(trunks=(trunk,)))


def test_an_ip_trunk_with_one_address_takes_calls_there():
    text = render_plan(Plan(trunks=(ip_trunk(),)))["pjsip.d/trunk-ufa-link.conf"]
    assert of_type(text, "aor")[1]["contact"] == "sip:198.51.100.7:5060"


def test_a_ring_all_group_rings_every_extension_at_once_then_falls_back_to_voicemail():
    text = render_plan(kazan_plan(fallback_voicemail="1001@default", ring_seconds=25))[
        "extensions.d/branch-kazan.conf"]
    assert "[numberdesk-from-kzn-telecom]\n" in text
    assert f"exten => {KAZAN_NUMBER},1,Goto(numberdesk-branch-kazan,s,1)\n" in text
    assert f"exten => {KAZAN_NUMBER[1:]},1,Goto(numberdesk-branch-kazan,s,1)\n" in text
    assert "exten => s,1,NoOp(numberdesk branch kazan)\n same => n,Goto(group,1)\n" in text
    assert "exten => group,1,Dial(PJSIP/101&PJSIP/102,25)\n same => n,Goto(fallback,1)\n" in text
    assert "exten => fallback,1,VoiceMail(1001@default,u)\n" in text


def test_a_hunt_group_rings_the_extensions_in_turn_then_goes_to_another_branchs_group():
    plan = Plan(branches=(kazan(strategy=HUNT, fallback_branch="ufa", caller_id=""),
                          Branch(id="ufa", extensions=("201",))),
                routes=(Route(KAZAN_NUMBER, "kazan", "kzn-telecom"), Route(UFA_NUMBER, "ufa", "ufa-link")))
    files = render_plan(plan)
    text = files["extensions.d/branch-kazan.conf"]
    assert ("exten => group,1,Dial(PJSIP/101,20)\n same => n,Dial(PJSIP/102,20)\n same => n,Goto(fallback,1)\n"
            in text)
    assert "exten => fallback,1,Goto(numberdesk-branch-ufa,group,1)\n" in text
    assert UFA_NUMBER not in text
    assert "exten => fallback,1,Hangup()\n" in files["extensions.d/branch-ufa.conf"]
    assert "numberdesk-outbound-kazan" not in text


def test_business_hours_send_calls_out_of_hours_to_the_fallback_in_the_branchs_time_zone():
    hours = (OpenHours("mon-fri", "09:00", "18:00"), OpenHours("sat", "10:00", "24:00"))
    text = render_plan(kazan_plan(open_hours=hours, time_zone="Europe/Moscow", fallback_voicemail="1001"))[
        "extensions.d/branch-kazan.conf"]
    # Asterisk counts the last minute of a range in.
    assert ("exten => s,1,NoOp(numberdesk branch kazan)\n"
            " same => n,GotoIfTime(09:00-17:59,mon-fri,*,*,Europe/Moscow?group,1)\n"
            " same => n,GotoIfTime(10:00-23:59,sat,*,*,Europe/Moscow?group,1)\n"
            " same => n,Goto(fallback,1)\n") in text


def test_the_branchs_outgoing_calls_show_its_number_and_leave_through_that_numbers_trunk():
    text = render_plan(kazan_plan())["extensions.d/branch-kazan.conf"]
    assert "[numberdesk-outbound-kazan]\n" in text
    assert f"exten => _X.,1,Set(CALLERID(num)={KAZAN_NUMBER})\n" in text
    assert " same => n,Dial(PJSIP/${EXTEN}@trunk-kzn-telecom,60)\n" in text
    assert f"exten => _+X.,1,Set(CALLERID(num)={KAZAN_NUMBER})\n" in text


def test_rendering_is_deterministic_and_numbers_are_kept_in_e164():
    plan = Plan(trunks=(registration_trunk(),), branches=(kazan(caller_id="+7 843 200-00-01"),),
                routes=(Route("+7 (843) 200-00-02", "kazan", "kzn-telecom"),
                        Route("+7 843 200 00 01", "kazan", "kzn-telecom")))
    again = Plan(trunks=(registration_trunk(),), branches=(kazan(),),
                 routes=(Route(KAZAN_NUMBER, "kazan", "kzn-telecom"), Route("+78432000002", "kazan", "kzn-telecom")))
    assert render_plan(plan) == render_plan(again)
    text = render_plan(plan)["extensions.d/branch-kazan.conf"]
    assert text.index("+78432000001") < text.index("+78432000002")
    assert list(render_plan(plan)) == ["extensions.d/branch-kazan.conf", "pjsip.d/trunk-kzn-telecom.conf"]


@pytest.mark.parametrize("make, field", [
    (lambda: registration_trunk(id="Kazan Trunk"), "id"),
    (lambda: registration_trunk(kind="sip"), "kind"),
    (lambda: registration_trunk(password=""), "password"),
    (lambda: registration_trunk(password="two\nlines"), "password"),
    (lambda: registration_trunk(username="user name"), "username"),
    (lambda: registration_trunk(port=70000), "port"),
    (lambda: registration_trunk(codecs=("speex",)), "codecs"),
    (lambda: registration_trunk(host=""), "host"),
    (lambda: ip_trunk(source_addresses=()), "source_addresses"),
    (lambda: ip_trunk(source_addresses=("sbc.example",)), "source_addresses"),
    (lambda: ip_trunk(source_addresses=("198.51.100.7", "198.51.100.8")), "host"),
    (lambda: kazan(extensions=()), "extensions"),
    (lambda: kazan(extensions=("101", "101")), "extensions"),
    (lambda: kazan(strategy="random"), "strategy"),
    (lambda: kazan(ring_seconds=1), "ring_seconds"),
    (lambda: kazan(fallback_voicemail="1001", fallback_branch="ufa"), "fallback"),
    (lambda: kazan(fallback_branch="kazan"), "fallback_branch"),
    (lambda: kazan(open_hours=(OpenHours("mon-fri", "09:00", "18:00"),), time_zone="Mars/Olympus"), "time_zone"),
    (lambda: kazan(caller_id="8432000001"), "caller_id"),
    (lambda: OpenHours("weekdays", "09:00", "18:00"), "days"),
    (lambda: OpenHours("mon", "18:00", "09:00"), "hours"),
    (lambda: OpenHours("mon", "9am", "6pm"), "hours"),
    (lambda: Route("+7 843", "kazan", "kzn-telecom"), "did"),
])
def test_wrong_values_are_refused_naming_the_field(make, field):
    with pytest.raises(InvalidInput) as refused:
        make()
    assert field in refused.value.fields


def test_a_plan_refuses_routes_to_missing_branches_numbers_twice_foreign_caller_ids_and_fallback_circles():
    route = Route(KAZAN_NUMBER, "kazan", "kzn-telecom")
    with pytest.raises(InvalidInput) as refused:
        Plan(routes=(route,))
    assert "routes" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        Plan(branches=(kazan(),), routes=(route, Route(KAZAN_NUMBER, "kazan", "other")))
    assert "routes" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        Plan(branches=(kazan(caller_id=UFA_NUMBER),), routes=(route,))
    assert "kazan.caller_id" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        Plan(branches=(kazan(caller_id="", fallback_branch="ufa"),
                       Branch(id="ufa", extensions=("201",), fallback_branch="kazan")))
    assert "kazan -> ufa -> kazan" in refused.value.fields["fallback_branch"]


def test_the_password_is_kept_out_of_the_trunks_printed_form():
    assert "s3cret" not in repr(registration_trunk())
    assert "s3cret" not in repr(kazan_plan())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_pbx(tmp_path) -> AsteriskPbx:
    return AsteriskPbx(config_dir=tmp_path, ami_username="numberdesk", ami_secret="x", ami_port=closed_port(),
                       timeout=1)


def test_files_are_written_private_and_the_missed_reload_is_remembered_when_the_pbx_is_unreachable(tmp_path):
    pbx = unreachable_pbx(tmp_path)
    with pytest.raises(PbxUnreachable):
        apply_plan(pbx, kazan_plan())
    for path, text in render_plan(kazan_plan()).items():
        assert (tmp_path / path).read_text() == text
        assert stat.S_IMODE((tmp_path / path).stat().st_mode) == 0o600
    assert (tmp_path / PENDING_RELOAD_FILE).read_text().split() == ["res_pjsip.so", "pbx_config.so"]
    assert not [p for p in tmp_path.rglob("*.tmp")]
    # The files are there already: the retry has only the reload left, and still cannot do it.
    with pytest.raises(PbxUnreachable):
        apply_plan(pbx, kazan_plan())


def test_a_number_still_routed_by_another_branch_file_is_a_conflict(tmp_path):
    pbx = unreachable_pbx(tmp_path)
    with pytest.raises(PbxUnreachable):
        apply_plan(pbx, kazan_plan())
    moved = Plan(branches=(Branch(id="ufa", extensions=("201",)),), routes=(Route(KAZAN_NUMBER, "ufa", "kzn"),))
    with pytest.raises(Conflict):
        apply_plan(pbx, moved)
    assert not (tmp_path / "extensions.d" / "branch-ufa.conf").exists()


def test_the_pbxs_main_files_get_the_include_lines_once_and_keep_their_own_text(tmp_path):
    (tmp_path / "pjsip.conf").write_text("[transport-udp]\ntype = transport\nprotocol = udp")
    (tmp_path / "pjsip.conf").chmod(0o640)
    pbx = unreachable_pbx(tmp_path)
    assert add_main_includes(pbx) == ("pjsip.conf", "extensions.conf")
    assert add_main_includes(pbx) == ()
    assert (tmp_path / "pjsip.conf").read_text() == (
        "[transport-udp]\ntype = transport\nprotocol = udp\n" + MAIN_INCLUDES["pjsip.conf"] + "\n")
    assert stat.S_IMODE((tmp_path / "pjsip.conf").stat().st_mode) == 0o640
    assert (tmp_path / "extensions.conf").read_text() == MAIN_INCLUDES["extensions.conf"] + "\n"
