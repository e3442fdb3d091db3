"""Costs: the monthly expense report per branch, the reports kept, importing carriers' billing files, the
invoice audit and each carrier's CSV layout.

Accountants run imports and audits. Everyone sees the figures of the branches the access policy gives them
(models/access.py): company-wide roles every branch unless an admin limited them, requesters their own branches.
"""
import csv
import io
import uuid
from datetime import date
from pathlib import Path

from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from models.formatting import format_month
from models import BillingImport, Carrier, Department, ExpenseReport, InvalidInput, RejectedRow, access, db
from models import audit_trail
from models.audit import audit_overview, carrier_audit
from models.carrier_files import CsvLayout
from models.carrier_text import parse_month
from models.choices import DestinationClass, ImportKind, ImportStatus, InvoiceItem, Role
from models.expenses import CLASSES, ExpenseFigures, expense_figures, last_complete_month, store_expense_report
from models.rating import next_month, previous_month
from workflows.dispatch import dispatch_import

from ..core.access_rules import SIGNED_IN, roles, rule
from ..core.extensions import csrf
from ..core.helpers import choice_sets as localised_choice_sets, localised
from ..core.i18n import page_language
from ..core.labels import domain_fields
from .charts import stacked_bars
from .forms import CsvLayoutForm, UploadForm
from .report_files import XLSX_TYPE, report_csv, report_xlsx, safe_row

ACCOUNTANTS = roles(Role.ACCOUNTANT)  # the invoice audit and keeping reports
IMPORTERS = roles(*access.BILLING_IMPORTERS)
# Browser uploads up to this size; bigger files go through `numberdesk import cdrs` on the server.
MAX_UPLOAD_BYTES = 2 * 1024 ** 3
NO_DEPARTMENT = lazy_gettext("Your account does not belong to a branch, so there are no figures to show you. "
                             "Ask an admin to set your branch, or an accountant for the company's report.")


def choice_sets():
    """The choice sets the costs pages show labels from, in the page's language."""
    return {**localised_choice_sets(DestinationClass, ImportKind, ImportStatus, InvoiceItem), "CLASSES": CLASSES}


def _month(default: date) -> date:
    """The month asked for in ?month=YYYY-MM; a bad one is a 404 page that says what is wrong."""
    text = request.values.get("month", "").strip()
    if not text:
        return default
    try:
        return parse_month(text)
    except ValueError as error:
        abort(404, description=gettext("There is no such report: %(problem)s.", problem=error))


def _visible() -> frozenset[int] | None:
    """The branches whose figures the user sees: None for every branch, an empty set for none."""
    return access.branch_scope(current_user)


def _branch_names(figures: ExpenseFigures) -> tuple[dict[int, str], dict[str, str]]:
    """The report's branches (by id) and cities as the reader reads them: in Russian on a Russian page where the
    branch has a Russian name and still has the name the figures were counted under (a kept report keeps the
    name a branch had then)."""
    names = {row.department_id: row.name for row in figures.departments}
    cities = {row.city: row.city for row in figures.departments}
    for department in db.session.scalars(db.select(Department).where(Department.id.in_(names))):
        if department.name == names[department.id]:
            names[department.id] = localised(department, "name")
        if cities.get(department.city) == department.city:  # not yet named by another branch of the city
            cities[department.city] = localised(department, "city")
    return names, cities


def _chart(figures: ExpenseFigures, names: dict[int, str]):
    return stacked_bars([gettext("Rental"), gettext("Calls"), gettext("One-time fees")], [
        (names[row.department_id], [row.costs.rental, row.costs.calls_total, row.costs.one_time])
        for row in figures.departments])


def _report_page(figures: ExpenseFigures | None, month: date, kept: ExpenseReport | None = None):
    names, cities = _branch_names(figures) if figures else ({}, {})
    return render_template("costs/report.html", figures=figures, month=month, kept=kept,
                           chart=_chart(figures, names) if figures else None, no_department=NO_DEPARTMENT,
                           branch_names=names, city_names=cities, every_branch=_visible() is None,
                           previous=previous_month(month), following=next_month(month))


@rule(SIGNED_IN)
def index():
    month = _month(last_complete_month())
    visible = _visible()
    return _report_page(expense_figures(month, visible) if visible != set() else None, month)


def _download(figures: ExpenseFigures, fmt: str) -> Response:
    """The report as a file whose headings are in the reader's language; the file name stays the same."""
    name = f"expenses-{figures.month:%Y-%m}"
    if fmt == "csv":
        return Response(report_csv(figures, page_language()), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(report_xlsx(figures, page_language()), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@rule(SIGNED_IN)
def report_download(fmt: str):
    visible = _visible()
    if visible == set():
        abort(403, description=str(NO_DEPARTMENT))
    return _download(expense_figures(_month(last_complete_month()), visible), fmt)


@rule(SIGNED_IN)
def archive():
    visible = _visible()
    reports = db.session.scalars(db.select(ExpenseReport)
                                 .order_by(ExpenseReport.month.desc(), ExpenseReport.version.desc())).all()
    kept = [(report, report.figures().only(visible)) for report in reports] if visible != set() else []
    return render_template("costs/archive.html", kept=kept, no_department=NO_DEPARTMENT if visible == set() else "",
                           default_month=last_complete_month())


@rule(ACCOUNTANTS)
def keep_report():
    month = _month(last_complete_month())
    report = store_expense_report(month, generated_by=current_user.email)
    try:
        db.session.commit()
    except IntegrityError:  # somebody kept the same month at the same moment: their version stays
        db.session.rollback()
        flash(gettext("Another report for %(month)s was kept at the same moment; it is listed here. "
                      "Keep the month again for a newer version.", month=format_month(month, page_language())),
              "warning")
        return redirect(url_for("costs.archive"))
    flash(gettext("The report for %(month)s is kept as it is now, as version %(version)s.",
                  month=format_month(month, page_language()), version=report.version), "success")
    return redirect(url_for("costs.kept_report", report_id=report.id))


def _kept(report_id: int) -> tuple[ExpenseReport, ExpenseFigures]:
    report = db.session.get(ExpenseReport, report_id)
    if report is None:
        abort(404, description=gettext("There is no kept report %(id)s.", id=report_id))
    visible = _visible()
    if visible == set():
        abort(403, description=str(NO_DEPARTMENT))
    return report, report.figures().only(visible)


@rule(SIGNED_IN)
def kept_report(report_id: int):
    report, figures = _kept(report_id)
    return _report_page(figures, report.month, kept=report)


@rule(SIGNED_IN)
def kept_report_download(report_id: int, fmt: str):
    return _download(_kept(report_id)[1], fmt)


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = ImportKind.choices(page_language())
    carriers = db.session.scalars(db.select(Carrier).order_by(Carrier.name))
    form.carrier_id.choices = [(carrier.id, localised(carrier)) for carrier in carriers]
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
@csrf.exempt
@rule(IMPORTERS)
def imports():
    request.max_content_length = MAX_UPLOAD_BYTES
    form = _upload_form()
    status = 200
    if form.validate_on_submit():
        billing_import = _save_upload(form)
        dispatch_import(billing_import)
        flash(gettext("%(file)s is being imported.", file=billing_import.filename), "success")
        return redirect(url_for("costs.import_detail", import_id=billing_import.id))
    if request.method == "POST":
        status = 422
    page = db.paginate(db.select(BillingImport).order_by(BillingImport.id.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("costs/imports.html", form=form, page=page), status


def _import(import_id: int) -> BillingImport:
    found = db.session.get(BillingImport, import_id)
    if found is None:
        abort(404, description=gettext("There is no import %(id)s.", id=import_id))
    return found


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


@rule(IMPORTERS)
def rejected_rows(import_id: int):
    billing_import = _import(import_id)
    rows = db.session.execute(db.select(RejectedRow.line, RejectedRow.reason, RejectedRow.raw)
                              .filter_by(import_id=import_id).order_by(RejectedRow.line)
                              .execution_options(yield_per=1000))

    heading = [gettext("line"), gettext("reason"), gettext("row")]  # the column names of the rejected rows file

    def lines():
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(heading)
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


@rule(ACCOUNTANTS)
def audit():
    month = _month(last_complete_month())
    return render_template("costs/audit.html", month=month, audits=audit_overview(month),
                           previous=previous_month(month), following=next_month(month))


@rule(ACCOUNTANTS)
def carrier_audit_page(carrier_id: int):
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        abort(404, description=gettext("There is no carrier %(id)s.", id=carrier_id))
    month = _month(last_complete_month())
    # The audit's lines name branches as they are called in English; the page shows them in the reader's language.
    branch_names = {department.name: localised(department) for department in db.session.scalars(db.select(Department))}
    return render_template("costs/carrier_audit.html", audit=carrier_audit(carrier, month), month=month,
                           branch_names=branch_names, previous=previous_month(month), following=next_month(month))


@rule(roles(Role.ACCOUNTANT, Role.ADMIN))
def carrier_layout(carrier_id: int):
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        abort(404, description=gettext("There is no carrier %(id)s.", id=carrier_id))
    form = CsvLayoutForm()
    status = 200
    if request.method == "GET":
        form.load(CsvLayout.from_data(carrier.cdr_layout))
    elif form.validate_on_submit():
        try:
            layout = CsvLayout.from_data(form.layout_data())
        except InvalidInput as error:
            form.show_errors(domain_fields(error.fields))
            status = 422
        else:
            before = audit_trail.snapshot(carrier)
            carrier.cdr_layout = layout.to_data()
            audit_trail.record_change(current_user, carrier, before, action="edit_layout")
            db.session.commit()
            flash(gettext("%(carrier)s's call record layout is saved.", carrier=localised(carrier)), "success")
            return redirect(url_for("costs.imports"))
    else:
        status = 422
    return render_template("costs/layout.html", form=form, carrier=carrier), status
