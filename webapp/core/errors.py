"""The one mapping of errors to answers, registered once for the whole app.

A domain error (models/errors.py) answers its own status; an HTTP error (abort(404), a 405 from routing, a 413
upload) its code. The JSON API answers `{"error", "message", "fields"}`; pages answer the error page.
"""
from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from models import DomainError

from .labels import domain_text

# The error page's title by status, in the page's language.
TITLES = {
    400: lazy_gettext("Bad request"),
    401: lazy_gettext("Not signed in"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not found"),
    405: lazy_gettext("Method not allowed"),
    409: lazy_gettext("Conflict"),
    413: lazy_gettext("Too large"),
    422: lazy_gettext("Invalid input"),
    429: lazy_gettext("Too many requests"),
    500: lazy_gettext("Internal server error"),
    503: lazy_gettext("Service unavailable"),
}
# What the page says when nothing more precise was said (instead of Werkzeug's English descriptions).
TEXTS = {
    400: lazy_gettext("The server could not understand what the browser sent."),
    401: lazy_gettext("Sign in to open this page."),
    403: lazy_gettext("You may not open this page."),
    404: lazy_gettext("There is no such page. If you typed the address, check it."),
    405: lazy_gettext("This page cannot be opened this way."),
    409: lazy_gettext("Somebody changed this at the same time: reload and try again."),
    413: lazy_gettext("The file is too large."),
    422: lazy_gettext("The input is not valid."),
    429: lazy_gettext("Too many requests: wait a little and try again."),
    500: lazy_gettext("Something went wrong on the server. Try again; if it happens again, tell an admin."),
    503: lazy_gettext("The service is unavailable for now. Try again later."),
}


def json_error(status: int, error: str, message: str, fields: dict | None = None):
    """The API's error answer."""
    return jsonify({"error": error, "message": message, "fields": fields or {}}), status


def _for_the_api() -> bool:
    # By path, not blueprint: a URL under /api/ that matches no route (404, 405) belongs to no blueprint.
    return request.path.startswith("/api/")


def error_page(error: HTTPException, text: str | None = None):
    """The error page, in the page's language. `text`: what to say, already translated; else the error's own
    description when a view gave one (views give translated ones), else the usual text for its status."""
    code = error.code or 500
    if text is None:
        if isinstance(error, CSRFError):
            text = str(lazy_gettext("The form expired or came from another page: reload the page and send it again."))
        elif error.description and error.description != type(error).description:
            text = domain_text(error.description)
        else:
            text = str(TEXTS.get(code, error.description or ""))
    title = str(TITLES.get(code, error.name))
    return render_template("error.html", error=error, error_title=title, error_text=text), code


def domain_error(error: DomainError):
    if _for_the_api():
        return json_error(error.status, error.error, error.message, error.fields)
    return error_page(default_exceptions[error.status](), domain_text(error.message))


def http_error(error: HTTPException):
    if _for_the_api():
        return json_error(error.code or 500, error.name.lower().replace(" ", "_"), error.description or error.name)
    return error_page(error)


def install(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
