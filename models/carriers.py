"""Carriers, their contract terms and tariffs, and the PBX systems numbers attach to."""
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from . import secrets
from .formatting import format_short_date

from .choices import BillingIncrement, CarrierAdapter, Language, PbxKind
from .db import Money, db
from .errors import InvalidInput
from .time_zones import MAX_NAME, accounting_time_zone, check_time_zone

# What the company's lawyers accept; a carrier's standard terms outside these are risky.
MIN_PRICE_CHANGE_NOTICE_DAYS = 30
MIN_INVOICE_DISPUTE_DAYS = 10


class Carrier(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    legal_name: Mapped[str] = mapped_column(String(250))
    tax_id: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(250))
    signatory: Mapped[str] = mapped_column(String(120), default="")
    # The same in Russian, for Russian documents; empty: the English is used.
    name_ru: Mapped[str] = mapped_column(String(120), default="", server_default="")
    legal_name_ru: Mapped[str] = mapped_column(String(250), default="", server_default="")
    address_ru: Mapped[str] = mapped_column(String(250), default="", server_default="")
    signatory_ru: Mapped[str] = mapped_column(String(120), default="", server_default="")
    cities_text: Mapped[str] = mapped_column("cities", String(500), default="")
    language: Mapped[str] = mapped_column(String(2), default=Language.EN)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    adapter: Mapped[str] = mapped_column(String(32), default=CarrierAdapter.MANUAL)
    # Where the carrier order letter is e-mailed (models.outbox.queue_carrier_order); empty: it is not.
    order_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Standard contract terms. None for notice days means prices may change without notice.
    price_change_notice_days: Mapped[int | None]
    invoice_dispute_days: Mapped[int] = mapped_column(default=0)
    daily_penalty_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3, asdecimal=True), default=Decimal(0))
    penalty_cap: Mapped[Decimal | None] = mapped_column(Money)
    accepts_disagreement_protocol: Mapped[bool] = mapped_column(default=True)
    # How to read this carrier's own call record export (CsvLayout.to_data()); None: numberdesk's layout.
    cdr_layout: Mapped[dict | None] = mapped_column(JSON)
    # The zone of the calendar the carrier bills by: a call belongs to the day and month its start has there,
    # and so do rental days. Changing it re-rates the calls whose day changes (models.billing).
    billing_time_zone: Mapped[str] = mapped_column(String(MAX_NAME), default=accounting_time_zone)

    tariffs: Mapped[list["Tariff"]] = relationship(back_populates="carrier", order_by="Tariff.valid_from")

    @validates("billing_time_zone")
    def _check_billing_time_zone(self, _key, name: str) -> str:
        try:
            return check_time_zone(name)
        except ValueError as problem:
            raise InvalidInput("the billing time zone is not known", {"billing_time_zone": str(problem)}) from None

    @property
    def cities(self) -> list[str]:
        return [c.strip() for c in self.cities_text.split(",") if c.strip()]

    @cities.setter
    def cities(self, values) -> None:
        self.cities_text = ", ".join(c.strip() for c in values if c.strip())

    def serves(self, city: str) -> bool:
        return city.casefold() in {c.casefold() for c in self.cities}

    def risky_terms(self) -> list[str]:
        """The clauses of this carrier's standard contract that the lawyers reject."""
        risks = []
        if self.price_change_notice_days is None or self.price_change_notice_days < MIN_PRICE_CHANGE_NOTICE_DAYS:
            risks.append("Prices may change without enough written notice")
        if self.invoice_dispute_days < MIN_INVOICE_DISPUTE_DAYS:
            risks.append("Invoices are deemed accepted without time to dispute them")
        if self.daily_penalty_percent and self.daily_penalty_percent > 0:
            risks.append(f"Daily penalty of {self.daily_penalty_percent.normalize()}%")
        if self.penalty_cap is None:
            risks.append("Fines and liability are not capped")
        if not self.accepts_disagreement_protocol:
            risks.append("Refuses a protocol of disagreements")
        return risks

    def tariff_on(self, day: date) -> "Tariff | None":
        for tariff in reversed(self.tariffs):
            if tariff.valid_from <= day and (tariff.valid_to is None or day <= tariff.valid_to):
                return tariff
        return None

    def __str__(self) -> str:
        return self.name


def billing_time_zones() -> dict[int, str]:
    """Every carrier's billing time zone, by carrier id."""
    return {carrier_id: name for carrier_id, name in db.session.execute(
        db.select(Carrier.id, Carrier.billing_time_zone))}


class Tariff(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    name: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    monthly_fee: Mapped[Decimal] = mapped_column(Money)
    one_time_fee: Mapped[Decimal] = mapped_column(Money)
    rate_local: Mapped[Decimal] = mapped_column(Money)
    rate_long_distance: Mapped[Decimal] = mapped_column(Money)
    rate_mobile: Mapped[Decimal] = mapped_column(Money)
    rate_international: Mapped[Decimal] = mapped_column(Money)
    rate_toll_free_inbound: Mapped[Decimal] = mapped_column(Money)
    billing_increment: Mapped[str] = mapped_column(String(32), default=BillingIncrement.PER_SECOND)

    carrier: Mapped[Carrier] = relationship(back_populates="tariffs")

    RATE_FIELDS = (
        ("local", "rate_local"),
        ("long_distance", "rate_long_distance"),
        ("mobile", "rate_mobile"),
        ("international", "rate_international"),
        ("toll_free_inbound", "rate_toll_free_inbound"),
    )

    def rates(self) -> dict[str, Decimal]:
        return {destination: getattr(self, field) for destination, field in self.RATE_FIELDS}

    def __str__(self) -> str:
        return f"{self.name} (from {format_short_date(self.valid_from, Language.EN)})"


class PbxSystem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default=PbxKind.MANUAL)
    vendor: Mapped[str] = mapped_column(String(120), default="")
    # The same in Russian: the vendor is a party to the tripartite agreement. Empty: the English is used.
    name_ru: Mapped[str] = mapped_column(String(120), default="", server_default="")
    vendor_ru: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # A vendor that resells numbers holds them itself: the company cannot take them along.
    resells_numbers: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(String(500), default="")
    # A PBX numberdesk provisions itself (kind asterisk): its manager interface (AMI), the folder on this machine
    # where its pjsip.conf and extensions.conf are, and where it takes SIP calls. The AMI secret is encrypted
    # (models.secrets) like a trunk's password, and never shown in logs, the audit trail or documents.
    ami_host: Mapped[str] = mapped_column(String(253), default="127.0.0.1", server_default="127.0.0.1")
    ami_port: Mapped[int] = mapped_column(default=5038, server_default="5038")
    ami_username: Mapped[str] = mapped_column(String(80), default="", server_default="")
    ami_secret: Mapped[str | None] = mapped_column(Text)
    config_dir: Mapped[str] = mapped_column(String(500), default="", server_default="")
    sip_host: Mapped[str] = mapped_column(String(253), default="127.0.0.1", server_default="127.0.0.1")
    sip_port: Mapped[int] = mapped_column(default=5060, server_default="5060")

    def set_ami_secret(self, secret: str | None) -> None:
        """Keeps the AMI secret encrypted; empty or None removes it."""
        self.ami_secret = secrets.encrypt(secret) if secret else None

    def ami_password(self) -> str | None:
        """The AMI secret in clear, for the workflow that talks to the PBX. Raises secrets.SecretsKeyError when
        the key in use is not the one it was encrypted with."""
        return secrets.decrypt(self.ami_secret) if self.ami_secret else None

    def __str__(self) -> str:
        return self.name
