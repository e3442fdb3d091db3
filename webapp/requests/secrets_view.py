"""The one place secrets are shown: a sysadmin reveals a request's trunk password, and the reveal is audited.

Endpoint: ``secrets_view.trunk_password``  POST /requests/<id>/trunk-password  (sysadmins; CSRF-protected, so
another site cannot make a sysadmin's browser reveal it, and never a GET, so it stays out of history and logs).
"""
from flask import abort, make_response, render_template
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from models import AuditEvent, NotFound, access, db
from models.secrets import SecretsKeyError

from ..core.access_rules import Rule, rule


SECRET_READERS = Rule("system administrators", access.may_read_secrets,
                      who_text=lazy_gettext("system administrators"))


def secret_helpers() -> dict:
    # The request page shows the "Show trunk password" button only to those who may press it.
    return {"may_read_secrets": access.may_read_secrets}


def _private(response):
    """No copy of a page that shows a secret may stay in a browser's or a proxy's cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@rule(SECRET_READERS)
def trunk_password(request_id: int):
    try:
        number_request = access.load_request(current_user, request_id)
    except NotFound:
        abort(404, description=gettext("There is no request %(id)s.", id=request_id))
    if not access.may_read_secrets(current_user):  # the rule says so already; the policy decides, here too
        abort(403, description=gettext("Only system administrators may see trunk passwords."))
    order = number_request.order
    if order is None or not order.trunk_secret:
        abort(404, description=gettext("%(reference)s has no trunk password.", reference=number_request.reference))
    try:
        password = order.trunk_password()
    except SecretsKeyError as error:
        return _private(make_response(render_template(
            "secrets/trunk_password.html", r=number_request, password=None, problem=str(error)), 503))
    # Recorded, and committed, before the password is shown: no reveal goes unaudited.
    db.session.add(AuditEvent(request=number_request, actor_id=current_user.id, actor=current_user.email,
                              action="reveal_trunk_password", from_state=number_request.state,
                              to_state=number_request.state, comment=""))
    db.session.commit()
    return _private(make_response(render_template(
        "secrets/trunk_password.html", r=number_request, password=password, problem="")))
