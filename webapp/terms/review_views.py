"""The lawyer's review of a request's carrier contract: each flagged clause goes into the protocol or has its risk
accepted; the carrier's history and the other carriers are beside it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from models import DomainError, NotFound, NumberRequest, access, comparison, db, legal_review
from models.choices import Role
from models.lifecycle import LEGAL_REVIEW, _not_own_request

from ..core.access_rules import CONTRACT_READERS, rule
from ..core.labels import domain_text
from .forms import AcceptRiskForm, ButtonForm, ContractUploadForm, ProtocolItemForm
from .views import UPLOADERS, store_upload


def load_request(request_id: int) -> NumberRequest:
    try:
        return access.load_request(current_user, request_id)
    except NotFound:
        abort(404, description=gettext("There is no request %(id)s.", id=request_id))


def may_prepare_protocol(number_request: NumberRequest) -> bool:
    return (number_request.state == LEGAL_REVIEW and current_user.has_role(Role.LAWYER)
            and _not_own_request(number_request, current_user) is None)


def review_page(number_request: NumberRequest, *, upload_form=None, failed=None, status: int = 200):
    """The page; `failed` is (the flag's clause, category, the form that was refused) to show with its errors."""
    review = legal_review.review_of(number_request)
    forms = []
    for flag in review.flags:
        key = (flag.clause_number, flag.flag["category"])
        item_form = risk_form = None
        if flag.open:
            item_form = ProtocolItemForm(formdata=None, clause=flag.clause_number, category=flag.flag["category"],
                                         carrier_wording=flag.clause_text,
                                         our_wording=(flag.remembered.agreed_wording if flag.remembered
                                                      else flag.flag["suggested_wording"]))
            risk_form = AcceptRiskForm(formdata=None, clause=flag.clause_number, category=flag.flag["category"])
            if failed and failed[:2] == key:
                item_form, risk_form = ((failed[2], risk_form) if isinstance(failed[2], ProtocolItemForm)
                                        else (item_form, failed[2]))
        forms.append((flag, item_form, risk_form))
    return render_template("terms/review.html", r=number_request, review=review, flag_forms=forms,
                           drafts=number_request.draft_protocol_items(), button=ButtonForm(),
                           upload_form=upload_form or ContractUploadForm(), may_upload=UPLOADERS.admits(current_user),
                           may_prepare=may_prepare_protocol(number_request),
                           **comparison.for_request(number_request)), status


@rule(CONTRACT_READERS)
def review(request_id: int):
    return review_page(load_request(request_id))


@rule(UPLOADERS)
def upload(request_id: int):
    number_request = load_request(request_id)
    form = ContractUploadForm()
    if form.validate_on_submit() and store_upload(form, number_request.carrier, number_request) is not None:
        return redirect(url_for(".review", request_id=request_id))
    return review_page(number_request, upload_form=form, status=422)


def _refused(number_request: NumberRequest, form, error: DomainError):
    db.session.rollback()
    if error.status in (403, 404, 409):
        flash(domain_text(error.message), "error")
        return redirect(url_for(".review", request_id=number_request.id))
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, domain_text(message)]
    return review_page(number_request, failed=(form.clause.data, form.category.data, form), status=422)


@rule(CONTRACT_READERS)
def add_item(request_id: int):
    number_request = load_request(request_id)
    form = ProtocolItemForm()
    if not form.validate_on_submit():
        return review_page(number_request, failed=(form.clause.data, form.category.data, form), status=422)
    try:
        legal_review.add_to_protocol(current_user, number_request, clause=form.clause.data,
                                     category=form.category.data or "", carrier_wording=form.carrier_wording.data,
                                     our_wording=form.our_wording.data)
        db.session.commit()
    except DomainError as error:
        return _refused(number_request, form, error)
    flash(gettext("Clause %(clause)s is in the protocol. It is sent with “Request changes”.",
                  clause=form.clause.data), "success")
    return redirect(url_for(".review", request_id=request_id))


@rule(CONTRACT_READERS)
def remove_item(request_id: int, item_id: int):
    number_request = load_request(request_id)
    if ButtonForm().validate_on_submit():
        try:
            legal_review.remove_from_protocol(current_user, number_request, item_id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(domain_text(error.message), "error")
    return redirect(url_for(".review", request_id=request_id))


@rule(CONTRACT_READERS)
def accept_risk(request_id: int):
    number_request = load_request(request_id)
    form = AcceptRiskForm()
    if not form.validate_on_submit():
        return review_page(number_request, failed=(form.clause.data, form.category.data, form), status=422)
    try:
        legal_review.accept_risk(current_user, number_request, clause=form.clause.data or "",
                                 category=form.category.data or "", reason=form.reason.data)
        db.session.commit()
    except DomainError as error:
        return _refused(number_request, form, error)
    flash(gettext("The risk of clause %(clause)s is accepted.", clause=form.clause.data), "success")
    return redirect(url_for(".review", request_id=request_id))
