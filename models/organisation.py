"""Departments (branches), users and their API tokens."""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .choices import MailPreference, RingStrategy, Role
from .db import db
from .errors import InvalidInput


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Department(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(250), default="")
    # The same in Russian, for Russian documents; empty: the English is used.
    name_ru: Mapped[str] = mapped_column(String(120), default="", server_default="")
    city_ru: Mapped[str] = mapped_column(String(80), default="", server_default="")
    address_ru: Mapped[str] = mapped_column(String(250), default="", server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # Whose production calendar counts its business days (ISO 3166 code; models/deadlines.py).
    country: Mapped[str] = mapped_column(String(2), default="RU", server_default="RU")
    cost_centre: Mapped[str] = mapped_column(String(32), unique=True)
    monthly_call_load: Mapped[int] = mapped_column(default=0)
    ring_group: Mapped[str] = mapped_column(String(64), default="")
    # The call distribution a PBX numberdesk provisions gives the branch's numbers (models.pbx checks each value):
    # the ring group's phones ("101, 102", PJSIP endpoint names), ringing all at once or in turn, for how long,
    # then a voicemail box or another branch; open hours in the branch's time zone ("mon-fri 09:00-18:00;
    # sat 10:00-16:00"), empty for always open.
    extensions: Mapped[str] = mapped_column(String(500), default="", server_default="")
    ring_strategy: Mapped[str] = mapped_column(String(16), default=RingStrategy.RING_ALL,
                                               server_default=RingStrategy.RING_ALL)
    ring_seconds: Mapped[int] = mapped_column(default=20, server_default="20")
    fallback_voicemail: Mapped[str] = mapped_column(String(81), default="", server_default="")
    fallback_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    open_hours: Mapped[str] = mapped_column(String(500), default="", server_default="")

    fallback_department: Mapped["Department | None"] = relationship(remote_side=[id])

    @validates("extensions", "ring_strategy", "ring_seconds", "fallback_voicemail", "open_hours")
    def _check_call_distribution(self, key: str, value):
        from . import pbx  # it imports the PBX package, which imports these models

        return pbx.check_call_distribution(key, value)

    @property
    def extension_list(self) -> tuple[str, ...]:
        return tuple(e.strip() for e in self.extensions.split(",") if e.strip())

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


# Which branches a user works for (requesters), or is limited to (company-wide roles).
user_department = Table(
    "user_department", db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    # Space-separated; a user has few roles and they are only ever read whole.
    roles_text: Mapped[str] = mapped_column("roles", String(200), default="")
    is_active_user: Mapped[bool] = mapped_column("is_active", default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Bumped when the password changes: sessions that carry an older value end.
    session_version: Mapped[int] = mapped_column(default=1)
    # "en" or "ru" for the pages and e-mails; None follows the browser's preference.
    language: Mapped[str | None] = mapped_column(String(2))
    # Whether they are e-mailed about new tasks and decisions at once, in a daily digest, or not at all.
    mail_preference: Mapped[str] = mapped_column(String(16), default=MailPreference.IMMEDIATELY,
                                                 server_default=MailPreference.IMMEDIATELY)

    departments: Mapped[list[Department]] = relationship(secondary=user_department, order_by=Department.name)
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    @property
    def department_ids(self) -> frozenset[int]:
        return frozenset(d.id for d in self.departments)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.roles_text.split())

    @roles.setter
    def roles(self, values) -> None:
        unknown = set(values) - set(Role.values())
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.roles_text = " ".join(sorted(set(values)))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        """A new password ends every other session: they carry the old session_version (see get_id)."""
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: a session from before a password change
        carries an older version and no longer loads its user."""
        return f"{self.id}:{self.session_version}"

    @classmethod
    def from_session_id(cls, session_id: str) -> "User | None":
        """The active user a session id from get_id() names, if that session is still current."""
        user_id, _, version = (session_id or "").partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(cls, int(user_id))
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user

    def issue_token(self, name: str = "API token", days: int | None = None, now: datetime | None = None) -> str:
        """Create a named API token valid for `days` (ApiToken.DEFAULT_DAYS unless given); only its hash is
        stored, so show it once."""
        days = ApiToken.DEFAULT_DAYS if days is None else days
        name = (name or "").strip()
        if not name or len(name) > 80:
            raise InvalidInput("a token needs a name of 1 to 80 characters", {"name": "1 to 80 characters"})
        if not isinstance(days, int) or not 1 <= days <= ApiToken.MAX_DAYS:
            raise InvalidInput(f"a token lasts 1 to {ApiToken.MAX_DAYS} days",
                               {"days": f"1 to {ApiToken.MAX_DAYS} days"})
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        self.tokens.append(ApiToken(token_hash=ApiToken.hash(token), name=name, created_at=now,
                                    expires_at=now + timedelta(days=days)))
        return token

    def __str__(self) -> str:
        return self.name


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    DEFAULT_DAYS = 90
    MAX_DAYS = 730
    # last_used_at is written at most this often: a token used in a loop must not turn every read into a write.
    LAST_USED_PRECISION = timedelta(minutes=1)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def status(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def revoke(self, now: datetime | None = None) -> None:
        if self.revoked_at is None:
            self.revoked_at = now or utcnow()

    @classmethod
    def find_user(cls, token: str, now: datetime | None = None) -> User | None:
        """The active user a token belongs to, unless it is unknown, expired or revoked; notes when it was
        used (and commits that, at most once a minute per token)."""
        now = now or utcnow()
        found = db.session.scalar(db.select(cls).filter_by(token_hash=cls.hash(token)))
        if found is None or found.status(now) != "active" or not found.user.is_active:
            return None
        if found.last_used_at is None or now - found.last_used_at >= cls.LAST_USED_PRECISION:
            found.last_used_at = now
            db.session.commit()
        return found.user


class SignInAttempt(db.Model):
    """One try to sign in, kept for a while to limit password guessing per account and per address."""

    __table_args__ = (Index("ix_sign_in_attempt_email_at", "email", "at"),
                      Index("ix_sign_in_attempt_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
