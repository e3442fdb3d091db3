"""The form admins upload a contract template with."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from contract_templates.schema import KINDS
from models.choices import DocumentKind, Language


class TemplateUploadForm(FlaskForm):
    kind = SelectField("Document", choices=[(kind, DocumentKind.label(kind)) for kind in KINDS],
                       validators=[InputRequired()])
    language = SelectField("Language", choices=list(Language.CHOICES), validators=[InputRequired()])
    file = FileField("Word template (.docx)",
                     validators=[FileRequired("Choose the .docx file to upload."),
                                 FileAllowed(["docx"], "Only Word documents ending in .docx are accepted.")],
                     description="It is checked before use: only the document's variables, no macros, and it "
                                 "must render with sample data. Once accepted it is used for new documents.",
                     render_kw={"accept": ".docx"})
    submit = SubmitField("Upload and use")
