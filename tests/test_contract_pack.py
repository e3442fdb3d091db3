"""The whole contract pack, rendered from the demo's own records in English and in Russian."""
import io
from datetime import date

import docx
import pytest

from lifecycle_helpers import payload_for, request_in
from models import NumberRequest, db
from models.lifecycle import STATES, apply_action
from workflows import steps
from workflows.documents import build_context, store_document

CLAUSES = [{"clause": "4.2", "carrier_wording": "Prices change at any time", "our_wording": "60 days' notice"}]


def text_of(content: bytes) -> str:
    parsed = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in parsed.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in parsed.paragraphs] + cells)


def complete_request(people, catalog, city, carrier, pbx="Office Asterisk", clauses=CLAUSES) -> NumberRequest:
    """A request that has everything any document can show: a protocol in two rounds, numbers and a trunk."""
    request = request_in("legal_review", people, catalog, city=city, carrier=carrier, pbx=pbx, quantity=2)
    apply_action(request, "request_changes", people["lawyer"], {"comment": "Risky", "items": clauses})
    db.session.commit()
    steps.STEPS["draft_protocol"](request.id)
    db.session.refresh(request)
    # The carrier counters the first item with its own wording; the lawyer answers it in a second round.
    first, *rest = request.protocol_round()
    apply_action(request, "carrier_response", people["lawyer"], {"answers": [
        {"item_id": first.id, "answer": "counter", "wording": first.carrier_wording},
        *({"item_id": item.id, "answer": "accepted"} for item in rest)]})
    apply_action(request, "answer_counter_proposals", people["lawyer"], {"answers": [
        {"item_id": first.id, "decision": "propose", "wording": first.our_wording}]})
    db.session.commit()
    for who, action in (("lawyer", "carrier_response"), ("lawyer", "approve_contracts"),
                        ("lawyer", "record_signature"), ("sysadmin", "confirm_order")):
        db.session.refresh(request)
        step = STATES[request.state].machine_step
        if step:
            steps.STEPS[step](request.id)
            db.session.refresh(request)
        apply_action(request, action, people[who], payload_for(action, request))
        db.session.commit()
    return request


@pytest.mark.parametrize("city,carrier,language", [("St Petersburg", "Nordtel", "en"),
                                                   ("Kazan", "VolgaLink", "ru")])
@pytest.mark.parametrize("kind", ["service_contract", "tariff_appendix", "supplementary_agreement",
                                  "tripartite_agreement", "disagreement_protocol", "order_letter", "pbx_sheet"])
def test_every_kind_renders_from_the_demo_records(people, catalog, city, carrier, language, kind):
    request = complete_request(people, catalog, city, carrier)
    context = build_context(request, date.today())
    assert context["language"] == language
    document = store_document(request, kind, context, "test")
    text = text_of(document.content)
    assert request.reference in text
    assert context["carrier"]["legal_name"] in text or kind == "pbx_sheet"
    if kind in ("service_contract", "tariff_appendix", "tripartite_agreement", "order_letter"):
        assert context["company"]["legal_name"] in text
    if kind in ("supplementary_agreement", "tripartite_agreement", "pbx_sheet"):
        assert all(number.e164 in text for number in request.numbers) and len(request.numbers) == 2
    if kind == "tariff_appendix":
        for rate in context["tariff"]["rates"]:
            assert rate["destination"] in text and rate["price_text"] in text
        if language == "ru":
            assert context["tariff"]["monthly_fee_words"] in text
    if kind == "disagreement_protocol":
        assert all(CLAUSES[0][field] in text for field in ("carrier_wording", "our_wording"))
    if kind == "tripartite_agreement":
        assert context["pbx"]["vendor"] in text  # in the document's language
