"""Prefect flows: each wraps one machine step with retries, a timeout and logs."""
from prefect import flow

from models import notifications, renewal_reminders

from . import costs, dispatch, mail, pbx_checks, steps
from .runtime import database


@flow(name="draft-contracts", retries=3, retry_delay_seconds=10, timeout_seconds=600, log_prints=True)
def draft_contracts(request_id: int) -> str:
    return steps.draft_contracts(request_id)


@flow(name="draft-protocol", retries=3, retry_delay_seconds=10, timeout_seconds=600, log_prints=True)
def draft_protocol(request_id: int) -> str:
    return steps.draft_protocol(request_id)


@flow(name="place-carrier-order", retries=3, retry_delay_seconds=30, timeout_seconds=600, log_prints=True)
def place_carrier_order(request_id: int) -> str:
    return steps.place_carrier_order(request_id)


@flow(name="attach-to-pbx", retries=3, retry_delay_seconds=30, timeout_seconds=600, log_prints=True)
def attach_to_pbx(request_id: int) -> str:
    return steps.attach_to_pbx(request_id)


@flow(name="verify-number", retries=3, retry_delay_seconds=30, timeout_seconds=600, log_prints=True)
def verify_number(request_id: int) -> str:
    return steps.verify_number(request_id)


@flow(name="sweeper", timeout_seconds=120, log_prints=True)
def sweeper() -> list[int]:
    with database():
        dispatch.sweep_test_calls()
        pbx_checks.sweep_pbx_checks()
        dispatch.sweep_outbox()
        return dispatch.sweep_stuck_requests()


STEP_FLOWS = {
    "draft_contracts": draft_contracts,
    "draft_protocol": draft_protocol,
    "place_carrier_order": place_carrier_order,
    "attach_to_pbx": attach_to_pbx,
    "verify_number": verify_number,
}
assert {step: f.name for step, f in STEP_FLOWS.items()} == dispatch.FLOW_NAMES


# A failed call is a result, recorded; a retry is for a run that crashed.
@flow(name=dispatch.TEST_CALL_FLOW, retries=1, retry_delay_seconds=10, timeout_seconds=600, log_prints=True)
def run_test_call(test_call_id: int) -> str:
    return steps.run_test_call(test_call_id)


# An unreachable PBX is a result, recorded; a retry is for a run that crashed.
@flow(name=pbx_checks.PBX_CHECK_FLOW, retries=1, retry_delay_seconds=10, timeout_seconds=300, log_prints=True)
def run_pbx_check(check_id: int) -> str:
    return pbx_checks.run_pbx_check(check_id)


@flow(name="import-billing-file", timeout_seconds=6 * 3600, log_prints=True)
def import_billing_file(import_id: int) -> str:
    # No retries: a failed import records why, and importing the file again skips what is already in.
    return costs.import_billing_file(import_id)


@flow(name="billing-import-sweeper", timeout_seconds=120, log_prints=True)
def billing_import_sweeper() -> list[int]:
    with database():
        return dispatch.sweep_billing_imports()


@flow(name="monthly-expense-report", retries=2, retry_delay_seconds=300, timeout_seconds=1800, log_prints=True)
def monthly_expense_report(month: str | None = None) -> str:
    return costs.store_monthly_report(month)


# A failed try is recorded on the mail and raised: the retries wait out a mail server that is briefly away, the
# sweeper tries again later.
@flow(name=mail.MAIL_FLOW, retries=2, retry_delay_seconds=20, timeout_seconds=300, log_prints=True)
def send_mail(mail_id: int) -> str:
    return mail.send_mail(mail_id)


@flow(name=mail.DIGEST_FLOW, retries=2, retry_delay_seconds=300, timeout_seconds=1800, log_prints=True)
def daily_digest() -> str:
    with database():
        return f"{len(notifications.daily_digest())} digest(s) queued"


@flow(name="renewal-reminders", retries=2, retry_delay_seconds=300, timeout_seconds=1800, log_prints=True)
def notice_reminders() -> str:
    """Signed contracts whose last day to give notice is 30 or 7 days away (models/renewal_reminders.py)."""
    with database():
        return f"{len(renewal_reminders.daily_renewal_reminders())} renewal reminder(s) queued"
