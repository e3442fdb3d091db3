"""Security headers on every answer, and pages that keep to the Content-Security-Policy: no inline scripts,
event handlers or styles, in the templates or in what they render."""
import re
from pathlib import Path

import pytest

from conftest import auth, login
from models import BillingImport, Carrier, Document, NumberRequest, db
from test_browser import live_server, page, sign_in  # noqa: F401  (the browser tests' fixtures)
from webapp.core.headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "webapp"  # each feature keeps its page templates
COMMON = {"Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
# Inline code and styles the policy blocks: a <script> without src, a handler attribute, a style attribute or block.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)


def inline_things(html: str) -> list[str]:
    return [match.group(0) for pattern in (INLINE_SCRIPT, HANDLER, STYLE) for match in pattern.finditer(html)]


def assert_site_headers(response, policy: str = CONTENT_SECURITY_POLICY) -> None:
    assert response.headers["Content-Security-Policy"] == policy
    for header, value in COMMON.items():
        assert response.headers[header] == value, header


def test_the_site_policy_allows_nothing_inline_and_no_framing():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_no_template_has_inline_scripts_handlers_or_styles():
    found = {path.relative_to(TEMPLATES).as_posix(): inline_things(path.read_text())
             for path in sorted(TEMPLATES.rglob("*.html"))}
    assert len(found) > 20
    assert {name: things for name, things in found.items() if things} == {}
    for name in found:
        text = (TEMPLATES / name).read_text()
        assert "onclick=" not in text and " style=" not in text and "<style" not in text, name


def test_the_scanner_finds_what_the_policy_blocks():
    assert inline_things('<script>alert(1)</script><p onclick="x()" style="color: red"><style>p{}</style>') == [
        "<script>", " onclick=", " style=", "<style"]
    assert inline_things('<script src="/bootstrap/static/js/bootstrap.min.js"></script>'
                         '<button aria-controls="nav" data-bs-toggle="collapse" content="x">') == []


def test_signed_out_pages_carry_the_headers(client):
    for url in ("/login", "/no/such/page"):
        response = client.get(url)
        assert response.status_code in (200, 404)
        assert_site_headers(response)
        assert inline_things(response.text) == [], url


@pytest.mark.parametrize("role", ["admin", "accountant", "approver"])
def test_signed_in_pages_carry_the_headers_and_render_nothing_inline(client, role):
    login(client, role)
    request_id = db.session.scalar(db.select(NumberRequest.id).order_by(NumberRequest.id))
    urls = {"admin": ["/", "/admin/", "/admin/users/", "/requests", f"/requests/{request_id}"],
            "accountant": ["/costs/", "/costs/imports", "/costs/archive", "/costs/audit"],
            "approver": ["/", "/requests", f"/requests/{request_id}", "/numbers"]}[role]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/html"
        assert_site_headers(response)
        assert inline_things(response.text) == [], url


def test_the_styles_come_from_the_site_itself(client):
    html = client.get("/login").text
    assert '<link rel="stylesheet" href="/static/numberdesk.css">' in html
    assert '<link rel="stylesheet" href="/bootstrap/static/css/bootstrap.min.css">' in html
    stylesheet = client.get("/static/numberdesk.css")
    assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"
    assert ".document-body" in stylesheet.text and ".progress-width-42 { width: 42%; }" in stylesheet.text
    assert_site_headers(stylesheet)


def test_a_document_preview_keeps_its_own_stricter_policy(client):
    document = db.session.scalar(db.select(Document).order_by(Document.id))
    login(client, "lawyer")
    response = client.get(f"/documents/{document.id}/preview")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy != CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in policy
    assert response.headers.get_all("Content-Security-Policy") == [policy]  # one policy, not two combined
    for header, value in COMMON.items():
        assert response.headers[header] == value
    assert inline_things(response.text) == []


def test_api_answers_carry_the_headers(client, tokens):
    answer = client.get("/api/v1/departments", headers=auth(tokens["admin"]))
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert_site_headers(answer)
    refused = client.get("/api/v1/departments")
    assert refused.status_code == 401 and refused.mimetype == "application/json"
    assert_site_headers(refused)


# --- in a real browser ------------------------------------------------------------------------------


def test_pages_work_and_look_as_designed_under_the_policy_in_a_browser(live_server, page):  # noqa: F811
    app, base = live_server
    with app.app_context():
        document_id = db.session.scalar(db.select(Document.id).order_by(Document.id))
        request_id = db.session.scalar(db.select(NumberRequest.id).order_by(NumberRequest.id))
        running = BillingImport(carrier=db.session.scalar(db.select(Carrier).order_by(Carrier.id)),
                                filename="big.csv", path="/nowhere/big.csv", size_bytes=1000, bytes_read=420,
                                status="running")
        db.session.add(running)
        db.session.commit()
        import_id = running.id
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)

    sign_in(page, base, "accountant@example.com")
    page.goto(f"{base}/costs/")
    # The site's stylesheet applies (it replaced base.html's inline style) ...
    assert page.evaluate("getComputedStyle(document.body).paddingBottom") == "48px"
    # ... and the chart is drawn at its own width, no wider than the page.
    chart = page.locator("svg.bar-chart")
    assert chart.get_attribute("width") == page.evaluate("document.querySelector('svg.bar-chart').viewBox"
                                                         ".baseVal.width.toString()")
    assert page.evaluate("getComputedStyle(document.querySelector('svg.bar-chart')).maxWidth") == "100%"
    page.set_viewport_size({"width": 400, "height": 800})
    assert chart.bounding_box()["width"] <= 400
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{base}/costs/imports/{import_id}")
    bar, track = page.locator(".progress-bar").bounding_box(), page.locator(".progress").bounding_box()
    assert bar["width"] / track["width"] == pytest.approx(0.42, abs=0.01) and track["height"] == 24

    page.goto(f"{base}/documents/{document_id}/preview")
    assert page.evaluate("getComputedStyle(document.querySelector('.document-body')).fontFamily").startswith(
        '"Times New Roman"')
    page.goto(f"{base}/requests/{request_id}")
    # Bootstrap's own script runs: the collapsed menu opens on a narrow screen.
    page.set_viewport_size({"width": 400, "height": 800})
    page.click("button.navbar-toggler")
    page.wait_for_selector("#nav.show")
    assert refused == []
