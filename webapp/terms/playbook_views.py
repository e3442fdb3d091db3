"""The playbook: what the company accepts in a carrier's contract, edited by lawyers, every version kept."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from models import DomainError, PlaybookVersion, carrier_terms, db
from models.terms.playbook import LANGUAGES

from ..core.access_rules import CONTRACT_READERS, roles, rule
from ..core.labels import domain_text
from .forms import PlaybookForm

TEXTS = ("explanation", "suggested_wording")


def playbook_page(form: PlaybookForm, values: dict, errors: dict | None = None, status: int = 200):
    version, _ = carrier_terms.current_playbook()
    versions = db.session.scalars(db.select(PlaybookVersion).order_by(PlaybookVersion.version.desc())).all()
    return render_template("terms/playbook.html", form=form, values=values, errors=errors or {}, version=version,
                           versions=versions, languages=LANGUAGES,
                           may_edit=current_user.has_role(*carrier_terms.PLAYBOOK_EDITORS)), status


@rule(CONTRACT_READERS)
def playbook():
    _, current = carrier_terms.current_playbook()
    return playbook_page(PlaybookForm(), current.to_data())


def posted_playbook(form, current: dict) -> dict:
    """The playbook as the page posted it, shaped like Playbook.to_data(); the domain checks the values."""
    data = {}
    for category, rule_values in current.items():
        posted = {}
        for name, value in rule_values.items():
            key = f"{category}.{name}"
            if name in TEXTS:
                posted[name] = {language: form.get(f"{key}.{language}", "") for language in LANGUAGES}
            elif isinstance(value, bool):
                posted[name] = key in form
            elif isinstance(value, int):
                text = form.get(key, "").strip()
                posted[name] = int(text) if text.lstrip("-").isdigit() else text
            else:
                posted[name] = form.get(key, "").strip().replace(",", ".")
        data[category] = posted
    return data


@rule(roles(*carrier_terms.PLAYBOOK_EDITORS))
def save():
    form = PlaybookForm()
    _, current = carrier_terms.current_playbook()
    values = posted_playbook(request.form, current.to_data())
    if not form.validate_on_submit():
        return playbook_page(form, values, status=422)
    try:
        saved = carrier_terms.save_playbook(current_user, values, form.comment.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return playbook_page(form, values, {key: domain_text(message) for key, message in error.fields.items()}, 422)
    flash(gettext("Playbook version %(version)s is in force. Contracts checked before can be checked again.",
                  version=saved.version), "success")
    return redirect(url_for(".playbook"))
