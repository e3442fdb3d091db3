"""Secrets kept encrypted at rest: trunk passwords today, a PBX's AMI password tomorrow.

Values are encrypted with Fernet (AES-128-CBC plus HMAC-SHA256, from `cryptography`). The keys come from
NUMBERDESK_SECRETS_KEY (one or more Fernet keys separated by commas, newest first) or, when that is not set,
from the key file `secrets.key` in the instance folder (one key a line, newest first), which is made on first
use, readable by its owner only. The newest key encrypts; every listed key decrypts, so a key can be rotated
without a moment when some stored secret cannot be read.

Keys are read on every use, never cached: after a rotation, the web app and the worker encrypt with the new key
at once, without a restart.
"""
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .db import db, instance_dir

# What documents, pages and answers show where a secret would be.
MASK = "••••"
KEY_VARIABLE = "NUMBERDESK_SECRETS_KEY"
KEY_FILENAME = "secrets.key"


class SecretsKeyError(Exception):
    """The secrets key is missing, malformed or not the key a stored secret was encrypted with."""


def key_file() -> Path:
    return instance_dir() / KEY_FILENAME


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _parse(keys: list[str], where: str) -> list[str]:
    keys = [key.strip() for key in keys if key.strip()]
    if not keys:
        raise SecretsKeyError(f"{where} holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise SecretsKeyError(f"key {position} in {where} is not a Fernet key "
                                  "(32 url-safe base64-encoded bytes)") from None
    return keys


def keys_from_environment() -> bool:
    return bool(os.environ.get(KEY_VARIABLE, "").strip())


def current_keys() -> list[str]:
    """The keys in use, newest first; the key file is made on first use when no key is set."""
    if keys_from_environment():
        return _parse(os.environ[KEY_VARIABLE].split(","), KEY_VARIABLE)
    path = key_file()
    if not path.exists():
        _create_key_file(path, generate_key())
    return _parse(path.read_text().splitlines(), str(path))


def _write_private(path: Path, text: str) -> None:
    """Writes a new file that only its owner may read, and flushes it to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _create_key_file(path: Path, key: str) -> None:
    """Makes the key file unless another process just made it: linking a complete file into place either
    succeeds or finds the other one, so two processes starting at once never end up with different keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.new")
    draft.unlink(missing_ok=True)
    _write_private(draft, key + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    _sync_folder(path.parent)


def _replace_key_file(path: Path, keys: list[str]) -> None:
    """Replaces the key file in one step: a crash leaves either the old file or the new one, never half."""
    draft = path.with_name(f"{path.name}.{os.getpid()}.new")
    draft.unlink(missing_ok=True)
    _write_private(draft, "\n".join(keys) + "\n")
    os.replace(draft, path)
    _sync_folder(path.parent)


def _cipher(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in (keys or current_keys())])


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretsKeyError(
            "a stored secret cannot be decrypted with the secrets key: "
            f"{KEY_VARIABLE if keys_from_environment() else key_file()} does not hold the key it was encrypted "
            "with (was the key file replaced, or the variable set to another key?)") from None


def secret_columns() -> list:
    """Every column that holds an encrypted secret: a rotation re-encrypts them all."""
    from .carriers import PbxSystem  # the models import this module
    from .requests import CarrierOrder

    return [CarrierOrder.trunk_secret, PbxSystem.ami_secret]


def reencrypt_all(keys: list[str]) -> int:
    """Re-encrypts every stored secret with keys[0] (any key in `keys` may have encrypted it). Flushes, does not
    commit. Returns how many secrets were re-encrypted."""
    cipher = _cipher(keys)
    count = 0
    for column in secret_columns():
        table = column.class_
        rows = db.session.execute(db.select(table.id, column).where(column.is_not(None))).all()
        for row_id, token in rows:
            try:
                rotated = cipher.rotate(token.encode()).decode()
            except InvalidToken:
                raise SecretsKeyError(f"{table.__tablename__} {row_id}: its {column.key} cannot be decrypted with "
                                      "any of the keys; nothing was changed") from None
            db.session.execute(db.update(table).where(table.id == row_id).values({column.key: rotated}))
            count += 1
    db.session.flush()
    return count


def _all_readable_with(key: str) -> bool:
    cipher = Fernet(key)
    for column in secret_columns():
        for token in db.session.scalars(db.select(column).where(column.is_not(None))):
            try:
                cipher.decrypt(token.encode())
            except InvalidToken:
                return False
    return True


@dataclass(frozen=True)
class Rotation:
    reencrypted: int
    message: str


def rotate_key(say: Callable[[str], None] = print) -> Rotation:
    """Puts every stored secret under a new key.

    With the key file: the new key is written in front of the old ones first, so that whatever happens next
    every secret stays readable; then every secret is re-encrypted in one transaction; only after the commit
    are the old keys dropped from the file. A crash at any point leaves a file whose keys read every secret,
    and running the rotation again finishes the job.

    With NUMBERDESK_SECRETS_KEY the variable cannot be changed from here, so the rotation takes two runs: with
    one key, a new key is printed and nothing changes; once the variable lists the new key first and the old one
    after it (for every process), the second run re-encrypts every secret with the new key.
    """
    if keys_from_environment():
        keys = current_keys()
        if len(keys) == 1:
            new_key = generate_key()
            return Rotation(0, (
                f"New key: {new_key}\nNothing was re-encrypted yet. Set {KEY_VARIABLE}={new_key},{keys[0]} "
                "for the web app, the worker and this command (the new key first, the old one kept to read what "
                "it encrypted), then run `numberdesk secrets rotate-key` again."))
        count = _reencrypt_and_commit(keys)
        return Rotation(count, (
            f"Re-encrypted {count} secret(s) with the first key of {KEY_VARIABLE}. Once every process runs with "
            f"it, remove the older keys from {KEY_VARIABLE}."))

    path = key_file()
    old_keys = current_keys()
    new_key = generate_key()
    _replace_key_file(path, [new_key, *old_keys])
    say(f"A new key is first in {path}; re-encrypting every secret with it.")
    count = _reencrypt_and_commit([new_key, *old_keys])
    # A secret saved by a process that read the key file just before the new key arrived is under an old key:
    # keep the old keys until every secret reads with the new one.
    while not _all_readable_with(new_key):
        count += _reencrypt_and_commit([new_key, *old_keys])
    _replace_key_file(path, [new_key])
    return Rotation(count, f"Re-encrypted {count} secret(s); {path} now holds only the new key.")


def _reencrypt_and_commit(keys: list[str]) -> int:
    from .audit_trail import record  # the audit trail's models import this module

    try:
        count = reencrypt_all(keys)
        record(None, "rotate_secrets_key", "secrets key", {"reencrypted": count},
               actor_label="numberdesk secrets rotate-key")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return count
