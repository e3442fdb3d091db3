"""Word (.docx) contract templates and the single, sandboxed way to render them.

Templates live in ``contract_templates/<language>/<kind>.docx`` and use docxtpl
syntax (Jinja2 inside Word runs, ``{%p ... %}`` / ``{%tr ... %}`` block tags).

Every render goes through one module-level Jinja environment:
``ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``.

* sandboxed + immutable: a template (possibly uploaded by a user) cannot reach
  Python internals (``''.__class__``, ``lipsum.__globals__`` ...) or mutate the
  context;
* autoescape: the rendered values are spliced straight into WordprocessingML,
  so ``&``, ``<``, ``>`` and quotes must be XML-escaped exactly once; the
  resulting document text shows them unchanged;
* StrictUndefined: a missing variable is an error, never a silently blank
  clause in a contract.

Rendering is docxtpl's, minus the work that does not depend on the context.
docxtpl re-opens the .docx with python-docx, re-patches the XML and recompiles
it with Jinja on every render, then re-serialises the whole package.  Here a
template is prepared once per distinct content (keyed by the SHA-256 of its
bytes, see :class:`CompiledTemplate`): the patched XML of the main document,
headers, footers and footnotes is compiled once with the shared environment,
and the untouched zip entries are compressed once.  A render only runs the
compiled parts, applies docxtpl's own post-processing (``resolve_listing``,
``fix_tables``) and appends the rendered parts to a copy of that zip.

Not carried over from docxtpl: it also renders Jinja tags in a few core
properties (``docProps/core.xml``: title, subject, author ...).  Those are
copied unchanged here; the bundled templates have no tags there.

Any problem is reported as :class:`TemplateError`.

Uploaded templates are not rendered in the caller's process: ``validation.render_limited`` runs this same
renderer in a child process under CPU, memory and time limits, for the upload's sample render and for every
real document made from an upload.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple, Union

import docx.oxml.ns
import jinja2
from docx.opc.oxml import parse_xml, serialize_part_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from models.formatting import LANGUAGES as FORMAT_LANGUAGES

__all__ = [
    "KINDS",
    "LANGUAGES",
    "TEMPLATE_DIR",
    "CacheInfo",
    "CompiledTemplate",
    "TemplateError",
    "clear_template_cache",
    "compiled_template",
    "jinja_environment",
    "render_document",
    "render_template_file",
    "template_cache_info",
    "template_path",
    "template_version",
]

KINDS = (
    "service_contract",
    "tariff_appendix",
    "supplementary_agreement",
    "tripartite_agreement",
    "disagreement_protocol",
    "order_letter",
    "pbx_sheet",
)
LANGUAGES = FORMAT_LANGUAGES  # the languages numberdesk writes documents in

TEMPLATE_DIR = Path(__file__).resolve().parent

TemplateSource = Union[str, "os.PathLike[str]", bytes, IO[bytes]]


class TemplateError(Exception):
    """A template could not be rendered (undefined variable, sandbox violation,
    syntax error, unreadable file, unknown kind/language ...).

    ``str(error)`` names the problem, e.g. the undefined variable.  ``snippet``
    holds the surrounding template text when the error can be located.
    """

    def __init__(self, message: str, *, snippet: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.snippet = snippet


# The one environment used for every render and every compile.
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


def _docx_context(exc: jinja2.TemplateError, source: str) -> list[str]:
    """The template text around a syntax error, as docxtpl reports it: seven
    lines of the compiled source from three before the error, tags removed."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        return []
    first = max(lineno - 4, 0)
    return [re.sub(r"<[^>]+>", "", line) for line in source.splitlines()[first:first + 7]]


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


def _jinja_failure(name: str, exc: jinja2.TemplateError) -> TemplateError:
    snippet = _snippet(exc)
    message = f"{name}: {_describe(exc)}"
    if snippet:
        message += f" (near: {snippet})"
    return TemplateError(message, snippet=snippet)


# ------------------------------------------------------------ compiled templates

_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


class _Part(NamedTuple):
    """One XML part of the package that holds template tags."""

    member: str  # zip entry name, e.g. "word/footer1.xml"
    template: jinja2.Template
    # How docxtpl puts the rendered XML back, which we mirror:
    # "body": the main document's <w:body>, through fix_tables, into the document element;
    # "xml": a header/footer, re-parsed and serialised like a python-docx XmlPart;
    # "raw": footnotes, written back as rendered.
    how: str


@dataclass(frozen=True)
class CompiledTemplate:
    """Everything about one template that does not depend on the context."""

    digest: str  # SHA-256 of the template bytes, the cache key
    parts: tuple[_Part, ...]
    # The document element with an empty <w:body>, which a render replaces;
    # kept serialised so that concurrent renders share no lxml tree.
    document_shell: bytes
    # A zip of every entry that has no template tags, compressed once; a render
    # appends its rendered parts to a copy of it.
    static_zip: bytes
    # Only docxtpl's stateless XML helpers (resolve_listing, fix_tables) are
    # used from it after compiling, so one instance serves concurrent renders.
    docxtpl: DocxTemplate


def _compile_part(member: str, xml: str, how: str, docxtpl: DocxTemplate, name: str) -> _Part:
    # Same preparation as DocxTemplate.render_xml_part, done once instead of per render.
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", docxtpl.patch_xml(xml))
    try:
        template = _ENV.from_string(source)
    except jinja2.TemplateError as exc:
        exc.docx_context = _docx_context(exc, source)
        raise _jinja_failure(name, exc) from exc
    return _Part(member, template, how)


def _fresh_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    # ZipFile.writestr fills in sizes and offsets on the ZipInfo it is given,
    # so never hand it a shared one.
    fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    fresh.compress_type = zipfile.ZIP_DEFLATED
    fresh.external_attr = info.external_attr
    return fresh


def _compile(data: bytes, digest: str, name: str) -> CompiledTemplate:
    try:
        docxtpl = DocxTemplate(io.BytesIO(data))
        docxtpl.init_docx()
        document = docxtpl.docx
    except Exception as exc:  # not a zip, not a Word document ...
        raise TemplateError(f"{name}: cannot open as a Word document: {exc}") from exc

    # The same parts docxtpl renders, read the way it reads them.
    parts = [_compile_part(document.part.partname[1:], docxtpl.get_xml(), "body", docxtpl, name)]
    for uri in (docxtpl.HEADER_URI, docxtpl.FOOTER_URI):
        for _, part in docxtpl.get_headers_footers(uri):
            member = part.partname[1:]
            if all(known.member != member for known in parts):
                parts.append(
                    _compile_part(member, docxtpl.get_part_xml(part), "xml", docxtpl, name)
                )
    for part in document.part.package.parts:
        if part.content_type == _FOOTNOTES_TYPE:
            xml = part.blob.decode("utf-8")
            parts.append(_compile_part(part.partname[1:], xml, "raw", docxtpl, name))

    shell = copy.deepcopy(document.element)
    body = shell.find(docx.oxml.ns.qn("w:body"))
    for child in list(body):
        body.remove(child)
    shell = serialize_part_xml(shell)

    rendered = {part.member for part in parts}
    static = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(static, "w") as target:
        for info in source.infolist():
            if info.filename not in rendered:
                target.writestr(_fresh_info(info), source.read(info.filename))

    docxtpl.docx = None  # the parsed package is no longer needed; free it
    return CompiledTemplate(
        digest=digest,
        parts=tuple(parts),
        document_shell=shell,
        static_zip=static.getvalue(),
        docxtpl=docxtpl,
    )


# Bounded so that a stream of different uploaded templates cannot grow memory
# without limit; the bundled ones (7 kinds x 2 languages) all fit.
_CACHE_SIZE = 32
_cache: OrderedDict[str, CompiledTemplate] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0}


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int
    maxsize: int


def template_cache_info() -> CacheInfo:
    """Hits, misses and size of the compiled-template cache."""
    with _cache_lock:
        return CacheInfo(_cache_stats["hits"], _cache_stats["misses"], len(_cache), _CACHE_SIZE)


def clear_template_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _cache_stats.update(hits=0, misses=0)


def compiled_template(data: bytes, name: str = "template") -> CompiledTemplate:
    """The compiled form of the template ``data``, from the cache when its
    content has been seen before."""
    digest = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        compiled = _cache.get(digest)
        if compiled is not None:
            _cache.move_to_end(digest)
            _cache_stats["hits"] += 1
            return compiled
        _cache_stats["misses"] += 1
    # Compiled outside the lock: two threads may both compile a new template,
    # which only wastes a little work.
    compiled = _compile(data, digest, name)
    with _cache_lock:
        _cache[digest] = compiled
        _cache.move_to_end(digest)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


# -------------------------------------------------------------------- rendering

_LISTING_CHARACTERS = ("\t", "\a", "\n", "\f")


def _render_part(compiled: CompiledTemplate, part: _Part, context: dict) -> str:
    """docxtpl's render_xml_part with the compile step taken out."""
    xml = part.template.render(context)
    # docxtpl's re.sub(r"\n<w:p([ >])", r"<w:p\1", ...), as two plain replaces:
    # same result, without a regex match object per paragraph.
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    # resolve_listing only turns these characters (from values such as
    # "line one\nline two") into Word tabs/breaks; without them it returns
    # its input unchanged, so skip its three nested regex passes.
    if any(character in xml for character in _LISTING_CHARACTERS):
        xml = compiled.docxtpl.resolve_listing(xml)
    return xml


def _document_xml(compiled: CompiledTemplate, body_xml: str) -> bytes:
    """What DocxTemplate.render + save make of the rendered body."""
    tree = compiled.docxtpl.fix_tables(body_xml)
    # DocxTemplate.fix_docpr_ids (drawing ids numbered from 1001 in document
    # order), without the counter it keeps on the shared instance.
    for number, element in enumerate(tree.iter(docx.oxml.ns.qn("wp:docPr")), start=1001):
        element.attrib["id"] = str(number)
    document = parse_xml(compiled.document_shell)
    document.replace(document.find(docx.oxml.ns.qn("w:body")), tree)
    return serialize_part_xml(document)


def _render_compiled(compiled: CompiledTemplate, context: dict) -> bytes:
    rendered: list[tuple[str, bytes]] = []
    for part in compiled.parts:
        xml = _render_part(compiled, part, context)
        if part.how == "body":
            data = _document_xml(compiled, xml)
        elif part.how == "xml":
            # Parsing also rejects a header/footer the render left malformed.
            data = serialize_part_xml(parse_xml(xml.encode("utf-8")))
        else:
            data = xml.encode("utf-8")
        rendered.append((part.member, data))

    out = io.BytesIO(compiled.static_zip)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as package:
        for member, data in rendered:
            package.writestr(member, data)
    return out.getvalue()


def _read_source(path: TemplateSource, name: str) -> bytes:
    try:
        if isinstance(path, (bytes, bytearray)):
            return bytes(path)
        if isinstance(path, (str, os.PathLike)):
            return Path(path).read_bytes()
        # The whole upload, wherever its position was left (docxtpl's zip
        # reader ignored the position too).
        if path.seekable():
            path.seek(0)
        return path.read()
    except Exception as exc:  # missing file, unreadable upload ...
        raise TemplateError(f"{name}: cannot open as a Word document: {exc}") from exc


def render_template_file(path: TemplateSource, context: dict) -> bytes:
    """Render an arbitrary docxtpl template through the shared sandbox.

    ``path`` may be a filesystem path, the raw .docx bytes or a binary file
    object (e.g. an uploaded file).  Returns the rendered .docx bytes.
    """
    if not isinstance(context, dict):
        raise TemplateError(f"context must be a dict, not {type(context).__name__}")
    name = _display_name(path)
    compiled = compiled_template(_read_source(path, name), name)
    try:
        return _render_compiled(compiled, _clean(context))
    except jinja2.TemplateError as exc:
        raise _jinja_failure(name, exc) from exc
    except Exception as exc:  # broken XML after rendering, etc.
        raise TemplateError(f"{name}: rendering failed: {type(exc).__name__}: {exc}") from exc
