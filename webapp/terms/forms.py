"""The forms of the carrier terms pages; they only parse input, models/ decides."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from models.limits import MAX_CLAUSE, MAX_COMMENT, MAX_WORDING


class ContractUploadForm(FlaskForm):
    file = FileField(_l("The carrier's contract"), validators=[FileRequired(_l("Choose a file to upload."))],
                     description=_l(".docx, a PDF with text, or plain text; English or Russian; at most 10 MB."))
    submit = SubmitField(_l("Upload and check"))


class ProtocolItemForm(FlaskForm):
    category = HiddenField()
    clause = HiddenField(validators=[DataRequired(), Length(max=MAX_CLAUSE)])
    carrier_wording = TextAreaField(_l("The carrier's wording"), validators=[DataRequired(), Length(max=MAX_WORDING)])
    our_wording = TextAreaField(_l("Our wording"), validators=[DataRequired(), Length(max=MAX_WORDING)])
    submit = SubmitField(_l("Add to protocol"))


class AcceptRiskForm(FlaskForm):
    category = HiddenField()
    clause = HiddenField(validators=[Length(max=MAX_CLAUSE)])
    reason = TextAreaField(_l("Why the company can live with it"), validators=[DataRequired(), Length(max=MAX_COMMENT)])
    submit = SubmitField(_l("Accept this risk"))


class ButtonForm(FlaskForm):
    """A button that changes something: its CSRF token and nothing else."""

    submit = SubmitField()


class PlaybookForm(FlaskForm):
    """The playbook's own values are posted as category.field (see playbook_views.posted_playbook)."""

    comment = TextAreaField(_l("What changed and why"), validators=[Length(max=MAX_COMMENT)])
    submit = SubmitField(_l("Save a new version"))
