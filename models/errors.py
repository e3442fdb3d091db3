"""Refusals the domain raises; the web layer maps each to its HTTP status."""


class DomainError(Exception):
    status = 400
    error = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Forbidden(DomainError):
    status = 403
    error = "forbidden"


class NotFound(DomainError):
    status = 404
    error = "not_found"


class Conflict(DomainError):
    status = 409
    error = "conflict"


class InvalidInput(DomainError):
    status = 422
    error = "invalid_input"
