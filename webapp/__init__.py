"""The numberdesk web app: people's pages and the JSON API."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from models import User, configure_database, db, instance_dir
from models.db import PROJECT_ROOT
from workflows.settings import apply_prefect_defaults

from .extensions import bootstrap, csrf, login_manager, migrate


# Every response: pages load scripts, styles and images only from this site (no inline scripts or styles, so
# injected markup cannot run or restyle anything), no other site may frame them, and links to elsewhere do not
# carry our URLs (request references, document ids) in the Referer.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


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
    app = Flask(__name__, instance_path=str(instance))
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

    from . import admin, api, api_templates, auth, documents, numbers, requests, template_admin  # noqa: F401
    from . import account, api_costs, costs  # noqa: F401
    from . import secrets_view
    from . import audit_log

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(requests.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(secrets_view.bp)
    app.register_blueprint(numbers.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit_log.bp)
    app.register_blueprint(template_admin.bp)
    app.register_blueprint(costs.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, never with cookies

    from .access_rules import install as install_access_rules

    install_access_rules(app)  # every route declares who may use it; refuses to start otherwise
    app.before_request(account.password_change_first)  # after the rules: only signed-in users are sent there

    from .demo import demo_in_use

    app.context_processor(lambda: {"demo_in_use": demo_in_use})  # base.html calls it: the "demo data" banner

    from .helpers import register_template_helpers

    register_template_helpers(app)

    @app.after_request
    def security_headers(response):
        # setdefault: a page that sets a stricter policy of its own (document previews) keeps it.
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(409)
    @app.errorhandler(413)
    def error_page(error):
        if request.path.startswith("/api/"):
            return jsonify({"error": error.name.lower().replace(" ", "_"), "message": error.description,
                            "fields": {}}), error.code
        return render_template("error.html", error=error), error.code

    return app


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    return User.from_session_id(session_id)  # "<id>:<session_version>": older sessions load nobody
