"""Schemathesis against the live app: every operation of the generated OpenAPI document, with data made from its
schemas, must answer without a server error, with a status, content type, headers and body the document declares.

The app runs in a werkzeug server on 127.0.0.1 over a copy of the demo database. Every operation is called as
somebody who holds every role and works for every branch (so the decisions really happen, four eyes allowing), and
again as a plain requester of some branches. The runs are bounded (a few examples per operation) and
deterministic: Hypothesis is derandomised and Schemathesis' seed is fixed.
"""
import os
import shutil
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)
from werkzeug.serving import make_server

from conftest import auth, make_app
from models import Department, Document, NumberRequest, User, db
from models.choices import Role
from webapp.api.openapi import openapi_document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
BOUNDED = settings(max_examples=12, derandomize=True, database=None, deadline=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def live_api(demo_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copy(demo_database, folder / "api.db")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("NUMBERDESK_INSTANCE", str(folder / "instance"))
        environment.setenv("NUMBERDESK_DISPATCH", "inline")
        app = make_app(folder / "api.db")
        with app.app_context():
            everyone = User(email="everything@example.com", name="Holds Every Role", password_hash="-")
            everyone.roles = set(Role.values())
            everyone.departments = list(db.session.scalars(db.select(Department)))
            db.session.add(everyone)
            requester = db.session.scalar(db.select(User).filter_by(email="branches@example.com"))
            tokens = {"everything": everyone.issue_token(), "requester": requester.issue_token()}
            db.session.commit()
            known = {"request_id": db.session.scalars(db.select(NumberRequest.id).order_by(NumberRequest.id)).all(),
                     "document_id": db.session.scalars(db.select(Document.id).order_by(Document.id)).all()}
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        yield SimpleNamespace(api=f"{base}/api/v1", tokens=tokens, known=known)
        server.shutdown()
        thread.join()


def _document() -> dict:
    """The document as /api/v1/openapi.json serves it (test_openapi.py checks that), made when the tests are
    collected, so that each operation is a test of its own. create_app sets defaults in the environment (Prefect's
    home in its instance folder): they are put back as they were, for the tests that run after."""
    saved = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["NUMBERDESK_INSTANCE"] = folder
            app = make_app(Path(folder) / "unused.db")
            with app.app_context():
                return openapi_document(app)
    finally:
        os.environ.clear()
        os.environ.update(saved)


schema = schemathesis.openapi.from_dict(_document())
schema.config.seed = 20261028


def call_as(who: str, case, live_api) -> None:
    # Random ids name nothing, so no decision would ever happen: most whole-number ids are turned into ids of
    # requests and documents of the demo (the requester may see only some of them), the rest stay as drawn.
    for name, known in live_api.known.items():
        drawn = (case.path_parameters or {}).get(name)
        if type(drawn) is int and drawn % 5:
            case.path_parameters[name] = known[drawn % len(known)]
    case.call_and_validate(base_url=live_api.api, headers=auth(live_api.tokens[who]), checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_as_somebody_who_may_do_everything(case, live_api):
    call_as("everything", case, live_api)


@schema.parametrize()
@BOUNDED
def test_every_operation_as_a_requester(case, live_api):
    call_as("requester", case, live_api)
