"""Each API call declared once: what it takes and what it answers, as models (inputs.py, schemas.py).

    @rule(SIGNED_IN)
    @operation("One request", replies=[Reply(200, "The request", schemas.Request)])
    def get_request(request_id: int):
        return request_data(access.load_request(g.api_user, request_id))

The view reads its input through query(), body() and form(), which parse it with the declared models (a bad
value is a 422 whose `fields` name each bad field), and returns plain data, optionally with a status and headers:
the declared reply for that status validates and dumps it. A view may also return a Response of its own (a file).
The OpenAPI document (openapi.py) is generated from the same declarations, so what is checked, what is answered
and what is documented are one thing.
"""
import functools
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, TypeAdapter, ValidationError

from models import InvalidInput, db

from .inputs import TRUNK_TAGS

JSON = "application/json"


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    schema: dict
    required: bool = True


TOTAL_COUNT = Header("X-Total-Count", "How many there are in all pages", {"type": "integer", "minimum": 0})
NEXT_PAGE = Header("Link", 'The next page as `<url>; rel="next"`; absent on the last page', {"type": "string"},
                   required=False)


@dataclass(frozen=True)
class Reply:
    """One answer of an operation: a JSON body of `model` (a list of them when `many`), or a file in one of the
    media types of `files` (media type -> schema)."""

    status: int
    description: str
    model: type[BaseModel] | None = None
    many: bool = False
    files: dict[str, dict] | None = None
    headers: tuple[Header, ...] = ()

    @cached_property
    def adapter(self) -> TypeAdapter:
        return TypeAdapter(list[self.model] if self.many else self.model)


def page_reply(model: type[BaseModel], description: str) -> Reply:
    """The answer of a listing: one page of `model`s; the total and the next page travel in headers."""
    return Reply(200, description, model, many=True, headers=(TOTAL_COUNT, NEXT_PAGE))


@dataclass(frozen=True)
class Variant:
    """One value of a path parameter documented as a path of its own, with its own body."""

    summary: str
    description: str
    body: type[BaseModel]


@dataclass(frozen=True)
class Operation:
    summary: str
    replies: tuple[Reply, ...]
    description: str = ""
    # Refusals besides those the document adds by itself: 401 without a token, 403 for a route of some roles only,
    # 404 for a path with parameters, 422 for a call that takes input.
    errors: tuple[int, ...] = ()
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    path: type[BaseModel] | None = None  # narrower schemas of path parameters, for the document only
    # One documented path per value of the path parameter `variant_of`; another value takes `body`.
    variants: dict[str, Variant] | None = None
    variant_of: str | None = None

    def reply_for(self, status: int) -> Reply | None:
        return next((reply for reply in self.replies if reply.status == status), None)

    def body_for(self, view_args: dict) -> type[BaseModel] | None:
        variant = (self.variants or {}).get(view_args.get(self.variant_of))
        return variant.body if variant else self.body

    def respond(self, result) -> Response:
        if isinstance(result, Response) or (isinstance(result, tuple) and isinstance(result[0], Response)):
            return result  # a file, or an error answer made by webapp/core/errors.py
        data, status, headers = (*result, {})[:3] if isinstance(result, tuple) else (result, 200, {})
        reply = self.reply_for(status)
        if reply is None or reply.model is None:
            raise RuntimeError(f"{request.endpoint} answered {status}, which its operation does not declare")
        response = jsonify(reply.adapter.dump_python(reply.adapter.validate_python(data), mode="json"))
        response.status_code = status
        response.headers.update(headers)
        return response


def operation(summary: str, *, replies, **declared):
    """Declare a view's operation (see the module's docstring)."""
    declared_operation = Operation(summary, tuple(replies), **declared)

    def declare(view):
        @functools.wraps(view)
        def call(**view_args):
            return declared_operation.respond(view(**view_args))
        call.api_operation = declared_operation
        return call
    return declare


def operation_of(view) -> Operation | None:
    return getattr(view, "api_operation", None)


def _current() -> Operation:
    return operation_of(current_app.view_functions[request.endpoint])


def query():
    """The query parameters, parsed with the operation's query model; an empty one (?state=) is one left out."""
    given = {name: value for name, value in request.args.items() if value != ""}
    return _parsed(_current().query, given, "the query")


def form():
    """The multipart form, parsed with the operation's form model."""
    return _parsed(_current().form, {**request.form.to_dict(), **request.files.to_dict()}, "the form")


def body():
    """The JSON body, parsed with the operation's body model; no body at all is an empty object."""
    model = _current().body_for(request.view_args or {})
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    elif not request.is_json:
        raise InvalidInput("send the body as JSON", {"body": "must be a JSON object sent as application/json"})
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error, "the body") from None


def _parsed(model: type[BaseModel], data: dict, what: str):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _invalid(error, what) from None


def _invalid(error: ValidationError, what: str) -> InvalidInput:
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        fields.setdefault(field_name(problem), problem_text(problem))
    return InvalidInput(f"{what} is not valid", fields)


def field_name(problem: dict) -> str:
    """items[0].clause, trunk.username; `body` for the body as a whole."""
    name = ""
    parts = list(problem["loc"])
    for position, part in enumerate(parts):
        if isinstance(part, int):
            name += f"[{part}]"
        elif part in TRUNK_TAGS and position > 0 and parts[position - 1] == "trunk":
            continue  # the tag of the trunk's type, between the field and its members
        else:
            name += f".{part}" if name else part
    if problem["type"] in ("union_tag_invalid", "union_tag_not_found"):
        name += "." + problem["ctx"]["discriminator"].strip("'")
    return name or "body"


_PROBLEMS = {
    "missing": "is required",
    "union_tag_not_found": "is required",
    "extra_forbidden": "is not a field of this call",
    "json_invalid": "is not valid JSON",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "date_type": "must be a date as YYYY-MM-DD",
    "date_parsing": "must be a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date as YYYY-MM-DD",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "too_short": "must list at least {min_length}",
    "too_long": "must list at most {max_length}",
    "string_too_long": "must be at most {max_length} characters",
    "literal_error": "must be one of {expected}",
    "union_tag_invalid": "must be one of {expected_tags}",
}


def problem_text(problem: dict) -> str:
    """What is wrong with one field, in the words the domain's own refusals use."""
    kind, context = problem["type"], problem.get("ctx", {})
    if kind == "string_too_short" or (kind == "string_pattern_mismatch" and context.get("pattern") == r"\S"):
        return "is required: it must say something"
    if kind == "value_error":
        return str(context.get("error", problem["msg"]))
    if kind in _PROBLEMS:
        return _PROBLEMS[kind].format(**context)
    return problem["msg"][:1].lower() + problem["msg"][1:]


def page_of(select, item) -> tuple[list, int, dict]:
    """One page of `select` as the operation's page_reply: page and per_page come from its query model."""
    asked = query()
    per_page = asked.per_page if "per_page" in asked.model_fields_set else current_app.config["PAGE_SIZE"]
    found = db.paginate(select, page=asked.page, per_page=per_page, error_out=False)
    headers = {"X-Total-Count": str(found.total)}
    if found.has_next:
        args = {**request.args.to_dict(), "page": found.next_num, "per_page": per_page}
        headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return [item(found_item) for found_item in found.items], 200, headers
