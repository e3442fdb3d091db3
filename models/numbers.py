"""Phone numbers: validation and the inventory of numbers the company holds."""
from datetime import date, datetime

import phonenumbers
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .carriers import Carrier, PbxSystem
from .choices import Holder, NumberStatus
from .db import db
from .organisation import Department, utcnow


def normalise_e164(text: str) -> str:
    """Return the number in E.164 form, or raise ValueError saying why not."""
    if not isinstance(text, str) or not text.strip().startswith("+"):
        raise ValueError("must be in international form, starting with +")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"is not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL)


class PhoneNumber(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(16), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    pbx_id: Mapped[int | None] = mapped_column(ForeignKey("pbx_system.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("number_request.id"))
    holder: Mapped[str] = mapped_column(String(16), default=Holder.DIRECT)
    status: Mapped[str] = mapped_column(String(16), default=NumberStatus.ASSIGNED)
    activated_on: Mapped[date | None]
    disconnected_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()
    carrier: Mapped[Carrier] = relationship()
    pbx: Mapped[PbxSystem | None] = relationship()

    @property
    def is_lock_in_risk(self) -> bool:
        return self.holder == Holder.INTERMEDIARY

    @property
    def national(self) -> str:
        return national_format(self.e164)
