"""Departments (branches), users and their API tokens."""
import hashlib
import secrets
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .choices import Role
from .db import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Department(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(250), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    cost_centre: Mapped[str] = mapped_column(String(32), unique=True)
    monthly_call_load: Mapped[int] = mapped_column(default=0)
    ring_group: Mapped[str] = mapped_column(String(64), default="")

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    # Space-separated; a user has few roles and they are only ever read whole.
    roles_text: Mapped[str] = mapped_column("roles", String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    is_active_user: Mapped[bool] = mapped_column("is_active", default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

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
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def issue_token(self) -> str:
        """Create a new API token; only its hash is stored, so show it once."""
        token = secrets.token_urlsafe(32)
        self.tokens.append(ApiToken(token_hash=ApiToken.hash(token)))
        return token

    def __str__(self) -> str:
        return self.name


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def find_user(cls, token: str) -> User | None:
        found = db.session.scalar(db.select(cls).filter_by(token_hash=cls.hash(token)))
        if found is None or not found.user.is_active:
            return None
        return found.user
