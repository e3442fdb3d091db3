"""Test packages made by hand: a .docx with entries added or replaced, or with a ZIP directory that lies."""
import io
import struct
import zipfile


def repack(data: bytes, extra: dict[str, bytes] | None = None, change: dict[str, bytes] | None = None) -> bytes:
    """The package `data` with entries added (`extra`) or replaced (`change`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (change or {}).get(info.filename, source.read(info.filename)))
        for name, content in (extra or {}).items():
            target.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def claim_size(data: bytes, name: str, size: int) -> bytes:
    """Make the ZIP central directory claim `size` uncompressed bytes for entry `name`."""
    patched = bytearray(data)
    position = patched.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", patched, position + 28)[0]
        if patched[position + 46:position + 46 + name_length] == name.encode():
            struct.pack_into("<I", patched, position + 24, size)
        position = patched.find(b"PK\x01\x02", position + 46)
    return bytes(patched)
