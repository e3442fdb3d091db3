"""Checks an uploaded contract template before it may replace a bundled one, and renders uploaded
templates under limits.

``validate_template(kind, language, data, filename)`` returns every reason the
upload is refused; an empty list means it may be stored.  The checks run from
cheap to expensive, and each later check only runs when the earlier ones leave
it something sound to look at:

1. the request itself: known kind and language, a ``.docx`` name, a sane size;
2. the ZIP directory (before anything is decompressed): entry count, total
   uncompressed size, compression ratio, entry names; then that it is a Word
   document without macros, ActiveX controls, external relationships, OLE
   objects or other embeddings, altChunk, an attached template, or fields that
   fetch outside content (DDE, INCLUDETEXT, INCLUDEPICTURE ...);
3. the Jinja source of every part the renderer renders (body, headers,
   footers, footnotes): syntax, variables the kind does not provide, and
   obvious attempts to escape the sandbox or exhaust resources.  Only the
   syntax tree is examined here: Jinja's compiler folds constant expressions,
   so compiling is left to the test render;
4. a test render with ``sample_context(language)`` in a separate process
   with CPU-time, memory and wall-clock limits, through the same sandboxed
   ``render_template_file`` production uses.

The static checks of step 3 are not what keeps a template safe: the Jinja
sandbox does that when rendering.  They reject what is obviously hostile or
broken with a clear message, and step 4 catches what slips through with sample
data.  Real data can still make a template slow or greedy (a loop over a number
from the request), so every real document made from an uploaded template is
rendered by the same limited child process (:func:`render_limited`), and the
document it makes is checked as an upload is.
"""

from __future__ import annotations

import html
import io
import json
import math
import operator
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from . import LANGUAGES, TemplateError, render_template_file
from .schema import KIND_VARIABLES, VARIABLES
from models.zip_packages import MAX_UNCOMPRESSED_BYTES, zip_directory_problems

__all__ = ["RenderRefused", "feature_problems", "render_limited", "render_sample", "validate_template"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

RENDER_CPU_SECONDS = 10
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024  # importing docxtpl, lxml and jinja2 takes about 50 MB
RENDER_WALL_SECONDS = 30  # CPU time plus start-up; a child blocked on something else is stopped too
# A rendered document bigger than this is refused rather than stored (the bundled ones are under 100 kB).
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# Constants above these are refused where they multiply work: range(), `*` and `**`.
MAX_RANGE = 10_000
MAX_REPEAT = 10_000
MAX_EXPONENT = 100

WORD_DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# Jinja globals a contract template has no use for.  lipsum's function object
# leads to __globals__, cycler/joiner/namespace are the usual gadgets of sandbox
# escapes, and `self` exposes the template's blocks.
FORBIDDEN_NAMES = ("lipsum", "cycler", "joiner", "namespace", "self")
# Jinja globals that are harmless and may be used (range is checked separately).
ALLOWED_GLOBALS = frozenset({"range", "dict"})

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXIT_REFUSED = 2
EXIT_MEMORY = 3

# Only used to parse: the renderer's environment has the same syntax, and
# parsing here keeps validation independent of its caches.
_PARSER = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def validate_template(kind: str, language: str, data: bytes, filename: str) -> list[str]:
    """Every reason the upload is refused; ``[]`` when it is acceptable."""
    reasons: list[str] = []
    known_kind = kind in KIND_VARIABLES
    known_language = language in LANGUAGES
    if not known_kind:
        reasons.append(f"unknown document kind {kind!r}; expected one of {', '.join(KIND_VARIABLES)}")
    if not known_language:
        reasons.append(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix != ".docx":
        reasons.append(f"the file must be a Word document ending in .docx, not {suffix or 'a name without one'}"
                       + (" (macro-enabled files and Word templates are refused)"
                          if suffix in (".docm", ".dotm", ".dotx", ".dot", ".doc") else ""))
    if not data:
        return reasons + ["the file is empty"]
    if len(data) > MAX_UPLOAD_BYTES:
        # Too big to be worth opening at all.
        return reasons + [f"the file is {len(data) / 1024 / 1024:.1f} MB; at most "
                          f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB are accepted"]

    package_problems = _package_problems(data)
    if package_problems:
        return reasons + package_problems

    try:
        sources = _jinja_sources(data)
    except Exception as exc:  # python-docx could not make sense of the package
        return reasons + [f"not a readable Word document: {exc}"]

    syntax_errors: list[str] = []
    parsed: list[nodes.Template] = []
    for where, source in sources:
        try:
            parsed.append(_PARSER.parse(source))
        except TemplateSyntaxError as exc:
            syntax_errors.append(_syntax_reason(where, source, exc))
        except (ValueError, RecursionError) as exc:
            # Raised by the parser itself: a number with thousands of digits, absurdly deep nesting.
            syntax_errors.append(f"the Jinja tags in {where} cannot be read: {type(exc).__name__}: "
                                 f"{str(exc)[:200]}")
    if syntax_errors:
        return reasons + syntax_errors

    try:
        content_problems = _dangerous_constructs(parsed)
        unknown = _unknown_variables(parsed, kind) if known_kind else []
    except RecursionError:  # the syntax tree walks recurse once per level of nesting
        return reasons + ["the Jinja tags are nested too deeply"]
    if unknown:
        content_problems.append(f"unknown variable(s): {', '.join(unknown)}; a {kind.replace('_', ' ')} may "
                                f"only use {', '.join(sorted(KIND_VARIABLES[kind]))}")
    reasons += content_problems

    # With content problems the test render would only repeat what is already
    # wrong, or run what is already known to be hostile.
    if content_problems or not known_kind or not known_language:
        return reasons
    problem = render_sample(kind, language, data)
    return reasons + [problem] if problem else reasons


# --- 2. the ZIP package ----------------------------------------------------------------------------

def _package_problems(data: bytes) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return ["not a .docx file: it is not a ZIP archive (is it an old .doc or another format?)"]
    with archive:
        entries = archive.infolist()
        problems = zip_directory_problems(entries)
        if problems:
            # Nothing gets decompressed from a suspicious archive.
            return problems

        names = {entry.filename for entry in entries}
        missing = [name for name in ("[Content_Types].xml", "word/document.xml") if name not in names]
        if missing:
            return [f"not a Word document: {' and '.join(missing)} missing"]

        for entry in entries:
            lowered = entry.filename.lower()
            if PurePosixPath(lowered).name == "vbaproject.bin":
                problems.append(f"contains a macro project ({entry.filename}); macros are refused")
            elif lowered.startswith("word/activex/"):
                problems.append("contains ActiveX controls (word/activeX/); they are refused")
                break
        try:
            content_types = _content_types(archive.read("[Content_Types].xml"))
        except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, OSError) as exc:
            return problems + [f"not a Word document: [Content_Types].xml cannot be read ({exc})"]
        problems += feature_problems(archive)

    for part, content_type in content_types:
        lowered = content_type.lower()
        if "macroenabled" in lowered or "vbaproject" in lowered:
            problems.append(f"declares macro content ({content_type}); macros are refused")
        elif "activex" in lowered:
            problems.append(f"declares ActiveX controls ({content_type}); they are refused")
        elif "oleobject" in lowered:
            problems.append(f"declares an OLE object ({content_type}); embedded objects are refused")
    main = dict(content_types).get("/word/document.xml")
    if main is None:
        problems.append("not a Word document: [Content_Types].xml declares no type for word/document.xml")
    elif main != WORD_DOCUMENT_TYPE and "macroenabled" not in main.lower():
        problems.append(f"not a Word document: word/document.xml is {main}")
    return _unique(problems)


def _content_types(xml: bytes) -> list[tuple[str, str]]:
    """(part name or '*.extension', content type) of every Default and Override."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml, parser=parser)
    found = []
    for element in root:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "Override":
            found.append((element.get("PartName", ""), element.get("ContentType", "")))
        elif local == "Default":
            found.append(("*." + element.get("Extension", ""), element.get("ContentType", "")))
    return found


# --- 2b. what the document refers to or carries inside -------------------------------------------

# Relationship types (the last part of the type URI, lower case) that bring in content from
# elsewhere when Word opens the document, or run it.
_REFUSED_RELATIONSHIPS = {
    "oleobject": "an OLE object",
    "package": "an embedded file (OLE package)",
    "afchunk": "an altChunk (content imported as is from another file)",
    "attachedtemplate": "an attached template",
    "subdocument": "a subdocument",
    "control": "an ActiveX control",
}
# Elements (by local name) that carry such content in the XML itself.
_REFUSED_ELEMENTS = {
    "altChunk": "an altChunk (content imported as is from another file)",
    "object": "an OLE object",
    "OLEObject": "an OLE object",
    "attachedTemplate": "an attached template",
    "subDoc": "a subdocument",
}
# Field codes that fetch or run something outside the document when Word updates fields.
REFUSED_FIELDS = ("DDE", "DDEAUTO", "INCLUDE", "INCLUDETEXT", "INCLUDEPICTURE", "IMPORT", "LINK", "DATABASE")
_FIELD_NAME = re.compile(r"\s*([A-Za-z]+)")
_SAFE_PARSING = {"resolve_entities": False, "no_network": True, "load_dtd": False}


def feature_problems(archive: zipfile.ZipFile) -> list[str]:
    """What a contract template must not contain: external relationships, OLE objects and other
    embeddings, altChunk, an attached template, and fields such as DDE or INCLUDETEXT.  Word acts on
    each of these when it opens the document (fetching, linking or running something), and none has
    a place in a contract.  Used on uploads and on every rendered document, since a template's Jinja
    could write such XML itself."""
    found: dict[str, list[str]] = {}  # what is refused -> where, in order of discovery

    def note(what: str, where: str) -> None:
        places = found.setdefault(what, [])
        if where not in places:
            places.append(where)

    for entry in archive.infolist():
        name = entry.filename
        lowered = name.lower()
        if lowered.startswith("word/embeddings/"):
            note(EMBEDDINGS, name)
        try:
            if lowered.endswith(".rels"):
                _scan_relationships(archive.read(name), name, note)
            elif lowered.startswith("word/") and lowered.endswith(".xml"):
                _scan_wordprocessing(archive.read(name), name, note)
        except etree.XMLSyntaxError as exc:
            note(MALFORMED, f"{name}: {exc}")
    return [f"contains {what} ({', '.join(places[:3])}{', ...' if len(places) > 3 else ''}); {_WHY[what]}"
            for what, places in found.items()]


EXTERNAL = "external relationships (TargetMode=\"External\")"
EMBEDDINGS = "embedded objects or files (OLE embeddings)"
MALFORMED = "parts that are not well-formed XML"
_WHY = {
    EXTERNAL: "links, images or templates outside the document are refused: Word may fetch them on opening it",
    EMBEDDINGS: "embedded objects are refused",
    MALFORMED: "Word could not open it",
    **{what: "embedded objects are refused" for what in ("an OLE object", "an embedded file (OLE package)")},
    "an altChunk (content imported as is from another file)": "altChunk is refused; paste the text instead",
    "an attached template": "attached templates are refused; save the document without one",
    "a subdocument": "master documents with subdocuments are refused",
    "an ActiveX control": "ActiveX controls are refused",
    **{f"a {field} field code": "DDE, INCLUDETEXT, INCLUDEPICTURE and other fields that fetch content from "
       "outside the document are refused" for field in REFUSED_FIELDS},
}
assert set(_REFUSED_RELATIONSHIPS.values()) | set(_REFUSED_ELEMENTS.values()) <= set(_WHY)


def _attribute(element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (transitional or strict OOXML)."""
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name:
            return value
    return None


def _scan_relationships(xml: bytes, name: str, note) -> None:
    root = etree.fromstring(xml, parser=etree.XMLParser(**_SAFE_PARSING))
    for element in root:
        if not isinstance(element.tag, str) or etree.QName(element).localname != "Relationship":
            continue
        kind = (element.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
        target = (element.get("Target") or "")[:80]
        if kind.lower() in _REFUSED_RELATIONSHIPS:
            note(_REFUSED_RELATIONSHIPS[kind.lower()], f"{name}: {target}")
        elif (element.get("TargetMode") or "").lower() == "external":
            note(EXTERNAL, f"{kind} to {target}")


def _scan_wordprocessing(xml: bytes, name: str, note) -> None:
    """Refused elements and field codes of one part.  A complex field's instruction may be split over
    several w:instrText runs and hold nested fields, so instructions are put together per field."""
    def check(instruction: str | None) -> None:
        match = _FIELD_NAME.match(instruction or "")
        if match and match.group(1).upper() in REFUSED_FIELDS:
            note(f"a {match.group(1).upper()} field code", name)

    open_fields: list[list[str] | None] = []  # instruction parts of each open field; None once checked
    events = etree.iterparse(io.BytesIO(xml), events=("end",), **_SAFE_PARSING)
    for _, element in events:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "fldChar":
            which = _attribute(element, "fldCharType")
            if which == "begin":
                open_fields.append([])
            elif which in ("separate", "end") and open_fields:
                parts = open_fields.pop() if which == "end" else open_fields[-1]
                if parts is not None:
                    check("".join(parts))
                if which == "separate":
                    open_fields[-1] = None
        elif local in ("instrText", "delInstrText"):
            if open_fields and open_fields[-1] is not None:
                open_fields[-1].append(element.text or "")
            else:
                check(element.text)
        elif local == "fldSimple":
            check(_attribute(element, "instr"))
        elif local in _REFUSED_ELEMENTS:
            note(_REFUSED_ELEMENTS[local], name)
        # Parts can be large: keep only what is still being read.
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    for parts in open_fields:  # a field never closed is still one Word may update
        if parts is not None:
            check("".join(parts))


# --- 3. the Jinja source ---------------------------------------------------------------------------

def _jinja_sources(data: bytes) -> list[tuple[str, str]]:
    """(where, Jinja source) of every part ``render_template_file`` renders,
    patched as docxtpl patches it (so that ``{%tr %}`` and friends are what
    Jinja sees)."""
    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    sources = [("the document body", _as_rendered(template.patch_xml(template.get_xml())))]
    for uri, noun in ((template.HEADER_URI, "header"), (template.FOOTER_URI, "footer")):
        for _, part in template.get_headers_footers(uri):
            where = f"a {noun} ({str(part.partname).lstrip('/')})"
            if all(where != known for known, _ in sources):  # several sections may share one
                xml = template.patch_xml(template.get_part_xml(part))
                sources.append((where, _as_rendered(xml)))
    for part in template.docx.part.package.parts:
        if part.content_type == FOOTNOTES_TYPE:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            sources.append(("the footnotes", _as_rendered(template.patch_xml(blob))))
    return sources


def _as_rendered(xml: str) -> str:
    # docxtpl starts each paragraph on a new line before rendering, so that error
    # line numbers point at paragraphs; do the same so ours match.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _syntax_reason(where: str, source: str, exc: TemplateSyntaxError) -> str:
    lines = source.splitlines()
    index = max((exc.lineno or 1) - 1, 0)
    nearby = " ".join(_plain_text(line) for line in lines[max(index - 1, 0):index + 2])
    nearby = " ".join(nearby.split())
    reason = f"Jinja syntax error in {where}"
    if len(lines) > 1:
        reason += f" around paragraph {index}"
    reason += f": {exc.message}"
    if nearby:
        reason += f" (near: {nearby[:200]})"
    return reason


def _plain_text(xml_line: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", xml_line))


def _dangerous_constructs(templates: list[nodes.Template]) -> list[str]:
    """Obvious attempts to reach Python internals or exhaust the renderer."""
    underscore, forbidden, ranges, repeats, powers, loading = [], [], [], [], [], []
    for template in templates:
        # Names starting with '_' are Python internals (''.__class__.__mro__,
        # cycler.__init__.__globals__ ...): the road out of the sandbox.
        for node in template.find_all(nodes.Getattr):
            if node.attr.startswith("_"):
                underscore.append(node.attr)
        for node in template.find_all(nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) \
                    and node.arg.value.startswith("_"):
                underscore.append(node.arg.value)
        for node in template.find_all(nodes.Filter):
            if node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const) \
                    and str(node.args[0].value).startswith("_"):
                underscore.append(str(node.args[0].value))
        for node in template.find_all(nodes.Name):
            if node.name in FORBIDDEN_NAMES:
                forbidden.append(node.name)
        # range(10**9): a loop that never ends in practice.
        for node in template.find_all(nodes.Call):
            if isinstance(node.node, nodes.Name) and node.node.name == "range":
                for argument in node.args:
                    value = _constant(argument)
                    if value is not None and abs(value) > MAX_RANGE:
                        ranges.append(_shown(value))
        # 'a' * 10**9 builds a gigabyte string (or list).
        for node in template.find_all(nodes.Mul):
            for operand in (node.left, node.right):
                value = _constant(operand)
                if value is not None and abs(value) > MAX_REPEAT:
                    repeats.append(_shown(value))
        # 10 ** 10000000000 computes a number with ten billion digits.  Contracts
        # need no powers, so only small constant exponents are let through.
        for node in template.find_all(nodes.Pow):
            value = _constant(node.right)
            if value is None or abs(value) > MAX_EXPONENT:
                powers.append("a variable" if value is None else _shown(value))
        # There is no template loader: these could only fail, or read files if there were one.
        for node in template.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            loading.append(type(node).__name__.lower())

    problems = []
    if underscore:
        problems.append(f"access to internal attribute(s) {', '.join(sorted(set(underscore)))} is not allowed "
                        "(names starting with '_' reach Python internals)")
    if forbidden:
        problems.append(f"{', '.join(sorted(set(forbidden)))} may not be used in contract templates")
    if ranges:
        problems.append(f"range() over {', '.join(_unique(ranges))} items; at most {MAX_RANGE:,} are allowed")
    if repeats:
        problems.append(f"multiplying by {', '.join(_unique(repeats))}; texts and lists may be repeated "
                        f"at most {MAX_REPEAT:,} times")
    if powers:
        problems.append(f"'**' with the exponent {', '.join(_unique(powers))}; only constant exponents up to "
                        f"{MAX_EXPONENT} are allowed")
    if loading:
        problems.append(f"{', '.join(_unique(loading))} of other templates is not available; "
                        "a contract template must be one self-contained document")
    return problems


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "//": operator.floordiv, "%": operator.mod, "**": operator.pow}
_HUGE = 10 ** 100


def _constant(node: nodes.Node) -> int | float | None:
    """The value of a constant arithmetic expression, or None if it is not one.

    Never computes anything big: a result beyond 10**100, or a power that would
    get there, is reported as infinity instead of being calculated.
    """
    if isinstance(node, nodes.Const):
        value = node.value
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(node, (nodes.Neg, nodes.Pos)):
        value = _constant(node.node)
        return None if value is None else (-value if isinstance(node, nodes.Neg) else value)
    if isinstance(node, nodes.BinExpr) and node.operator in _ARITHMETIC:
        left, right = _constant(node.left), _constant(node.right)
        if left is None or right is None:
            return None
        if node.operator == "**" and (abs(right) > MAX_EXPONENT or abs(left) > _HUGE):
            return math.inf
        try:
            value = _ARITHMETIC[node.operator](left, right)
        except OverflowError:
            return math.inf
        except (ArithmeticError, ValueError, TypeError):
            return None
        if isinstance(value, complex):
            return None
        return value if abs(value) <= _HUGE else math.inf
    return None


def _shown(value: int | float) -> str:
    if math.isinf(value) or abs(value) >= 10 ** 12:
        return "an astronomical number"
    return f"{value:,}"


def _unknown_variables(templates: list[nodes.Template], kind: str) -> list[str]:
    """Names and dotted paths the template reads that a document of ``kind`` does not have."""
    provided = KIND_VARIABLES[kind]
    unknown: set[str] = set()
    for template in templates:
        names, paths = _reads(template)
        unknown |= names - provided - ALLOWED_GLOBALS - set(FORBIDDEN_NAMES)
        unknown |= {path for path in paths if path.split(".", 1)[0] in provided and _is_unknown_path(path)}
    return sorted(unknown)


def _reads(template: nodes.Template) -> tuple[set[str], set[str]]:
    """The context names a template reads, and the dotted paths below them.

    Inside ``{% for rate in tariff.rates %}`` the path of ``rate.destination``
    is ``tariff.rates[].destination``.  Names the template assigns itself
    ({% set %}, loop targets, macro arguments ...) are no context names.

    This walks the syntax tree instead of using ``jinja2.meta``: that runs
    Jinja's code generator, which folds constant expressions, so
    ``{{ 'a' * 10000 * 10000 * 100 }}`` would build 10 GB here, outside the
    limits of the test render.
    """
    assigned = {node.name for node in template.find_all(nodes.Name) if node.ctx in ("store", "param")}
    names: set[str] = set()
    paths: set[str] = set()

    def path_of(node: nodes.Node, scope: dict[str, str | None]) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in assigned else node.name
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node, scope)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str):
            base = path_of(node.node, scope)
            return None if base is None else f"{base}.{node.arg.value}"
        return None

    def visit(node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in scope \
                and node.name not in assigned:
            names.add(node.name)
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            path = path_of(node, scope)
            if path is not None:
                paths.add(path)
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            inner = {**scope, "loop": None}
            if isinstance(node.target, nodes.Name):
                source = path_of(node.iter, scope)
                inner[node.target.name] = f"{source}[]" if source in VARIABLES else None
            for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
                visit(child, inner)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            # What Jinja itself defines inside a macro or call block.
            scope = {**scope, "caller": None, "varargs": None, "kwargs": None}
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(template, {})
    return names, paths


def _is_unknown_path(path: str) -> bool:
    """Whether ``path`` names a key the context lacks.  Only keys of the
    context's own dicts are checked: ``carrier.legal_name.upper`` is a string
    method, not a missing key."""
    if path in VARIABLES or any(known.startswith(path + ".") for known in VARIABLES):
        return False
    parent = path.rsplit(".", 1)[0]
    return any(known.startswith(parent + ".") for known in VARIABLES)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- 4. rendering in a child process under limits -------------------------------------------------

# Runs in the child: the limits are set before anything big is imported, so the
# imports count against them too.
_CHILD = """\
import resource, sys
root, cpu, memory = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def limit(which, value):
    hard = resource.getrlimit(which)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))

limit(resource.RLIMIT_CORE, 0)
limit(resource.RLIMIT_AS, memory)
hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)[1]
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1 if hard_cpu == resource.RLIM_INFINITY else hard_cpu))
sys.path.insert(0, root)
from contract_templates.validation import _render_child
sys.exit(_render_child())
"""


class RenderRefused(TemplateError):
    """A template could not be rendered within the limits, or made a document that is refused.
    ``str(error)`` says why, starting with "rendering ..."."""


def render_limited(kind: str, language: str, data: bytes, context: dict | None = None) -> bytes:
    """Render the uploaded template ``data`` of ``kind`` in a child process with limited CPU time,
    memory and wall-clock time, and return the document.  ``context`` is the real data; without it
    the template is rendered with ``sample_context(language)`` and nothing is returned.

    The child receives only the top-level names a document of ``kind`` receives: a template can lean
    on nothing more, and secrets meant for other kinds never reach it.  The document it makes is
    checked as uploads are (:func:`feature_problems`), and for its size.  Raises :class:`RenderRefused`.
    """
    keep = context is not None
    if context is None:
        # Made here, not in the child: the sample comes from the application's one context builder, whose
        # imports (the domain's labels) the child need not carry under its limits.
        from .sample import sample_context
        context = sample_context(language)
    # Exactly what a document of this kind receives, so a template cannot lean on more.
    context = {name: value for name, value in context.items() if name in KIND_VARIABLES[kind]}
    # The job travels on stdin, never on the command line, which other local users can read.
    job = json.dumps({"kind": kind, "language": language, "context": context, "keep": keep}).encode("utf-8")
    command = [sys.executable, "-I", "-c", _CHILD, str(PROJECT_ROOT), str(RENDER_CPU_SECONDS),
               str(RENDER_MEMORY_BYTES)]
    too_long = RenderRefused(f"rendering took too long (stopped after {RENDER_CPU_SECONDS} s)")
    too_big = RenderRefused(f"rendering used too much memory (more than {RENDER_MEMORY_BYTES // 1024 // 1024} MB)")
    try:
        done = subprocess.run(command, input=job + b"\n" + data, capture_output=True,
                              timeout=RENDER_WALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise too_long from None
    if done.returncode == 0:
        return done.stdout
    if done.returncode == EXIT_REFUSED:
        message = done.stdout.decode("utf-8", "replace").strip()
        raise RenderRefused(f"rendering failed: {message.removeprefix('uploaded template: ')}")
    if done.returncode == EXIT_MEMORY or b"MemoryError" in done.stderr:
        raise too_big
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise too_long
    raise RenderRefused(f"rendering failed: the renderer stopped unexpectedly (exit status {done.returncode})")


def render_sample(kind: str, language: str, data: bytes) -> str | None:
    """Render ``data`` with ``sample_context(language)`` under the limits of
    :func:`render_limited`.  None when it rendered, otherwise the reason it did not."""
    try:
        render_limited(kind, language, data)
    except RenderRefused as exc:
        return "rendering with sample data" + exc.message.removeprefix("rendering")
    return None


def _render_child() -> int:
    """The child's side of :func:`render_limited`: the job (one JSON line) and the template arrive
    on stdin; the document, or the reason it was refused, leaves on stdout."""
    job = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    context = job["context"]
    try:
        document = render_template_file(data, context)
        problems = _document_problems(document)
    except MemoryError:
        return EXIT_MEMORY
    except TemplateError as exc:
        if isinstance(exc.__cause__, MemoryError):
            return EXIT_MEMORY
        sys.stdout.write(exc.message)
        return EXIT_REFUSED
    if problems:
        sys.stdout.write("the document it made " + "; ".join(problems))
        return EXIT_REFUSED
    if job["keep"]:
        sys.stdout.buffer.write(document)
    return 0


def _document_problems(document: bytes) -> list[str]:
    """What is wrong with a rendered document: too big to keep, or carrying what uploads may not."""
    if len(document) > MAX_DOCUMENT_BYTES:
        return [f"is {len(document) / 1024 / 1024:.1f} MB; at most {MAX_DOCUMENT_BYTES // 1024 // 1024} MB "
                "are kept"]
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            return [f"would unpack to {unpacked / 1024 / 1024:.0f} MB; at most "
                    f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB are kept"]
        return feature_problems(archive)
