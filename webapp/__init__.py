"""The numberdesk web app: people's pages and the JSON API."""
import os
import secrets
from pathlib import Path

from flask import Flask, jsonify, render_template, request

from models import User, configure_database, db, instance_dir
from models.db import PROJECT_ROOT
from workflows.settings import apply_prefect_defaults

from .extensions import bootstrap, csrf, login_manager, migrate


def _secret_key(instance: Path) -> str:
    """NUMBERDESK_SECRET_KEY, or a random key kept in the instance folder across restarts."""
    if os.environ.get("NUMBERDESK_SECRET_KEY"):
        return os.environ["NUMBERDESK_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


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
        PAGE_SIZE=25,
    )
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
    from . import api_costs, costs  # noqa: F401

    app.register_blueprint(auth.bp)
    app.register_blueprint(requests.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(numbers.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(template_admin.bp)
    app.register_blueprint(costs.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, never with cookies

    from .helpers import register_template_helpers

    register_template_helpers(app)

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
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.is_active else None
