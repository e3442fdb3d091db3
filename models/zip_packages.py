"""Checks on a ZIP package (a .docx) made from its directory alone, before anything is unpacked: what a hostile
archive would cost to read. Template uploads and carriers' contracts both go through them."""
import re
import zipfile

MAX_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
# Small parts of real documents (styles, numbering) compress 30x and more; the
# ratio only matters for entries big enough to hurt when decompressed.
RATIO_MIN_BYTES = 1024 * 1024


def zip_directory_problems(entries: list[zipfile.ZipInfo]) -> list[str]:
    """What the ZIP directory alone shows; the sizes it declares are what
    zipfile will produce at most when reading."""
    problems = []
    if len(entries) > MAX_ENTRIES:
        problems.append(f"the archive has {len(entries)} entries; a Word document has far fewer "
                        f"(at most {MAX_ENTRIES} are accepted)")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        problems.append(f"the archive would unpack to {total / 1024 / 1024:.0f} MB; at most "
                        f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB are accepted")
    compressed_hard = [entry.filename for entry in entries
                       if entry.file_size >= RATIO_MIN_BYTES
                       and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)]
    if compressed_hard:
        problems.append(f"suspiciously compressed entries (more than {MAX_RATIO}:1, a ZIP bomb?): "
                        f"{', '.join(compressed_hard[:5])}")
    unsafe = [entry.filename for entry in entries if unsafe_name(entry.filename)]
    if unsafe:
        problems.append(f"entries with absolute or '..' paths: {', '.join(repr(name) for name in unsafe[:5])}")
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        # Readers disagree on which of two same-named entries counts, so what we check
        # might not be what Word opens.
        problems.append("the archive has several entries with the same name")
    return problems


def unsafe_name(name: str) -> bool:
    normal = name.replace("\\", "/")
    return (normal.startswith("/") or re.match(r"^[A-Za-z]:", normal) is not None
            or ".." in normal.split("/"))
