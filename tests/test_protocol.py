"""The protocol of disagreements item by item: rounds, the carrier's answers, counter-proposals, refusals, another
carrier, a project lead's acceptance, and what each carrier accepted before."""
import pytest

from lifecycle_helpers import MAIN_PATH, request_in, walk
from models import AcceptedRisk, Conflict, Forbidden, InvalidInput, db, legal_review, protocol
from models.lifecycle import (CARRIER_REFUSED, CHANGES_REQUESTED, COUNTER_PROPOSED, DRAFTING_PROTOCOL, LEGAL_REVIEW,
                              REDRAFTING, REJECTED, RISK_ACCEPTANCE, apply_action)
from models.choices import DocumentKind
from workflows import steps

PRICES = {"clause": "4.2", "carrier_wording": "Prices may change at any time.",
          "our_wording": "Prices change only on 30 days' written notice."}
INVOICES = {"clause": "5.1", "carrier_wording": "Invoices are accepted unless disputed within 3 days.",
            "our_wording": "Invoices may be disputed within 10 business days."}
PENALTY = {"clause": "7.3", "carrier_wording": "A penalty of 3% per day.",
           "our_wording": "A penalty of 0.1% per day, at most 10% in total."}


def in_review(people, catalog, **kwargs):
    return request_in(LEGAL_REVIEW, people, catalog, **kwargs)


def send(request, people, *items, must_have=("7.3",)):
    """Puts the items in the draft protocol (7.3 as a must-have penalty clause) and sends the round."""
    for item in items:
        category = {"4.2": "price_change", "5.1": "deemed_acceptance", "7.3": "daily_penalty"}.get(item["clause"], "")
        legal_review.add_to_protocol(people["lawyer"], request, category=category, **item)
    apply_action(request, "request_changes", people["lawyer"], {"comment": "The carrier's terms are risky"})
    steps.STEPS["draft_protocol"](request.id)
    db.session.commit()
    db.session.refresh(request)
    return {item.clause: item for item in request.protocol_round()}


def answer(request, people, answers, **extra):
    payload = {"answers": [{"item_id": item.id, "answer": what, **({"wording": wording} if wording else {})}
                           for item, what, wording in answers], **extra}
    apply_action(request, "carrier_response", people["lawyer"], payload)
    db.session.commit()


def test_each_item_gets_its_own_answer(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES, INVOICES, PENALTY)
    assert request.state == CHANGES_REQUESTED
    assert [item.round for item in items.values()] == [1, 1, 1]
    assert items["7.3"].must_have and items["4.2"].must_have and items["4.2"].category == "price_change"
    answer(request, people, [(items["4.2"], "accepted", ""), (items["5.1"], "accepted", ""),
                             (items["7.3"], "counter", "A penalty of 0.2% per day, at most 15%.")])
    assert request.state == COUNTER_PROPOSED
    assert items["4.2"].agreed_wording == PRICES["our_wording"] and items["4.2"].answered_at is not None
    assert items["7.3"].counter_wording == "A penalty of 0.2% per day, at most 15%." and not items["7.3"].settled


def test_a_rejected_must_have_item_stops_the_deal(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES, PENALTY)
    answer(request, people, [(items["4.2"], "accepted", ""), (items["7.3"], "rejected", "")])
    assert request.state == CARRIER_REFUSED
    assert items["7.3"].answer == "rejected" and not items["7.3"].settled


def test_a_rejected_item_that_is_not_a_must_have_keeps_the_carriers_wording(people, catalog):
    request = in_review(people, catalog)
    legal_review.add_to_protocol(people["lawyer"], request, clause="9.9", carrier_wording="Notices by fax.",
                                 our_wording="Notices by e-mail.")
    items = send(request, people, PRICES)
    answer(request, people, [(items["4.2"], "accepted", ""), (items["9.9"], "rejected", "")])
    assert request.state == REDRAFTING
    assert items["9.9"].agreed_wording == "Notices by fax." and not items["9.9"].must_have


def test_a_counter_proposal_goes_to_the_next_round_or_is_taken(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES, PENALTY)
    answer(request, people, [(items["4.2"], "counter", "Prices change on 20 days' notice."),
                             (items["7.3"], "counter", "A penalty of 0.1% per day, at most 20%.")])
    apply_action(request, "answer_counter_proposals", people["lawyer"], {"answers": [
        {"item_id": items["4.2"].id, "decision": "propose", "wording": "Prices change on 25 days' notice."},
        {"item_id": items["7.3"].id, "decision": "accept"}]})
    db.session.commit()
    assert request.state == DRAFTING_PROTOCOL
    assert items["7.3"].agreed_wording == "A penalty of 0.1% per day, at most 20%."
    steps.STEPS["draft_protocol"](request.id)
    db.session.refresh(request)
    [second] = request.protocol_round()
    assert (second.round, second.clause, second.carrier_wording, second.our_wording) == (
        2, "4.2", "Prices change on 20 days' notice.", "Prices change on 25 days' notice.")
    answer(request, people, [(second, "accepted", "")])
    assert request.state == REDRAFTING
    assert [number for number, _ in request.protocol_rounds()] == [1, 2]
    # The protocol document shows the earlier round and the carrier's answers.
    steps.STEPS["draft_contracts"](request.id)
    db.session.refresh(request)
    protocol_document = [d for d in request.documents if d.kind == DocumentKind.DISAGREEMENT_PROTOCOL][-1]
    text = protocol_document_text(protocol_document)
    assert "Prices change on 20 days' notice." in text and "Prices change on 25 days' notice." in text


def protocol_document_text(document) -> str:
    import io

    from docx import Document
    parsed = Document(io.BytesIO(document.content))
    cells = [cell.text for table in parsed.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in parsed.paragraphs] + cells)


@pytest.mark.parametrize("payload,field", [
    ({"answers": []}, "answers"),
    ({"answers": [{"item_id": 999999, "answer": "accepted"}]}, "answers[0].item_id"),
    ({"answers": "yes"}, "answers"),
])
def test_every_item_must_be_answered(payload, field, people, catalog):
    request = in_review(people, catalog)
    send(request, people, PRICES)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "carrier_response", people["lawyer"], payload)
    assert field in refused.value.fields


def test_a_counter_proposal_needs_the_carriers_wording(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES)
    with pytest.raises(InvalidInput) as refused:
        answer(request, people, [(items["4.2"], "counter", "")])
    assert "answers[0].wording" in refused.value.fields
    db.session.rollback()


def test_a_refused_protocol_goes_to_a_project_lead_who_accepts_the_carriers_terms(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES, PENALTY)
    apply_action(request, "carrier_response", people["lawyer"], {"refused": True, "comment": "They refuse"})
    assert request.state == CARRIER_REFUSED
    apply_action(request, "escalate_risk", people["lawyer"], {"comment": "No other carrier in time"})
    assert request.state == RISK_ACCEPTANCE
    apply_action(request, "accept_risk", people["approver"], {"comment": "The branch opens next week"})
    db.session.commit()
    assert request.state == REDRAFTING
    assert items["7.3"].agreed_wording == PENALTY["carrier_wording"]
    risks = db.session.scalars(db.select(AcceptedRisk).where(AcceptedRisk.request_id == request.id)).all()
    assert {(risk.clause, risk.category, risk.accepted_by) for risk in risks} == {
        ("4.2", "price_change", people["approver"].email), ("7.3", "daily_penalty", people["approver"].email)}


def test_whoever_asked_for_acceptance_does_not_accept(people, catalog):
    request = in_review(people, catalog)
    send(request, people, PRICES)
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": False})
    lawyer = people["lawyer"]
    lawyer.roles = [*lawyer.roles, "approver"]
    apply_action(request, "escalate_risk", lawyer, {"comment": "Please decide"})
    with pytest.raises(Forbidden):
        apply_action(request, "accept_risk", lawyer, {"comment": "Fine"})
    db.session.rollback()


def test_the_lawyer_switches_to_another_carrier_of_the_city(people, catalog):
    request = in_review(people, catalog, city="Samara")
    send(request, people, PRICES)
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": False})
    nordtel = catalog["carrier"]("Nordtel")  # serves Moscow and St Petersburg only
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "switch_carrier", people["lawyer"], {"carrier_id": nordtel.id, "comment": "Try"})
    assert "carrier_id" in refused.value.fields
    volga = catalog["carrier"]("VolgaLink")
    apply_action(request, "switch_carrier", people["lawyer"], {"carrier_id": volga.id, "comment": "They serve Samara"})
    db.session.commit()
    assert (request.state, request.carrier_id) == (REDRAFTING, volga.id)
    assert request.protocol_items() == [] and DocumentKind.DISAGREEMENT_PROTOCOL not in request.contract_kinds()
    assert protocol.refusals(catalog["carrier"]("TransTelecom Direct").id)


def test_the_lawyer_may_reject_after_a_refusal(people, catalog):
    request = in_review(people, catalog)
    send(request, people, PRICES)
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": False})
    apply_action(request, "reject", people["lawyer"], {"comment": "No carrier will do"})
    assert request.state == REJECTED


def test_preparing_the_protocol_is_for_the_lawyer_in_legal_review(people, catalog):
    request = in_review(people, catalog)
    with pytest.raises(Forbidden):
        legal_review.add_to_protocol(people["approver"], request, **PRICES)
    item = legal_review.add_to_protocol(people["lawyer"], request, category="price_change", **PRICES)
    with pytest.raises(Conflict):
        legal_review.add_to_protocol(people["lawyer"], request, category="price_change", **PRICES)
    with pytest.raises(InvalidInput) as refused:
        legal_review.add_to_protocol(people["lawyer"], request, clause="1", carrier_wording=" ", our_wording="x")
    assert set(refused.value.fields) == {"carrier_wording"}
    legal_review.remove_from_protocol(people["lawyer"], request, item.id)
    assert request.draft_protocol_items() == []
    with pytest.raises(InvalidInput):
        legal_review.accept_risk(people["lawyer"], request, clause="4.2", category="price_change", reason="  ")
    legal_review.accept_risk(people["lawyer"], request, clause="4.2", category="price_change", reason="Fixed tariff")
    db.session.commit()
    assert [e.action for e in request.events][-3:] == ["add_to_protocol", "remove_from_protocol",
                                                       "accept_clause_risk"]
    walk(request, [("lawyer", "approve_contracts")], people)
    with pytest.raises(Conflict):
        legal_review.add_to_protocol(people["lawyer"], request, **PRICES)


def test_what_a_carrier_accepted_is_remembered(people, catalog):
    request = in_review(people, catalog)
    items = send(request, people, PRICES, PENALTY)
    answer(request, people, [(items["4.2"], "accepted", ""), (items["7.3"], "counter", "0.1% a day, at most 12%.")])
    apply_action(request, "answer_counter_proposals", people["lawyer"],
                 {"answers": [{"item_id": items["7.3"].id, "decision": "accept"}]})
    db.session.commit()
    carrier_id = request.carrier_id
    remembered = protocol.accepted_wordings(carrier_id)
    assert remembered["price_change"].agreed_wording == PRICES["our_wording"]
    assert remembered["daily_penalty"].agreed_wording == "0.1% a day, at most 12%."
    assert {item.agreed_wording for item in protocol.clause_library("daily_penalty")} >= {"0.1% a day, at most 12%."}


def test_the_main_path_still_needs_no_protocol(people, catalog):
    request = walk(request_in("draft", people, catalog), MAIN_PATH, people)
    assert request.state == "active" and request.protocol_items() == []
