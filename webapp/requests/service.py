"""What the UI and the API both do with a decision: apply it, commit it, start the next step."""
from models import DomainError, NumberRequest, User, db
from models import attention, lifecycle
from workflows.dispatch import dispatch


def take_action(request: NumberRequest, user: User, action: str, payload: dict,
                expected_version: int | None = None) -> None:
    try:
        lifecycle.apply_action(request, action, user, payload, expected_version=expected_version)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    dispatch(request)


def open_request(user: User, **fields) -> NumberRequest:
    try:
        request = lifecycle.open_request(user, **fields)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return request


def retry_step(request: NumberRequest, user: User) -> None:
    """An admin has a step that needs attention tried again."""
    try:
        attention.retry_step(user, request, lifecycle.STATES[request.state].machine_step)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    dispatch(request)
