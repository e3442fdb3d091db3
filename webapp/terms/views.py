"""Carriers' contracts as they sent them: upload, clauses with their risk flags, the carrier's record kept in step
with its text; and the clause library of wordings carriers accepted."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from models import Carrier, CarrierContract, DomainError, NotFound, access, carrier_terms, db, protocol

from ..core.access_rules import CONTRACT_READERS, roles, rule
from ..core.labels import CATEGORY_LABELS, domain_text
from .forms import ButtonForm, ContractUploadForm

UPLOADERS = roles(*access.CONTRACT_UPLOADERS)


def load_carrier(carrier_id: int) -> Carrier:
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        abort(404, description=gettext("There is no carrier %(id)s.", id=carrier_id))
    return carrier


def load_contract(carrier_id: int, version: int) -> CarrierContract:
    try:
        return access.load_carrier_contract(current_user, carrier_id, version)
    except NotFound:
        abort(404, description=gettext("There is no such version of the carrier's contract."))


def store_upload(form: ContractUploadForm, carrier: Carrier, number_request=None) -> CarrierContract | None:
    """Adds the uploaded contract; on a refusal the form says why and nothing is kept."""
    storage = form.file.data
    try:
        added = carrier_terms.add_contract(current_user, carrier, storage.filename,
                                           storage.read(carrier_terms.MAX_UPLOAD_BYTES + 1), number_request)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        reasons = [domain_text(message) for message in error.fields.values()] or [domain_text(error.message)]
        form.file.errors = [*form.file.errors, *reasons]
        return None
    flash(gettext("Version %(version)s read: %(clauses)s clauses, %(flags)s risk flags.", version=added.version,
                  clauses=len(added.clauses), flags=added.flag_count), "success")
    return added


def contracts_page(carrier: Carrier, form: ContractUploadForm, status: int = 200):
    versions = db.session.scalars(access.visible_contracts(current_user, db.select(CarrierContract).where(
        CarrierContract.carrier_id == carrier.id).order_by(CarrierContract.version.desc()))).all()
    return render_template("terms/contracts.html", carrier=carrier, versions=versions, form=form,
                           history=protocol.carrier_history(carrier.id),
                           may_upload=UPLOADERS.admits(current_user)), status


@rule(CONTRACT_READERS)
def carriers():
    listed = db.session.scalars(db.select(Carrier).order_by(Carrier.name)).all()
    return render_template("terms/carriers.html", carriers=[
        (carrier, carrier_terms.standard_terms(carrier.id)) for carrier in listed])


@rule(CONTRACT_READERS)
def contracts(carrier_id: int):
    return contracts_page(load_carrier(carrier_id), ContractUploadForm())


@rule(UPLOADERS)
def upload(carrier_id: int):
    carrier = load_carrier(carrier_id)
    form = ContractUploadForm()
    if form.validate_on_submit():
        added = store_upload(form, carrier)
        if added is not None:
            return redirect(url_for(".contract", carrier_id=carrier.id, version=added.version))
    return contracts_page(carrier, form, 422)


@rule(CONTRACT_READERS)
def contract(carrier_id: int, version: int):
    shown = load_contract(carrier_id, version)
    current_version, _ = carrier_terms.current_playbook()
    return render_template("terms/contract.html", contract=shown, carrier=shown.carrier, button=ButtonForm(),
                           playbook_version=current_version, changes=shown.record_changes(),
                           stated=shown.stated_terms(), may_upload=UPLOADERS.admits(current_user),
                           may_confirm=current_user.has_role(*carrier_terms.PLAYBOOK_EDITORS))


@rule(UPLOADERS)
def recheck(carrier_id: int, version: int):
    shown = load_contract(carrier_id, version)
    if ButtonForm().validate_on_submit():
        carrier_terms.recheck(current_user, shown)
        db.session.commit()
        flash(gettext("Checked again against the playbook in force: %(flags)s risk flags.",
                      flags=shown.flag_count), "success")
    return redirect(url_for(".contract", carrier_id=carrier_id, version=version))


@rule(roles(*carrier_terms.PLAYBOOK_EDITORS))
def confirm_terms(carrier_id: int, version: int):
    shown = load_contract(carrier_id, version)
    if ButtonForm().validate_on_submit():
        changes = carrier_terms.confirm_terms(current_user, shown)
        db.session.commit()
        flash(gettext("The carrier's record now follows its contract (%(count)s fields changed).",
                      count=len(changes)), "success")
    return redirect(url_for(".contract", carrier_id=carrier_id, version=version))


@rule(CONTRACT_READERS)
def library():
    category = request.args.get("category", "")
    if category not in CATEGORY_LABELS:
        category = ""
    items = protocol.clause_library(category or None)
    return render_template("terms/library.html", items=items, category=category, categories=CATEGORY_LABELS)
