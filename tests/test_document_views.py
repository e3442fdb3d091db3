"""The document pages: preview, PDF, compare; and document_as for the API."""
import io
import re
import shutil
import subprocess

import pytest
from docx import Document as WordDocument

from conftest import installed, login
from contract_templates import convert
from contract_templates.convert import ConversionUnavailable
from lifecycle_helpers import request_in
from models import Document, db
from models.lifecycle import apply_action
from webapp.documents.files import document_as
from workflows import steps

needs_libreoffice = installed(convert.libreoffice_path() is not None, "LibreOffice")


@pytest.fixture
def contract(people, catalog) -> Document:
    """The Russian service contract of a request in legal review (the demo has none signed with VolgaLink)."""
    request = request_in("legal_review", people, catalog, city="Ufa", carrier="VolgaLink")
    return next(d for d in request.documents if d.kind == "service_contract")


@pytest.fixture
def redrafted(people, catalog) -> dict[int, Document]:
    """v1 and v2 of a service contract: the carrier agreed to 60 days' notice of price changes."""
    request = request_in("changes_requested", people, catalog, city="Ufa", carrier="VolgaLink")
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": True})
    request.carrier.price_change_notice_days = 60
    db.session.commit()
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    return {d.version: d for d in request.documents if d.kind == "service_contract"}


def with_script(contract: Document) -> Document:
    """A new version of the contract whose text carries markup, as an uploaded template could."""
    word = WordDocument(io.BytesIO(contract.content))
    word.add_paragraph('<script>alert("preview")</script><img src=x onerror="alert(2)">')
    buffer = io.BytesIO()
    word.save(buffer)
    document = Document.new_version(contract.request, contract.kind, buffer.getvalue(), template_version="test",
                                    language=contract.language, created_by="test")
    db.session.commit()
    return document


def test_signed_out_users_are_sent_to_sign_in(client, contract):
    for url in (f"/documents/{contract.id}/preview", f"/documents/{contract.id}.pdf",
                f"/documents/{contract.id}/compare"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_the_preview_shows_the_document_under_a_strict_policy(client, contract):
    login(client, "accountant")
    response = client.get(f"/documents/{contract.id}/preview")
    assert response.status_code == 200
    page = response.text
    assert "Service contract" in page
    assert f"v{contract.version}" in page and contract.request.reference in page
    assert "ДОГОВОР ОБ ОКАЗАНИИ УСЛУГ ТЕЛЕФОННОЙ СВЯЗИ" in page
    assert "ВолгаЛинк Региональный Телеком" in page
    assert f'href="/documents/{contract.id}"' in page  # the .docx download
    assert f'href="/requests/{contract.request_id}"' in page
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in policy
    # The page's styles come from the site's stylesheet, which the policy allows; nothing is inline.
    assert '<link rel="stylesheet" href="/static/numberdesk.css">' in page
    assert "<style" not in page and " style=" not in page


def test_a_script_in_a_document_does_not_reach_the_page(client, contract):
    document = with_script(contract)
    login(client, "lawyer")
    page = client.get(f"/documents/{document.id}/preview").text
    body = page[page.index("data-document-preview"):page.index("</main>")]
    # The markup is shown as text, never as elements.
    assert "<script" not in body and "<img" not in body
    assert '&lt;script&gt;alert("preview")&lt;/script&gt;&lt;img src=x onerror="alert(2)"&gt;' in body


@needs_libreoffice
def test_the_pdf_route_returns_a_pdf(client, contract):
    login(client, "lawyer")
    response = client.get(f"/documents/{contract.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{contract.filename.removesuffix(".docx")}.pdf"')
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                              check=True).stdout.decode()
        assert "ДОГОВОР" in text and "ВолгаЛинк Региональный Телеком" in " ".join(text.split())


def test_a_pdf_is_made_once_per_document(client, contract, monkeypatch):
    made = []

    def fake_pdf(data: bytes) -> bytes:
        made.append(data)
        return b"%PDF-1.7 made from " + str(len(data)).encode()

    monkeypatch.setattr(convert, "docx_to_pdf", fake_pdf)
    login(client, "lawyer")
    first, second = client.get(f"/documents/{contract.id}.pdf"), client.get(f"/documents/{contract.id}.pdf")
    assert first.data == second.data == b"%PDF-1.7 made from " + str(len(contract.content)).encode()
    assert made == [contract.content]


def test_without_libreoffice_the_pdf_route_explains_how_to_install_it(client, contract, monkeypatch):
    monkeypatch.setattr(convert, "libreoffice_path", lambda: None)
    login(client, "lawyer")
    response = client.get(f"/documents/{contract.id}.pdf")
    assert response.status_code == 503
    assert "apt-get install libreoffice-writer-nogui" in response.text
    preview = client.get(f"/documents/{contract.id}/preview").text
    assert "apt-get install libreoffice-writer-nogui" in preview
    assert f"/documents/{contract.id}.pdf" not in preview


def test_missing_documents_are_404(client, contract):
    login(client, "lawyer")
    for url in ("/documents/999999/preview", "/documents/999999.pdf", "/documents/999999/compare",
                f"/documents/{contract.id}/compare?with=999999"):
        assert client.get(url).status_code == 404, url


def test_compare_shows_the_changes_between_two_versions(client, redrafted):
    login(client, "lawyer")
    response = client.get(f"/documents/{redrafted[2].id}/compare")  # the previous version by default
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.text
    redline = page[page.index("data-redline"):]
    assert re.findall(r"<del>(.*?)</del>", redline) == ["30"]
    assert re.findall(r"<ins>(.*?)</ins>", redline) == ["60"]
    assert "1 word inserted" in page and "1 word deleted" in page
    assert "v1 → v2" in page
    assert "Legend" in page
    # The picker offers v1 and nothing else; v1 is chosen.
    assert re.findall(r'<option value="(\d+)"( selected)?>', page) == [(str(redrafted[1].id), " selected")]


def test_compare_puts_the_older_version_first_whatever_the_order(client, redrafted):
    login(client, "lawyer")
    page = client.get(f"/documents/{redrafted[1].id}/compare?with={redrafted[2].id}").text
    assert "v1 → v2" in page and "<ins>60</ins>" in page and "<del>30</del>" in page


def test_compare_of_a_first_version_without_a_partner_says_so(client, contract):
    login(client, "lawyer")
    response = client.get(f"/documents/{contract.id}/compare")
    assert response.status_code == 200
    assert "nothing to compare it with" in response.text


def test_compare_refuses_documents_of_another_kind_or_request(client, redrafted, contract):
    login(client, "lawyer")
    request = redrafted[1].request
    appendix = next(d for d in request.documents if d.kind == "tariff_appendix")
    for other in (appendix, contract):
        response = client.get(f"/documents/{redrafted[1].id}/compare?with={other.id}")
        assert response.status_code == 400
        assert "Only versions of the same document" in response.text
    for bad in ("abc", "²", "-1"):
        assert client.get(f"/documents/{redrafted[1].id}/compare?with={bad}").status_code == 400, bad


def test_document_as_html_is_the_sanitised_fragment(app, contract):
    document = with_script(contract)
    with app.test_request_context():
        response = document_as(document, "html")
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    body = response.get_data(as_text=True)
    assert "ДОГОВОР" in body and "<script" not in body and "&lt;script&gt;" in body


def test_document_as_docx_and_unknown_formats(app, contract):
    with app.test_request_context():
        assert document_as(contract, "docx").data == contract.content
        with pytest.raises(ValueError):
            document_as(contract, "odt")


def test_document_as_pdf_raises_when_libreoffice_is_missing(app, contract, monkeypatch):
    monkeypatch.setattr(convert, "libreoffice_path", lambda: None)
    with app.test_request_context(), pytest.raises(ConversionUnavailable):
        document_as(contract, "pdf")
