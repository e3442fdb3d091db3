"""The form admins upload a contract template with."""
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from contract_templates.schema import KINDS
from models.choices import DocumentKind, Language

from ..core.i18n import page_language


class TemplateUploadForm(FlaskForm):
    kind = SelectField(lazy_gettext("Document"), validators=[InputRequired()])
    language = SelectField(lazy_gettext("Language"), validators=[InputRequired()])
    file = FileField(lazy_gettext("Word template (.docx)"),
                     validators=[FileRequired(lazy_gettext("Choose the .docx file to upload.")),
                                 FileAllowed(["docx"], lazy_gettext("Only Word documents ending in .docx are "
                                                                    "accepted."))],
                     description=lazy_gettext("It is checked before use: only the document's variables, no macros, "
                                              "and it must render with sample data. Once accepted it is used for "
                                              "new documents."),
                     render_kw={"accept": ".docx"})
    submit = SubmitField(lazy_gettext("Upload and use"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The documents and languages, named in the admin's language.
        self.kind.choices = [(kind, DocumentKind.label(kind, page_language())) for kind in KINDS]
        self.language.choices = Language.choices(page_language())
