"""The security headers every answer carries."""
from flask import Flask

# Every response: pages load scripts, styles and images only from this site (no inline scripts or styles, so
# injected markup cannot run or restyle anything), no other site may frame them, and links to elsewhere do not
# carry our URLs (request references, document ids) in the Referer.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def security_headers(response):
    # setdefault: a page that sets a stricter policy of its own (document previews) keeps it.
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def install(app: Flask) -> None:
    app.after_request(security_headers)
