"""The JSON API, /api/v1. Bearer tokens only: a browser session never authenticates here.

This package holds the API's blueprint, made once per app by create_api_blueprint(), what every API route uses to
declare its operation (operations.py: the models it takes, inputs.py, and answers, schemas.py) and the OpenAPI
document generated from those declarations (openapi.py). Each feature adds its own API routes to the blueprint from
its blueprint.py (`register_api(api_bp)`, called by create_app).

Each route's rule (webapp/core/access_rules.py) checks the token and sets g.api_user before the view runs; what
the user then sees goes through the access policy (models/access.py): a record they may not see is a 404. Errors
answer `{"error", "message", "fields"}` (webapp/core/errors.py).
"""
from flask import Blueprint, current_app

from ..core.access_rules import API_BLUEPRINT, PUBLIC, rule
from . import schemas
from .openapi import openapi_document
from .operations import Reply, operation


@rule(PUBLIC)
@operation("This document: the OpenAPI description of the API",
           replies=[Reply(200, "The OpenAPI 3.1 document", schemas.OpenApiDocument)])
def openapi():
    # Made once per app: the routes and their declarations do not change while it runs.
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = openapi_document(current_app)
    return current_app.extensions["openapi"]


def create_api_blueprint() -> Blueprint:
    """A new API blueprint for one app, with the API's own route: the features add theirs before it is
    registered (a blueprint takes no new routes once an app has registered it)."""
    bp = Blueprint(API_BLUEPRINT, __name__, url_prefix="/api/v1")
    bp.add_url_rule("/openapi.json", "openapi", openapi, methods=["GET"])
    return bp
