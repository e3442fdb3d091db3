"""Carriers, their contract terms and tariffs, and the PBX systems numbers attach to."""
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import BillingIncrement, CarrierAdapter, Language, PbxKind
from .db import Money, db

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
    cities_text: Mapped[str] = mapped_column("cities", String(500), default="")
    language: Mapped[str] = mapped_column(String(2), default=Language.EN)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    adapter: Mapped[str] = mapped_column(String(32), default=CarrierAdapter.MANUAL)
    # Standard contract terms. None for notice days means prices may change without notice.
    price_change_notice_days: Mapped[int | None]
    invoice_dispute_days: Mapped[int] = mapped_column(default=0)
    daily_penalty_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3, asdecimal=True), default=Decimal(0))
    penalty_cap: Mapped[Decimal | None] = mapped_column(Money)
    accepts_disagreement_protocol: Mapped[bool] = mapped_column(default=True)
    # How to read this carrier's own call record export (CsvLayout.to_data()); None: numberdesk's layout.
    cdr_layout: Mapped[dict | None] = mapped_column(JSON)

    tariffs: Mapped[list["Tariff"]] = relationship(back_populates="carrier", order_by="Tariff.valid_from")

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
        return f"{self.name} (from {self.valid_from.isoformat()})"


class PbxSystem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default=PbxKind.MANUAL)
    vendor: Mapped[str] = mapped_column(String(120), default="")
    # A vendor that resells numbers holds them itself: the company cannot take them along.
    resells_numbers: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(String(500), default="")

    def __str__(self) -> str:
        return self.name
