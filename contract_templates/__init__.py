"""Word (.docx) contract templates and the single, sandboxed way to render them.

Templates live in ``contract_templates/<language>/<kind>.docx`` and use docxtpl
syntax (Jinja2 inside Word runs, ``{%p ... %}`` / ``{%tr ... %}`` block tags).

Every render goes through one module-level Jinja environment:
``ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``.

* sandboxed + immutable: a template (possibly uploaded by a user) cannot reach
  Python internals (``''.__class__``, ``lipsum.__globals__`` ...) or mutate the
  context;
* autoescape: docxtpl splices rendered values straight into WordprocessingML,
  so ``&``, ``<``, ``>`` and quotes must be XML-escaped exactly once; the
  resulting document text shows them unchanged;
* StrictUndefined: a missing variable is an error, never a silently blank
  clause in a contract.

Any problem is reported as :class:`TemplateError`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path
from typing import IO, Any, Union

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

__all__ = [
    "KINDS",
    "LANGUAGES",
    "TEMPLATE_DIR",
    "TemplateError",
    "render_document",
    "render_template_file",
    "template_path",
    "template_version",
]

KINDS = (
    "service_contract",
    "tariff_appendix",
    "supplementary_agreement",
    "tripartite_agreement",
    "order_letter",
    "pbx_sheet",
)
LANGUAGES = ("en", "ru")

TEMPLATE_DIR = Path(__file__).resolve().parent

TemplateSource = Union[str, "os.PathLike[str]", bytes, IO[bytes]]


class TemplateError(Exception):
    """A template could not be rendered (undefined variable, sandbox violation,
    syntax error, unreadable file, unknown kind/language ...).

    ``str(error)`` names the problem, e.g. the undefined variable.  ``snippet``
    holds the surrounding template text when docxtpl can locate it.
    """

    def __init__(self, message: str, *, snippet: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.snippet = snippet


# The one environment used for every render.  Reused so that Jinja's compiled
# template/attribute caches are shared; docxtpl itself only ever sets
# ``autoescape = True`` on it, which it already is.
_ENV = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def jinja_environment() -> ImmutableSandboxedEnvironment:
    """The shared sandboxed environment (exposed for tests/inspection)."""
    return _ENV


def template_path(kind: str, language: str) -> Path:
    """Path of the bundled template for ``kind`` in ``language``."""
    if kind not in KINDS:
        raise TemplateError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise TemplateError(
            f"unknown template language {language!r}; expected one of {', '.join(LANGUAGES)}"
        )
    path = TEMPLATE_DIR / language / f"{kind}.docx"
    if not path.is_file():
        raise TemplateError(f"template file is missing: {language}/{kind}.docx")
    return path


def template_version(kind: str, language: str) -> str:
    """Stable identifier of the template file's content: the first 12 hex
    characters of its SHA-256.  Store it with every generated document."""
    return hashlib.sha256(template_path(kind, language).read_bytes()).hexdigest()[:12]


def render_document(kind: str, language: str, context: dict) -> bytes:
    """Render the bundled ``<language>/<kind>.docx`` template with ``context``
    (plain dicts/lists/strings/numbers) and return the .docx bytes."""
    return render_template_file(template_path(kind, language), context)


# Characters that are not allowed in XML 1.0.  docxtpl turns \t, \n, \a and \f
# in values into Word tabs/breaks/paragraphs/page breaks, so those are kept.
_XML_INVALID = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ufffe\uffff]")


def _clean(value: Any) -> Any:
    """Copy the context, dropping characters that would make the XML invalid."""
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


def _describe(exc: jinja2.TemplateError) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"forbidden by the template sandbox: {exc.message}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    return f"template error: {exc.message or type(exc).__name__}"


def _snippet(exc: BaseException) -> str:
    lines = getattr(exc, "docx_context", None)
    if not lines:
        return ""
    text = " ".join(" ".join(line.split()) for line in lines).strip()
    return text[:300]


def _display_name(path: TemplateSource) -> str:
    if not isinstance(path, (str, os.PathLike)):
        return "uploaded template"
    resolved = Path(path).resolve()
    if resolved.is_relative_to(TEMPLATE_DIR):
        return resolved.relative_to(TEMPLATE_DIR).as_posix()
    return os.fspath(path)


def render_template_file(path: TemplateSource, context: dict) -> bytes:
    """Render an arbitrary docxtpl template through the shared sandbox.

    ``path`` may be a filesystem path, the raw .docx bytes or a binary file
    object (e.g. an uploaded file).  Returns the rendered .docx bytes.
    """
    if not isinstance(context, dict):
        raise TemplateError(f"context must be a dict, not {type(context).__name__}")
    source: Any = io.BytesIO(path) if isinstance(path, (bytes, bytearray)) else path
    name = _display_name(path)

    try:
        template = DocxTemplate(source)
        template.init_docx()
    except Exception as exc:  # not a zip, not a Word document, missing file ...
        raise TemplateError(f"{name}: cannot open as a Word document: {exc}") from exc

    try:
        template.render(_clean(context), jinja_env=_ENV, autoescape=True)
        out = io.BytesIO()
        template.save(out)
    except jinja2.TemplateError as exc:
        snippet = _snippet(exc)
        message = f"{name}: {_describe(exc)}"
        if snippet:
            message += f" (near: {snippet})"
        raise TemplateError(message, snippet=snippet) from exc
    except Exception as exc:  # broken XML after rendering, etc.
        raise TemplateError(f"{name}: rendering failed: {type(exc).__name__}: {exc}") from exc
    return out.getvalue()
