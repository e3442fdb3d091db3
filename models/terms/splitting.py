"""A contract's text split into its numbered clauses, each with the section heading it falls under.

A line starts a clause when it begins with a clause number ("4.2.", "4.2)", "п. 4.2", "Пункт 4.2", "Clause 4.2",
"4.", "Статья 4.", "Section 5") that carries the numbering on: the next number at some level, perhaps after
a gap of two, or the first child of the last one. Everything else continues the clause before it: wrapped PDF
lines, lettered sub-items, and numbers that only happen to begin a line ("30 days", "7.2 of the Contract"),
which fail that test or follow a line ending in "п." or "clause". A short numbered line without a sentence end
is a heading: it names the section of the clauses under it and is a clause itself only when text follows it.
"""
import re
from dataclasses import dataclass

__all__ = ["Clause", "split_clauses"]


@dataclass(frozen=True)
class Clause:
    number: str  # "4.2"; "" for the text before the first clause (title, parties)
    heading: str  # the section heading the clause falls under, as written ("4. Стоимость услуг"); "" for none
    text: str  # the clause's own text, without its number, on one line


HEADING_WORDS = ("статья", "раздел", "глава", "section", "article", "chapter")
CLAUSE_WORDS = ("пункт", "п.", "clause")
MAX_SKIP = 3  # the next clause number may be this much higher (clauses deleted from a standard text)
MAX_HEADING = 100
MAX_PLAIN_HEADING = 60  # a title-case heading; a wrapped line of a PDF page is longer

_NUMBERED = re.compile(
    r"(?:(?P<word>" + "|".join(re.escape(word) for word in HEADING_WORDS + CLAUSE_WORDS) + r")\s*)?"
    r"(?P<number>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})(?P<end>[.)]?)"
    r"(?:\s+|$|(?<=[.)])(?=[^\W\d_]))(?P<rest>.*)", re.IGNORECASE)
# A clause's text begins with an opening quote or a letter (upper-case, checked apart); not with "(" or a digit.
_CLAUSE_TEXT_START = re.compile(r"[«\"“„'‘]|[^\W\d_]")
# The end of a line that refers to the number on the next one: "согласно п." / "under clause".
_REFERS_TO_NUMBER = re.compile(
    r"(?:\b(?:пп?|ст|ч|разд|гл)\.|\b(?:пункт|подпункт|раздел|стать|глав|част|приложени|clause|section|article"
    r"|paragraph|appendix|annex|schedule|item)\w*|№|\bno\.?)$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?;]\s")


@dataclass
class _Block:
    """A clause or heading: its numbered first line and the lines that continue it."""

    parts: tuple[int, ...]
    number: str
    word: str  # "статья", "п.", "clause" ... in lower case; "" for a bare number
    line: str
    title: str  # the text after the number
    lines: list[str]
    heading: bool = False


def split_clauses(text: str) -> list[Clause]:
    """The clauses of a contract's text, in order; the text before the first clause is one with number ""."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    starts = _starts(lines, _looks_wrapped(lines))
    first = starts[0].index if starts else len(lines)
    preamble = lines[:first]
    blocks = []
    for position, start in enumerate(starts):
        end = starts[position + 1].index if position + 1 < len(starts) else len(lines)
        blocks.append(start.block(lines[start.index + 1:end]))
    for block in blocks:
        _mark_heading(block)

    clauses = []
    loose_heading = _loose_heading(preamble, blocks[0] if blocks else None)
    if preamble:
        clauses.append(Clause(number="", heading="", text=_joined(preamble)))
    stack: list[tuple[tuple[int, ...], str]] = []  # the headings the current clause falls under, outermost first
    for position, block in enumerate(blocks):
        if loose_heading is not None:
            _push(stack, block.parts[:-1], loose_heading)
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        loose_heading = _loose_heading(block.lines, following)
        if block.heading:
            _push(stack, block.parts, block.line)
            if block.lines:
                clauses.append(Clause(number=block.number, heading=stack[-1][1], text=_joined(block.lines)))
            elif following is None or not _within(following.parts, block.parts):
                # A short clause without a full stop rather than a heading: nothing falls under it.
                stack.pop()
                clauses.append(Clause(number=block.number, heading=_enclosing(stack, block.parts),
                                      text=_joined([block.title])))
            continue
        clauses.append(Clause(number=block.number, heading=_enclosing(stack, block.parts),
                              text=_joined([block.title, *block.lines])))
    return [clause for clause in clauses if clause.text]


@dataclass(frozen=True)
class _Candidate:
    index: int
    parts: tuple[int, ...]
    number: str
    word: str
    line: str
    title: str

    def block(self, lines: list[str]) -> _Block:
        return _Block(parts=self.parts, number=self.number, word=self.word, line=self.line, title=self.title,
                      lines=list(lines))


def _candidate(index: int, line: str) -> _Candidate | None:
    match = _NUMBERED.match(line)
    if match is None:
        return None
    word = (match.group("word") or "").lower()
    parts = tuple(int(part) for part in match.group("number").split("."))
    if len(parts) == 1 and not word and not match.group("end"):
        return None  # "4 Prices" is as likely "30 days"; a single number needs a dot, a bracket or a word
    title = match.group("rest")
    if word:
        title = title.lstrip(" .:—–-")
    if not title:
        if word not in HEADING_WORDS:
            return None  # a bare number is a page number or a table cell
    elif not _CLAUSE_TEXT_START.match(title) or title[0].islower():
        return None
    return _Candidate(index=index, parts=parts, number=match.group("number"), word=word, line=line, title=title)


def _starts(lines: list[str], wrapped: bool) -> list[_Candidate]:
    """The lines that start clauses: clause numbers that carry the numbering on, not led into by the line
    before (in wrapped text, a line broken mid-sentence leads into whatever starts the next one)."""
    starts: list[_Candidate] = []
    for index, line in enumerate(lines):
        candidate = _candidate(index, line)
        if candidate is None:
            continue
        before = lines[index - 1] if index else ""
        if _REFERS_TO_NUMBER.search(before) or (wrapped and _runs_on(before) and not _all_caps(candidate.title)):
            continue
        if starts and not _follows(starts[-1].parts, candidate.parts) and not _section_in_capitals(candidate):
            continue
        starts.append(candidate)
    return starts


def _runs_on(line: str) -> bool:
    """A line that goes on on the next: ending in a comma or a hyphen, or long and ending in a lower-case word."""
    return bool(line) and (line[-1] in ",-" or len(line) > MAX_PLAIN_HEADING and line[-1].islower())


def _looks_wrapped(lines: list[str]) -> bool:
    """Whether the lines are a page's lines (a PDF's) rather than paragraphs: paragraphs end in a full stop,
    a colon or a semicolon, a heading has no end at all, but many long page lines stop mid-sentence."""
    long_lines = [line for line in lines if len(line) > MAX_PLAIN_HEADING]
    broken = [line for line in long_lines if line[-1].islower() or line[-1] in ",-"]
    return len(broken) >= 3 and len(broken) > 0.2 * len(long_lines)


def _follows(current: tuple[int, ...], parts: tuple[int, ...]) -> bool:
    """Whether ``parts`` can come after ``current``: at some level the next number (or one a little further),
    with the same numbers above it and first numbers below it: 4.2 -> 4.3, 4.2.1, 5., 5.1, 4.2 -> 4.4."""
    for level in range(len(parts)):
        if parts[:level] != current[:level]:
            return False
        before = current[level] if level < len(current) else 0
        if before < parts[level] <= before + MAX_SKIP and all(part == 1 for part in parts[level + 1:]):
            return True
    return False


def _section_in_capitals(candidate: _Candidate) -> bool:
    """A section heading in capitals ("7. ФОРС-МАЖОР") starts a section even out of turn: an appendix numbers
    its sections from 1 again, and a carrier's text may skip sections."""
    return len(candidate.parts) == 1 and _all_caps(candidate.title) and _heading_title(candidate.title, MAX_HEADING)


def _mark_heading(block: _Block) -> None:
    """Decide whether ``block`` is a heading; a heading's title may be on the next line ("Раздел 5" /
    "Ответственность сторон") or wrapped over several upper-case lines."""
    if not block.title and block.lines and not block.lines[0][0].islower() \
            and _heading_title(block.lines[0], MAX_HEADING):
        block.title = block.lines.pop(0)
        block.line = f"{block.line.rstrip('.')}. {block.title}"
    if block.word in HEADING_WORDS:
        block.heading = not block.title or _heading_title(block.title, MAX_HEADING)
    elif _all_caps(block.title):
        block.heading = _heading_title(block.title, MAX_HEADING)
    else:
        # "10. Force majeure" / "Neither party ..."; a clause broken off mid-sentence goes on in lower case
        # or with a number ("в течение" / "30 (тридцати) дней").
        next_line = block.lines[0] if block.lines else None
        block.heading = _heading_title(block.title, MAX_PLAIN_HEADING) and (
            next_line is None or next_line[0].isupper())
    if block.heading and _all_caps(block.title):
        while block.lines and _all_caps(block.lines[0]) and _heading_title(block.lines[0], MAX_HEADING):
            continued = block.lines.pop(0)
            block.title += " " + continued
            block.line += " " + continued


def _heading_title(title: str, longest: int) -> bool:
    """Short, with letters, and not a sentence (a heading in capitals may still end with a full stop)."""
    if len(title) > longest or not any(character.isalpha() for character in title):
        return False
    if _SENTENCE_BREAK.search(title) or title[-1] in ",;:":
        return False
    return title[-1] != "." or _all_caps(title)


def _all_caps(text: str) -> bool:
    letters = [character for character in text if character.isalpha()]
    return len(letters) >= 3 and all(letter.isupper() for letter in letters)


def _loose_heading(lines: list[str], following: _Block | None) -> str | None:
    """An unnumbered heading in capitals ("ПРЕДМЕТ ДОГОВОРА") at the end of ``lines``, just before the first
    clause of a section whose own numbered heading is missing (1.1 with no "1."): taken off ``lines``."""
    if following is None or len(following.parts) < 2 or following.heading or not lines:
        return None
    last = lines[-1]
    if not (_all_caps(last) and _heading_title(last, MAX_HEADING)):
        return None
    return lines.pop()


def _push(stack: list[tuple[tuple[int, ...], str]], parts: tuple[int, ...], line: str) -> None:
    while stack and not _within(parts, stack[-1][0]):
        stack.pop()
    stack.append((parts, line))


def _enclosing(stack: list[tuple[tuple[int, ...], str]], parts: tuple[int, ...]) -> str:
    while stack and not _within(parts, stack[-1][0]):
        stack.pop()
    return stack[-1][1] if stack else ""


def _within(parts: tuple[int, ...], section: tuple[int, ...]) -> bool:
    return len(parts) > len(section) and parts[:len(section)] == section


def _joined(pieces: list[str]) -> str:
    """Lines as one text; a word hyphenated at the end of a line is joined to its rest, keeping the hyphen
    (most such hyphens in contracts belong to the word: "интернет-\\nпровайдер")."""
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if len(text) > 1 and text[-1] == "-" and text[-2].isalpha() and piece[0].islower():
            text += piece
        else:
            text = f"{text} {piece}" if text else piece
    return text
