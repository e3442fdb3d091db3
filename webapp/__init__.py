"""The numberdesk web app: people's pages and the JSON API."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from models import User, configure_database, db, instance_dir
from models.db import PROJECT_ROOT
from models.limits import MAX_ID
from workflows.settings import apply_prefect_defaults

from demo import demo_in_use

from .admin import blueprint as admin_urls
from .api import create_api_blueprint
from .auth import blueprint as auth_urls
from .auth.account import password_change_first
from .contracts import blueprint as contracts_urls
from .core import access_rules, errors, headers, i18n
from .core.extensions import bootstrap, csrf, login_manager, migrate
from .core.helpers import register_template_helpers
from .costs import blueprint as costs_urls
from .dashboard import blueprint as dashboard_urls
from .doc_templates import blueprint as doc_templates_urls
from .documents import blueprint as documents_urls
from .numbers import blueprint as numbers_urls
from .outbox import blueprint as outbox_urls
from .pbx import blueprint as pbx_urls
from .requests import blueprint as requests_urls
from .terms import blueprint as terms_urls


class RecordId(IntegerConverter):
    """<int:...> in every route: an id fits in 64 bits, so a larger number matches no route (404) instead of
    overflowing the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _secret_key(instance: Path) -> str:
    """NUMBERDESK_SECRET_KEY, or a random key kept in the instance folder across restarts."""
    if os.environ.get("NUMBERDESK_SECRET_KEY"):
        return os.environ["NUMBERDESK_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _served_over_https() -> bool:
    """NUMBERDESK_HTTPS=1, or production (which runs behind an HTTPS reverse proxy): cookies go over HTTPS only."""
    return (os.environ.get("NUMBERDESK_HTTPS") == "1"
            or os.environ.get("NUMBERDESK_ENV", "").strip().lower() == "production")


def create_app(test_config: dict | None = None) -> Flask:
    apply_prefect_defaults()
    instance = instance_dir()
    instance.mkdir(parents=True, exist_ok=True)
    # The base page templates and the static files are the core's; each feature's pages are in its package.
    app = Flask(__name__, instance_path=str(instance), template_folder="core/templates", static_folder="core/static")
    app.url_map.converters["int"] = RecordId  # before any route is added
    app.config.from_mapping(
        BOOTSTRAP_SERVE_LOCAL=True,
        BOOTSTRAP_BOOTSWATCH_THEME=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_served_over_https(),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=_served_over_https(),
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        PAGE_SIZE=25,
    )
    if os.environ.get("NUMBERDESK_PROXY_FIX") == "1":
        # Behind one reverse proxy: trust its X-Forwarded-For (the address sign-in limits count) and -Proto.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    configure_database(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    bootstrap.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.install(app)

    # Each feature's pages, one blueprint each (auth and account, requests and the trunk password view, the
    # admin pages and the audit trail page have two).
    app.register_blueprint(auth_urls.bp)
    app.register_blueprint(auth_urls.account_bp)
    app.register_blueprint(requests_urls.bp)
    app.register_blueprint(requests_urls.secrets_bp)
    app.register_blueprint(documents_urls.bp)
    app.register_blueprint(numbers_urls.bp)
    app.register_blueprint(pbx_urls.bp)
    app.register_blueprint(costs_urls.bp)
    app.register_blueprint(dashboard_urls.bp)
    app.register_blueprint(doc_templates_urls.bp)
    app.register_blueprint(terms_urls.bp)
    app.register_blueprint(contracts_urls.bp)
    app.register_blueprint(admin_urls.bp)
    app.register_blueprint(admin_urls.audit_log_bp)
    app.register_blueprint(outbox_urls.bp)

    # The JSON API: one blueprint, made for this app, and each feature adds its own routes to it.
    api_bp = create_api_blueprint()
    requests_urls.register_api(api_bp)
    documents_urls.register_api(api_bp)
    numbers_urls.register_api(api_bp)
    costs_urls.register_api(api_bp)
    doc_templates_urls.register_api(api_bp)
    terms_urls.register_api(api_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies

    access_rules.install(app)  # every route declares who may use it; refuses to start otherwise
    app.before_request(password_change_first)  # after the rules: only signed-in users are sent there
    app.context_processor(lambda: {"demo_in_use": demo_in_use})  # base.html calls it: the "demo data" banner
    register_template_helpers(app)
    headers.install(app)
    errors.install(app)  # the one mapping of domain and HTTP errors to pages and JSON answers
    return app


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    return User.from_session_id(session_id)  # "<id>:<session_version>": older sessions load nobody
