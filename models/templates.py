"""Contract template versions that admins upload; the newest active one of a kind and language is used."""
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .db import db
from .organisation import User, utcnow


class TemplateVersion(db.Model):
    __table_args__ = (UniqueConstraint("kind", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """What documents record as their template version."""
        return f"v{self.version}-{self.sha256[:12]}"

    @classmethod
    def active_for(cls, kind: str, language: str) -> "TemplateVersion | None":
        return db.session.scalar(db.select(cls).filter_by(kind=kind, language=language, active=True)
                                 .order_by(cls.version.desc()).limit(1))

    @classmethod
    def add(cls, kind: str, language: str, content: bytes, filename: str, user: User | None) -> "TemplateVersion":
        """Store an already validated upload as the new active version; earlier versions are kept."""
        latest = db.session.scalar(db.select(db.func.max(cls.version)).filter_by(kind=kind, language=language))
        for older in db.session.scalars(db.select(cls).filter_by(kind=kind, language=language, active=True)):
            older.active = False
        version = cls(kind=kind, language=language, version=(latest or 0) + 1, content=content, size=len(content),
                      sha256=hashlib.sha256(content).hexdigest(), filename=filename, uploaded_by=user, active=True)
        db.session.add(version)
        return version
