"""Gives a workflow run the database, with or without a surrounding Flask app."""
from contextlib import contextmanager

from flask import has_app_context

from models import db, standalone_app


@contextmanager
def database():
    """An app context for the duration of a step; the session is cleaned up after it."""
    if has_app_context():  # called from the web app (inline dispatch) or a test
        yield db.session
        return
    with standalone_app().app_context():
        try:
            yield db.session
        finally:
            db.session.remove()
