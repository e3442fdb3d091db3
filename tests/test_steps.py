"""Machine steps: they make what the request needs, once, however often they run."""
import io
from datetime import timedelta

import docx
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from conftest import login
from contract_templates import validation
from contract_templates.validation import validate_template
from lifecycle_helpers import new_request, request_in, walk
from models import CarrierOrder, Document, NumberRequest, TemplateVersion, db
from models.lifecycle import APPROVED, LEGAL_REVIEW, apply_action
from workflows import dispatch, steps


def kinds(request) -> list[tuple[str, int]]:
    return sorted((d.kind, d.version) for d in request.documents)


def text_of(document: Document) -> str:
    parsed = docx.Document(io.BytesIO(document.content))
    cells = [cell.text for table in parsed.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in parsed.paragraphs] + cells)


def approved(people, catalog, **kwargs) -> NumberRequest:
    request = new_request(people, catalog, **kwargs)
    apply_action(request, "submit", people["requester"])
    apply_action(request, "approve", people["approver"])
    db.session.commit()
    return request


def test_drafting_twice_makes_one_set_of_contracts(people, catalog):
    request = approved(people, catalog, city="Ufa", carrier="VolgaLink")
    assert steps.draft_contracts(request.id).endswith("contracts_drafted")
    first = kinds(request)
    assert "nothing to do" in steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert kinds(request) == first == [("service_contract", 1), ("supplementary_agreement", 1),
                                       ("tariff_appendix", 1)]
    assert request.state == LEGAL_REVIEW
    assert [e.action for e in request.events].count("contracts_drafted") == 1


def test_a_carrier_with_a_signed_contract_needs_only_the_supplementary_agreement(people, catalog):
    # The demo already signed a service contract with TransTelecom Direct.
    request = walk(approved(people, catalog), [("step", "draft_contracts")], people)
    assert kinds(request) == [("supplementary_agreement", 1)]


def test_a_reselling_pbx_vendor_gets_a_tripartite_agreement_instead(people, catalog):
    request = walk(approved(people, catalog, pbx="CloudPBX Pro"), [("step", "draft_contracts")], people)
    assert kinds(request) == [("tripartite_agreement", 1)]
    assert "ООО «КлаудАТС»" in text_of(request.documents[0])  # the vendor, named in the carrier's language


def test_documents_carry_the_parties_and_a_checksum(people, catalog):
    request = walk(approved(people, catalog, city="Ufa", carrier="VolgaLink"), [("step", "draft_contracts")],
                   people)
    contract = next(d for d in request.documents if d.kind == "service_contract")
    assert "ВолгаЛинк Региональный Телеком" in text_of(contract)
    assert contract.filename == f"{request.reference}-service_contract-v1.docx"
    import hashlib
    assert contract.sha256 == hashlib.sha256(contract.content).hexdigest()
    assert contract.created_by == "workflow:draft_contracts" and contract.template_version


def test_a_redraft_adds_new_versions_and_keeps_the_old(people, catalog):
    request = request_in("changes_requested", people, catalog, city="Ufa", carrier="VolgaLink")
    old = {d.id: d.sha256 for d in request.documents}
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": True})
    db.session.commit()
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert request.state == LEGAL_REVIEW
    # VolgaLink agreed wordings for Ufa before, so the protocol started from them and is redrafted too.
    assert kinds(request) == [("disagreement_protocol", 1), ("disagreement_protocol", 2), ("service_contract", 1),
                              ("service_contract", 2), ("supplementary_agreement", 1), ("supplementary_agreement", 2),
                              ("tariff_appendix", 1), ("tariff_appendix", 2)]
    assert {d.id: d.sha256 for d in request.documents if d.id in old} == old


def test_placing_the_order_twice_orders_once(people, catalog):
    request = request_in("legal_approved", people, catalog)
    apply_action(request, "record_signature", people["lawyer"], {"signed_on": "2026-01-15"})
    db.session.commit()
    steps.place_carrier_order(request.id)
    steps.place_carrier_order(request.id)
    db.session.refresh(request)
    orders = db.session.scalars(db.select(CarrierOrder).filter_by(request_id=request.id)).all()
    assert len(orders) == 1 and orders[0].idempotency_key == f"numberdesk-order-{request.id}"
    assert [d.kind for d in request.documents].count("order_letter") == 1
    assert request.state == "ordered"


def test_attaching_twice_makes_one_configuration_sheet(people, catalog):
    request = request_in("attaching", people, catalog)
    steps.attach_to_pbx(request.id)
    db.session.refresh(request)
    sheets = [d for d in request.documents if d.kind == "pbx_sheet"]
    assert len(sheets) == 1
    sheet = text_of(sheets[0])
    assert request.numbers[0].e164 in sheet and request.department.ring_group in sheet


def test_a_step_for_a_request_that_moved_on_does_nothing(people, catalog):
    request = request_in("verifying", people, catalog)
    for step in steps.STEPS.values():
        assert "nothing to do" in step(request.id)
    assert "nothing to do" in steps.draft_contracts(999_999)


def test_a_request_left_in_a_machine_state_is_redriven_by_the_sweeper(people, catalog, monkeypatch):
    request = approved(people, catalog)
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # not called: nothing fails
        dispatch.dispatch(request)
    db.session.refresh(request)
    assert request.state == APPROVED and request.dispatch_pending
    request.state_changed_at -= timedelta(minutes=5)  # its step never came
    db.session.commit()
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    assert dispatch.sweep_stuck_requests() == [request.id]
    db.session.refresh(request)
    assert request.state == LEGAL_REVIEW and not request.dispatch_pending
    assert request.dispatch_attempts == 0  # the re-drive worked: the new state's step starts its own count


def test_the_sweeper_leaves_fresh_and_human_requests_alone(people, catalog):
    approved(people, catalog)  # just approved, dispatch not yet overdue
    request_in("submitted", people, catalog)
    assert dispatch.sweep_stuck_requests() == []


@pytest.mark.parametrize("step", sorted(steps.STEPS))
def test_every_machine_step_has_a_flow(step):
    from workflows.flows import STEP_FLOWS
    assert STEP_FLOWS[step].name == dispatch.FLOW_NAMES[step]


CLAUSES = [
    {"clause": "4.2", "carrier_wording": "Prices may change at any time & without notice.",
     "our_wording": "Prices may change with 60 days' written notice."},
    {"clause": "7.1", "carrier_wording": "A penalty of 3% per day applies.",
     "our_wording": "Penalties are capped at one month's fees."},
]


def test_requesting_changes_drafts_a_protocol_and_the_answer_settles_it(people, catalog):
    request = request_in(LEGAL_REVIEW, people, catalog, city="Samara", carrier="TransTelecom Direct")
    apply_action(request, "request_changes", people["lawyer"], {"comment": "Risky terms", "items": CLAUSES})
    db.session.commit()
    assert request.state == "drafting_protocol"
    steps.draft_protocol(request.id)
    steps.draft_protocol(request.id)
    db.session.refresh(request)
    assert request.state == "changes_requested"
    protocols = [d for d in request.documents if d.kind == "disagreement_protocol"]
    assert len(protocols) == 1
    text = text_of(protocols[0])
    for clause in CLAUSES:
        assert clause["carrier_wording"] in text and clause["our_wording"] in text

    first, second = request.protocol_round()
    apply_action(request, "carrier_response", people["lawyer"], {"answers": [
        {"item_id": first.id, "answer": "counter", "wording": "Prices may change with 45 days' notice."},
        {"item_id": second.id, "answer": "accepted"}]})
    apply_action(request, "answer_counter_proposals", people["lawyer"],
                 {"answers": [{"item_id": first.id, "decision": "accept"}]})
    db.session.commit()
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert [i.agreed_wording for i in request.protocol_round()] == [
        "Prices may change with 45 days' notice.", CLAUSES[1]["our_wording"]]
    latest = {d.kind: d for d in request.latest_documents()}
    assert latest["disagreement_protocol"].version == 2
    assert "Prices may change with 45 days' notice." in text_of(latest["disagreement_protocol"])
    assert latest["supplementary_agreement"].version == 2


def test_a_second_round_of_changes_keeps_the_first(people, catalog):
    request = request_in("changes_requested", people, catalog)
    assert request.disagreements == [] and not any(d.kind == "disagreement_protocol" for d in request.documents)
    walk(request, [("lawyer", "carrier_response"), ("step", "draft_contracts")], people)
    apply_action(request, "request_changes", people["lawyer"], {"comment": "Again", "items": CLAUSES[:1]})
    db.session.commit()
    steps.draft_protocol(request.id)
    db.session.refresh(request)
    assert [(i.round, i.clause) for i in request.disagreements] == [(1, "4.2")]


# --- an uploaded template that fails on real data ---------------------------------------------------

def template(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


GOOD = template("Supplementary agreement {{ request.reference }} with {{ carrier.legal_name }}")
# The sample request asks for 2 numbers, so the upload's test render never reaches the bomb; a real
# request for 3 does.
# Real data first, so that Jinja cannot fold the product into a constant while compiling.
MEMORY_BOMB = template("Agreement {{ request.reference }}",
                       "{% if request.quantity > 2 %}{{ request.purpose * 10000 * 10000 * 100 }}{% endif %}")
ENDLESS = template("Agreement {{ request.reference }}",
                   "{% if request.quantity > 2 %}{% for i in range(10000) %}{% for j in range(10000) %}"
                   "{% for k in range(10000) %}{% endfor %}{% endfor %}{% endfor %}{% endif %}")


def upload(kind: str, language: str, content: bytes, people) -> TemplateVersion:
    # It passes the upload's checks: only real data makes it fail.
    assert validate_template(kind, language, content, f"{kind}.docx") == []
    version = TemplateVersion.add(kind, language, content, f"{kind}.docx", people["admin"])
    db.session.commit()
    return version


@pytest.mark.parametrize("bomb, cpu_seconds, reason", [
    (MEMORY_BOMB, validation.RENDER_CPU_SECONDS, "rendering used too much memory (more than 1024 MB)"),
    (ENDLESS, 3, "rendering took too long (stopped after 3 s)"),
])
def test_a_template_that_explodes_on_real_data_fails_its_step_cleanly(people, catalog, client, monkeypatch,
                                                                      bomb, cpu_seconds, reason):
    # TransTelecom Direct's service contract is signed: only the supplementary agreement is drafted.
    request = approved(people, catalog, quantity=3)
    language = request.carrier.language
    bad = upload("supplementary_agreement", language, bomb, people)
    # A shorter limit for the real render only: the upload's own check keeps the usual one, so that a busy
    # machine's slow start of the checking process is not taken for the template's fault.
    monkeypatch.setattr(validation, "RENDER_CPU_SECONDS", cpu_seconds)
    version = request.version

    result = steps.draft_contracts(request.id)  # returns: the worker process carries on

    db.session.refresh(request)
    expected = f"the supplementary agreement could not be made: {reason} (uploaded template {bad.label})"
    assert result == f"request {request.id}: {expected}"
    assert request.step_error == expected
    assert request.state == APPROVED and request.version == version and request.documents == []
    assert "contracts_drafted" not in [e.action for e in request.events]

    login(client, "branches")  # who asked for it
    assert expected in client.get(f"/requests/{request.id}").text
    client.post("/logout")
    login(client, "admin")
    admin_page = client.get("/admin/").text
    assert expected in admin_page and f'href="/requests/{request.id}"' in admin_page


def test_a_corrected_template_lets_the_sweeper_finish_the_step_and_clears_the_error(
        people, catalog, client, monkeypatch):
    request = approved(people, catalog, quantity=3)
    language = request.carrier.language
    upload("supplementary_agreement", language, MEMORY_BOMB, people)
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert "could not be made" in request.step_error and request.state == APPROVED

    good = upload("supplementary_agreement", language, GOOD, people)
    request.state_changed_at -= timedelta(minutes=5)  # long enough for the sweeper to count it as stuck
    db.session.commit()
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    assert dispatch.sweep_stuck_requests() == [request.id]

    db.session.refresh(request)
    assert request.state == LEGAL_REVIEW and request.step_error == ""
    [agreement] = request.documents
    assert agreement.template_version == good.label and request.reference in text_of(agreement)
    login(client, "admin")
    assert "could not be made" not in client.get("/admin/").text
    assert "could not be made" not in client.get(f"/requests/{request.id}").text


def test_a_rendered_document_may_not_carry_what_uploads_may_not(people, catalog):
    # Jinja can write markup the upload check never saw: the document it makes is checked too.
    field = ("{% if request.quantity > 2 %}"
             "{{ '<w:r><w:fldSimple w:instr=\"DDEAUTO c:\\\\windows\\\\calc.exe\"/></w:r>' | safe }}{% endif %}")
    request = approved(people, catalog, quantity=3)
    upload("supplementary_agreement", request.carrier.language, template("Agreement", field), people)
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert request.state == APPROVED
    assert "could not be made: rendering failed: the document it made contains a DDEAUTO field code" \
        in request.step_error
