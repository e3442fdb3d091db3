"""encrypt the trunk passwords kept in clear before, and redact them from stored documents

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:10:00

Each carrier order's trunk password moves from carrier_order.trunk (JSON, in clear) to carrier_order.trunk_secret,
encrypted with the secrets key (models/secrets.py: NUMBERDESK_SECRETS_KEY or instance/secrets.key, made now if
missing). The documents of those requests (the PBX configuration sheets) printed the password: it is replaced by
•••• in their text, their sha256 is computed again, and the PDFs kept of them in instance/pdf are deleted.
On PostgreSQL the replaced rows stay in the table files until they are vacuumed: run
VACUUM FULL carrier_order, document; after the upgrade.
"""
import hashlib
import io
import re
import zipfile
from xml.sax.saxutils import escape

from alembic import op
import sqlalchemy as sa

from models import secrets
from models.db import instance_dir


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

carrier_order = sa.table(
    'carrier_order', sa.column('id', sa.Integer), sa.column('request_id', sa.Integer),
    sa.column('trunk', sa.JSON), sa.column('trunk_secret', sa.Text))
document = sa.table(
    'document', sa.column('id', sa.Integer), sa.column('request_id', sa.Integer), sa.column('sha256', sa.String),
    sa.column('content', sa.LargeBinary))

# The parts of a .docx that hold its text, and the text runs in them: only text is touched, never markup.
TEXT_PARTS = re.compile(r'word/(document|header\d*|footer\d*)\.xml')
TEXT_RUN = re.compile(r'(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)')


def _written_forms(password):
    """The ways the password can be written in a document's XML: docxtpl escapes & < >, others quotes too."""
    return {escape(password), escape(password, {'"': '&quot;', "'": '&apos;'}),
            escape(password, {'"': '&#34;', "'": '&#39;'})}


def redact(content, password):
    """The .docx with every occurrence of `password` in its text replaced by ••••; None when it holds none."""
    forms = sorted(_written_forms(password), key=len, reverse=True)

    def redact_run(match):
        text = match.group(2)
        for form in forms:
            text = text.replace(form, secrets.MASK)
        return match.group(1) + text + match.group(3)

    source = zipfile.ZipFile(io.BytesIO(content))
    changed = False
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w') as redacted:
        for info in source.infolist():
            data = source.read(info.filename)
            if TEXT_PARTS.fullmatch(info.filename):
                xml = data.decode('utf-8')
                clean = TEXT_RUN.sub(redact_run, xml)
                if clean != xml:
                    data, changed = clean.encode('utf-8'), True
            redacted.writestr(info, data)
    return output.getvalue() if changed else None


def _forget_kept_pdf(sha256):
    folder = instance_dir() / 'pdf'
    for suffix in ('.pdf', '.part', '.lock'):
        (folder / f'{sha256}{suffix}').unlink(missing_ok=True)


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        # SQLite would leave the replaced text in freed space of the file: zero it instead.
        connection.exec_driver_sql('PRAGMA secure_delete = ON')
    passwords = {}  # request id -> the password that was kept in clear
    for order_id, request_id, trunk in connection.execute(
            sa.select(carrier_order.c.id, carrier_order.c.request_id, carrier_order.c.trunk)):
        if not isinstance(trunk, dict) or 'password' not in trunk:
            continue
        settings = dict(trunk)
        password = settings.pop('password')
        values = {'trunk': settings}
        if password:
            values['trunk_secret'] = secrets.encrypt(password)
            passwords[request_id] = password
        connection.execute(sa.update(carrier_order).where(carrier_order.c.id == order_id).values(**values))

    stale_pdfs = []
    for request_id, password in passwords.items():
        for document_id, sha256, content in connection.execute(
                sa.select(document.c.id, document.c.sha256, document.c.content)
                .where(document.c.request_id == request_id)):
            redacted = redact(content, password)
            if redacted is None:
                continue
            connection.execute(sa.update(document).where(document.c.id == document_id).values(
                content=redacted, sha256=hashlib.sha256(redacted).hexdigest()))
            stale_pdfs.append(sha256)
    # PDFs made of the documents as they were: removed last, so a failed migration leaves them with their .docx.
    for sha256 in stale_pdfs:
        _forget_kept_pdf(sha256)


def downgrade():
    raise RuntimeError(
        "0005 cannot be undone: it would write the trunk passwords back in clear, and the passwords it removed "
        "from documents are gone. Restore the database backup taken before the upgrade instead.")
