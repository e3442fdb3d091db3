"""The outbox for admins: every mail newest first (all, sent or unsent), one mail's text and its HTML sanitised,
and "send again" for one that is not sent. The page never talks to the mail server: the workflow sends."""
import nh3
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from models import db
from models.choices import Role
from models.outbox import OutgoingMail, mail_server_configured, outbox_query, send_again as queue_again
from workflows.dispatch import dispatch_mail

from ..core.access_rules import roles, rule

ADMINS = roles(Role.ADMIN)
SHOWN = {"sent": True, "unsent": False}
# A mail's HTML is ours, but it quotes what people typed (comments, purposes): only plain formatting and web links
# survive into the page.
PREVIEW_TAGS = {"p", "br", "a", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "table", "thead",
                "tbody", "tr", "td", "th"}


def sanitised_html(markup: str) -> str:
    return nh3.clean(markup, tags=PREVIEW_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def get_mail_or_404(mail_id: int) -> OutgoingMail:
    found = db.session.get(OutgoingMail, mail_id)
    if found is None:
        abort(404, description=gettext("There is no such mail."))
    return found


@rule(ADMINS)
def index():
    shown = request.args.get("shown", "")
    page = db.paginate(outbox_query(SHOWN.get(shown)), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PAGE_SIZE", 25), error_out=False)
    return render_template("outbox/index.html", page=page, shown=shown if shown in SHOWN else "",
                           configured=mail_server_configured())


@rule(ADMINS)
def mail(mail_id: int):
    found = get_mail_or_404(mail_id)
    return render_template("outbox/mail.html", mail=found, html_preview=sanitised_html(found.html_body),
                           configured=mail_server_configured())


@rule(ADMINS)
def send_again(mail_id: int):
    found = get_mail_or_404(mail_id)
    queue_again(current_user, found)
    db.session.commit()
    dispatch_mail(found)  # the workflow sends it; inline, it is tried here and then
    if found.sent:
        flash(gettext("The mail was sent."), "success")
    else:
        flash(gettext("The mail will be sent again shortly; this page shows how it went."), "info")
    return redirect(url_for("outbox.mail", mail_id=found.id))
