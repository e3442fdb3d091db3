"""Costs: the monthly expense report per branch, the reports kept, importing carriers' billing files, the
invoice audit and each carrier's CSV layout.

Accountants run imports and audits. Everyone sees the figures of the branches the access policy gives them
(models/access.py): company-wide roles every branch unless an admin limited them, requesters their own branches.
"""
import csv
import io
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest
from werkzeug.utils import secure_filename

from models import BillingImport, Carrier, DomainError, ExpenseReport, InvalidInput, RejectedRow, access, db
from models import audit_trail
from models.audit import audit_overview, carrier_audit
from models.carrier_files import CsvLayout
from models.carrier_text import parse_month
from models.choices import DestinationClass, ImportKind, ImportStatus, InvoiceItem, Role
from models.expenses import CLASSES, ExpenseFigures, expense_figures, last_complete_month, store_expense_report
from models.rating import next_month, previous_month
from workflows.dispatch import dispatch_import

from .access_rules import SIGNED_IN, roles, rule
from .charts import stacked_bars
from .cost_forms import CsvLayoutForm, UploadForm
from .extensions import csrf
from .report_files import XLSX_TYPE, report_csv, report_xlsx, safe_row

bp = Blueprint("costs", __name__, url_prefix="/costs")
ACCOUNTANTS = roles(Role.ACCOUNTANT)  # the invoice audit and keeping reports
IMPORTERS = roles(*access.BILLING_IMPORTERS)
# Browser uploads up to this size; bigger files go through `numberdesk import cdrs` on the server.
MAX_UPLOAD_BYTES = 2 * 1024 ** 3
NO_DEPARTMENT = ("Your account does not belong to a branch, so there are no figures to show you. "
                 "Ask an admin to set your branch, or an accountant for the company's report.")


@bp.app_template_filter("money")
def money(value: Decimal) -> str:
    """12345.6 as 12 345.60, the space unbreakable."""
    return f"{value:,.2f}".replace(",", "\u00a0")


@bp.context_processor
def choice_sets():
    return {"DestinationClass": DestinationClass, "ImportKind": ImportKind, "ImportStatus": ImportStatus,
            "InvoiceItem": InvoiceItem, "CLASSES": CLASSES}


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A rule refused the figures, e.g. carriers billing in several currencies: say which."""
    return render_template("error.html", error=BadRequest(description=error.message)), 400


def _month(default: date) -> date:
    """The month asked for in ?month=YYYY-MM; a bad one is a 404 page that says what is wrong."""
    text = request.values.get("month", "").strip()
    if not text:
        return default
    try:
        return parse_month(text)
    except ValueError as error:
        abort(404, description=f"There is no such report: {error}.")


def _visible() -> frozenset[int] | None:
    """The branches whose figures the user sees: None for every branch, an empty set for none."""
    return access.branch_scope(current_user)


def _chart(figures: ExpenseFigures):
    return stacked_bars(["Rental", "Calls", "One-time fees"], [
        (row.name, [row.costs.rental, row.costs.calls_total, row.costs.one_time]) for row in figures.departments])


def _report_page(figures: ExpenseFigures | None, month: date, kept: ExpenseReport | None = None):
    return render_template("costs/report.html", figures=figures, month=month, kept=kept,
                           chart=_chart(figures) if figures else None, no_department=NO_DEPARTMENT,
                           every_branch=_visible() is None,
                           previous=previous_month(month), following=next_month(month))


@bp.get("/")
@rule(SIGNED_IN)
def index():
    month = _month(last_complete_month())
    visible = _visible()
    return _report_page(expense_figures(month, visible) if visible != set() else None, month)


def _download(figures: ExpenseFigures, fmt: str) -> Response:
    name = f"expenses-{figures.month:%Y-%m}"
    if fmt == "csv":
        return Response(report_csv(figures), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(report_xlsx(figures), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@bp.get("/report.<any(csv, xlsx):fmt>")
@rule(SIGNED_IN)
def report_download(fmt: str):
    visible = _visible()
    if visible == set():
        abort(403, description=NO_DEPARTMENT)
    return _download(expense_figures(_month(last_complete_month()), visible), fmt)


@bp.get("/archive")
@rule(SIGNED_IN)
def archive():
    visible = _visible()
    reports = db.session.scalars(db.select(ExpenseReport)
                                 .order_by(ExpenseReport.month.desc(), ExpenseReport.version.desc())).all()
    kept = [(report, report.figures().only(visible)) for report in reports] if visible != set() else []
    return render_template("costs/archive.html", kept=kept, no_department=NO_DEPARTMENT if visible == set() else "",
                           default_month=last_complete_month())


@bp.post("/archive")
@rule(ACCOUNTANTS)
def keep_report():
    month = _month(last_complete_month())
    report = store_expense_report(month, generated_by=current_user.email)
    try:
        db.session.commit()
    except IntegrityError:  # somebody kept the same month at the same moment: their version stays
        db.session.rollback()
        flash(f"Another report for {month:%B %Y} was kept at the same moment; it is listed here. "
              "Keep the month again for a newer version.", "warning")
        return redirect(url_for("costs.archive"))
    flash(f"The report for {month:%B %Y} is kept as it is now, as version {report.version}.", "success")
    return redirect(url_for("costs.kept_report", report_id=report.id))


def _kept(report_id: int) -> tuple[ExpenseReport, ExpenseFigures]:
    report = db.session.get(ExpenseReport, report_id)
    if report is None:
        abort(404, description=f"There is no kept report {report_id}.")
    visible = _visible()
    if visible == set():
        abort(403, description=NO_DEPARTMENT)
    return report, report.figures().only(visible)


@bp.get("/archive/<int:report_id>")
@rule(SIGNED_IN)
def kept_report(report_id: int):
    report, figures = _kept(report_id)
    return _report_page(figures, report.month, kept=report)


@bp.get("/archive/<int:report_id>.<any(csv, xlsx):fmt>")
@rule(SIGNED_IN)
def kept_report_download(report_id: int, fmt: str):
    return _download(_kept(report_id)[1], fmt)


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.carrier_id.choices = [(c.id, c.name) for c in db.session.scalars(db.select(Carrier).order_by(Carrier.name))]
    return form


def _save_upload(form: UploadForm) -> BillingImport:
    upload = form.file.data
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = secure_filename(upload.filename or "") or "upload.csv"
    path = folder / f"{uuid.uuid4().hex}-{name}"
    upload.save(path)
    billing_import = BillingImport(kind=form.kind.data, carrier_id=form.carrier_id.data,
                                   filename=(upload.filename or name)[:255], path=str(path),
                                   size_bytes=path.stat().st_size, created_by=current_user)
    db.session.add(billing_import)
    db.session.commit()
    return billing_import


# The global CSRF check would read the upload before this view can raise the size limit for it;
# the form still checks its CSRF token itself.
@bp.route("/imports", methods=["GET", "POST"])
@csrf.exempt
@rule(IMPORTERS)
def imports():
    request.max_content_length = MAX_UPLOAD_BYTES
    form = _upload_form()
    status = 200
    if form.validate_on_submit():
        billing_import = _save_upload(form)
        dispatch_import(billing_import)
        flash(f"{billing_import.filename} is being imported.", "success")
        return redirect(url_for("costs.import_detail", import_id=billing_import.id))
    if request.method == "POST":
        status = 422
    page = db.paginate(db.select(BillingImport).order_by(BillingImport.id.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("costs/imports.html", form=form, page=page), status


def _import(import_id: int) -> BillingImport:
    found = db.session.get(BillingImport, import_id)
    if found is None:
        abort(404, description=f"There is no import {import_id}.")
    return found


@bp.get("/imports/<int:import_id>")
@rule(IMPORTERS)
def import_detail(import_id: int):
    billing_import = _import(import_id)
    rejected = db.session.scalars(db.select(RejectedRow).filter_by(import_id=import_id)
                                  .order_by(RejectedRow.line).limit(20)).all()
    imported_month = billing_import.latest_month() if billing_import.is_finished else None
    response = Response(render_template("costs/import_detail.html", i=billing_import, rejected=rejected,
                                        imported_month=imported_month))
    if not billing_import.is_finished:
        response.headers["Refresh"] = "2"  # the page follows the import until it is done
    return response


@bp.get("/imports/<int:import_id>/rejected.csv")
@rule(IMPORTERS)
def rejected_rows(import_id: int):
    billing_import = _import(import_id)
    rows = db.session.execute(db.select(RejectedRow.line, RejectedRow.reason, RejectedRow.raw)
                              .filter_by(import_id=import_id).order_by(RejectedRow.line)
                              .execution_options(yield_per=1000))

    def lines():
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["line", "reason", "row"])
        for row in rows:
            writer.writerow(safe_row(row))  # the raw line is the carrier's text: it may start with "="
            if text.tell() > 64 * 1024:
                yield text.getvalue()
                text.seek(0)
                text.truncate()
        yield text.getvalue()
    name = f"rejected-rows-{billing_import.id}.csv"
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/audit")
@rule(ACCOUNTANTS)
def audit():
    month = _month(last_complete_month())
    return render_template("costs/audit.html", month=month, audits=audit_overview(month),
                           previous=previous_month(month), following=next_month(month))


@bp.get("/audit/<int:carrier_id>")
@rule(ACCOUNTANTS)
def carrier_audit_page(carrier_id: int):
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        abort(404, description=f"There is no carrier {carrier_id}.")
    month = _month(last_complete_month())
    return render_template("costs/carrier_audit.html", audit=carrier_audit(carrier, month), month=month,
                           previous=previous_month(month), following=next_month(month))


@bp.route("/carriers/<int:carrier_id>/layout", methods=["GET", "POST"])
@rule(roles(Role.ACCOUNTANT, Role.ADMIN))
def carrier_layout(carrier_id: int):
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        abort(404, description=f"There is no carrier {carrier_id}.")
    form = CsvLayoutForm()
    status = 200
    if request.method == "GET":
        form.load(CsvLayout.from_data(carrier.cdr_layout))
    elif form.validate_on_submit():
        try:
            layout = CsvLayout.from_data(form.layout_data())
        except InvalidInput as error:
            form.show_errors(error.fields)
            status = 422
        else:
            before = audit_trail.snapshot(carrier)
            carrier.cdr_layout = layout.to_data()
            audit_trail.record_change(current_user, carrier, before, action="edit_layout")
            db.session.commit()
            flash(f"{carrier.name}'s call record layout is saved.", "success")
            return redirect(url_for("costs.imports"))
    else:
        status = 422
    return render_template("costs/layout.html", form=form, carrier=carrier), status
