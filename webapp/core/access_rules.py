"""Who may use each route: every view declares one rule, and one hook enforces it before the view runs.

    @rule(roles(Role.ACCOUNTANT))
    def audit(): ...

    bp.add_url_rule("/audit", "audit", views.audit, methods=["GET"])    # in the feature's blueprint.py

A rule answers "may this user open this page (or call this API route) at all". Which records they then see
is the access policy's business (models/access.py): loaders answer 404 and lists leave out what is not theirs.
create_app refuses to start when a route declares no rule, so a new page cannot forget one.

Pages know the user from the session: not signed in is a redirect to the sign-in page, a wrong role the 403 page.
The JSON API knows the user from the bearer token only: 401 and 403 as JSON.
"""
from dataclasses import dataclass
from typing import Callable

from flask import Flask, abort, current_app, g, jsonify, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from models import ApiToken, User, access
from models.choices import Role

from .i18n import page_language

API_BLUEPRINT = "api"


@dataclass(frozen=True)
class Rule:
    who: str                          # whom the route is for, as the API's 403 answer says it
    allows: Callable[[User], bool]    # whether a signed-in user may use the route
    public: bool = False              # anyone, signed in or not
    role_names: tuple[str, ...] = ()  # the roles it admits, for roles(...): the 403 page names them
    who_text: object = None           # whom it is for, as the 403 page says it (a lazy_gettext string)

    def page_refusal(self) -> str:
        """Whom the route is for, as the 403 page says it, in the page's language."""
        if self.role_names:
            names = " / ".join(Role.label(name, page_language()) for name in self.role_names)
            return gettext("This page is for the role %(roles)s.", roles=names)
        return gettext("This page is for %(who)s.", who=str(self.who_text) if self.who_text is not None else self.who)

    def admits(self, user: User | None) -> bool:
        """Whether `user` (None: nobody signed in) may use the route."""
        return self.public or (user is not None and self.allows(user))


PUBLIC = Rule("anyone", lambda user: True, public=True, who_text=lazy_gettext("anyone"))
SIGNED_IN = Rule("any signed-in user", lambda user: True, who_text=lazy_gettext("any signed-in user"))
TEMPLATE_READERS = Rule("admins and lawyers", access.may_read_templates, who_text=lazy_gettext("admins and lawyers"))

CONTRACT_READERS = Rule("lawyers, project leads and admins", access.may_read_contracts,
                        who_text=lazy_gettext("lawyers, project leads and admins"))


def roles(*names: str) -> Rule:
    """Users holding at least one of these roles."""
    who = " or ".join(Role.label(name) for name in names)
    return Rule(f"the role {who}", lambda user: user.has_role(*names), role_names=names)


def rule(declared: Rule):
    """Declare who may use a view: @rule(PUBLIC), @rule(SIGNED_IN), @rule(roles(Role.ACCOUNTANT))."""
    def declare(view):
        view.access_rule = declared
        return view
    return declare


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    # Static files (the app's and Bootstrap's) are public by nature; their views cannot carry an attribute.
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    return getattr(app.view_functions[endpoint], "access_rule", None)


def endpoints_without_rule(app: Flask) -> list[str]:
    return sorted(endpoint for endpoint in app.view_functions if rule_for(app, endpoint) is None)


def is_api(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.startswith(API_BLUEPRINT + ".")


def _token_user() -> User | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return ApiToken.find_user(token) if scheme.lower() == "bearer" and token else None


def _api_refusal(status: int, error: str, message: str):
    return jsonify({"error": error, "message": message, "fields": {}}), status


def enforce_rule():
    """The one before_request hook: the endpoint's rule, for the session's user or the API token's."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such route: routing answers 404 or 405
    declared = rule_for(current_app, endpoint)
    if declared is None:  # cannot happen once install() has checked; refuse rather than guess
        abort(403, description=gettext("This page declares no access rule."))
    if declared.public:
        return None
    if is_api(endpoint):
        g.api_user = _token_user()
        if g.api_user is None:
            return _api_refusal(401, "unauthorized", "send a valid token as 'Authorization: Bearer <token>'")
        if not declared.allows(g.api_user):
            return _api_refusal(403, "forbidden", f"this call is for {declared.who}")
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not declared.allows(current_user):
        abort(403, description=declared.page_refusal())
    return None


def may_open(endpoint: str) -> bool:
    """For page templates: whether the signed-in user may open `endpoint` (links and menus)."""
    declared = rule_for(current_app, endpoint)
    user = current_user if current_user.is_authenticated else None
    return declared is not None and declared.admits(user)


def install(app: Flask) -> None:
    """Refuse to start with a route that declares no rule; enforce every rule before its view runs."""
    missing = endpoints_without_rule(app)
    if missing:
        raise RuntimeError("these routes declare no access rule (add @rule(...) from webapp/core/access_rules.py): "
                           + ", ".join(missing))
    app.before_request(enforce_rule)
    app.jinja_env.globals["may_open"] = may_open
