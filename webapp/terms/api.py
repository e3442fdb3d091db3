"""Carriers' contracts and the clause check over the JSON API."""
from flask import g, url_for

from models import Carrier, CarrierContract, NotFound, access, carrier_terms, db
from models.terms import analyse_clause

from ..api import inputs, schemas
from ..api.operations import Header, Reply, body, form, operation, page_of, page_reply
from ..core.access_rules import CONTRACT_READERS, roles, rule


def contract_summary(contract: CarrierContract) -> dict:
    return {"id": contract.id, "carrier_id": contract.carrier_id, "version": contract.version,
            "request_id": contract.request_id, "filename": contract.filename, "language": contract.language,
            "flag_count": contract.flag_count, "uploaded_at": contract.uploaded_at}


def contract_data(contract: CarrierContract) -> dict:
    return {**contract_summary(contract), "kind": contract.kind, "playbook_version": contract.playbook_version,
            "uploaded_by": contract.uploaded_by,
            "clauses": [{"number": clause.number, "heading": clause.heading, "text": clause.text,
                         "flags": clause.flags} for clause in contract.clauses]}


def _carrier(carrier_id: int) -> Carrier:
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(f"there is no carrier {carrier_id}")
    return carrier


@rule(CONTRACT_READERS)
@operation("Check a clause against the playbook in force", body=inputs.ClauseText,
           replies=[Reply(200, "The language and every risk found", schemas.ClauseCheck)])
def check_clause():
    asked = body()
    _, playbook = carrier_terms.current_playbook()
    analysis = analyse_clause(asked.text, asked.language, playbook)
    return {"language": analysis.language, "flags": [flag.to_data() for flag in analysis.flags]}


@rule(roles(*access.CONTRACT_UPLOADERS))
@operation("Add a version of the carrier's standard terms: read, split into clauses and checked",
           form=inputs.ContractUpload,
           description="A scanned PDF without text, an empty or oversized file, a macro document or a file that is "
                       "not what its name says is refused with 422 and nothing is kept.",
           replies=[Reply(201, "The new version with its clauses and flags; Location is where to read it",
                          schemas.CarrierContract, headers=(
                              Header("Location", "Where to read the version", {"type": "string"}),))])
def add_contract(carrier_id: int):
    carrier = _carrier(carrier_id)
    upload = form().file
    added = carrier_terms.add_contract(g.api_user, carrier, upload.filename,
                                       upload.read(carrier_terms.MAX_UPLOAD_BYTES + 1))
    db.session.commit()
    location = url_for("api.carrier_contract", carrier_id=carrier.id, version=added.version)
    return contract_data(added), 201, {"Location": location}


@rule(CONTRACT_READERS)
@operation("The carrier's contracts, newest first", query=inputs.Paging,
           replies=[page_reply(schemas.ContractSummary, "One page of the carrier's contracts")])
def contracts(carrier_id: int):
    carrier = _carrier(carrier_id)
    return page_of(access.visible_contracts(g.api_user, db.select(CarrierContract).where(
        CarrierContract.carrier_id == carrier.id).order_by(CarrierContract.version.desc())), contract_summary)


@rule(CONTRACT_READERS)
@operation("One version of the carrier's contract with its clauses and flags",
           replies=[Reply(200, "The version", schemas.CarrierContract)])
def contract(carrier_id: int, version: int):
    return contract_data(access.load_carrier_contract(g.api_user, carrier_id, version))
