"""The demo data: nine branches, three carriers, two PBXs, one user per role, requests at several stages, and
numbers in service with several months of calls, invoices and expense reports."""
import csv
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from models import carrier_terms, legal_review
from models.pbx import ATTACHMENT_CHECKLIST
from models import BillingImport, Carrier, Department, NumberRequest, PbxSystem, PhoneNumber, Tariff, User, db
from models.billing import tariff_schedules
from models.carrier_files import CALL_FIELDS, INVOICE_FIELDS, CsvLayout
from models.choices import (DestinationClass, Direction, Holder, ImportKind, InvoiceItem, Language, NumberStatus,
                            NumberType, Role)
from models.db import instance_dir
from models.expenses import store_expense_report
from models.lifecycle import STATES, apply_action, open_request
from models.rating import (TariffSchedule, call_charge, month_start, monthly_rental, next_month, one_time_fee,
                           previous_month)
from pbx.asterisk import AsteriskPbx
from workflows.costs import import_billing_file
from workflows.steps import STEPS

from . import DEMO_PASSWORD, DEMO_USERS, DemoRefused, demo_refusal, mark_demo_loaded
from .asterisk import ACTIVE_TRUNK_ADDRESS, use_demo_asterisk

# name, city, time zone, cost centre, calls per month, address
BRANCHES = [
    ("Moscow call centre", "Moscow", "Europe/Moscow", "CC-MOW", 42000, "12 Tverskaya St, Moscow"),
    ("St Petersburg showroom", "St Petersburg", "Europe/Moscow", "SR-LED", 9800, "5 Nevsky Ave, St Petersburg"),
    ("Kazan showroom", "Kazan", "Europe/Moscow", "SR-KZN", 3100, "20 Baumana St, Kazan"),
    ("Ufa showroom", "Ufa", "Asia/Yekaterinburg", "SR-UFA", 2600, "7 Lenina St, Ufa"),
    ("Yekaterinburg showroom", "Yekaterinburg", "Asia/Yekaterinburg", "SR-SVX", 5400, "3 Malysheva St, Yekaterinburg"),
    ("Novosibirsk showroom", "Novosibirsk", "Asia/Novosibirsk", "SR-OVB", 4300, "9 Krasny Ave, Novosibirsk"),
    ("Nizhny Novgorod showroom", "Nizhny Novgorod", "Europe/Moscow", "SR-GOJ", 3900,
     "14 Bolshaya Pokrovskaya St, Nizhny Novgorod"),
    ("Samara showroom", "Samara", "Europe/Samara", "SR-KUF", 2900, "30 Kuibysheva St, Samara"),
    ("Krasnodar showroom", "Krasnodar", "Europe/Moscow", "SR-KRR", 1800, "2 Krasnaya St, Krasnodar"),
]
# What Russian documents call each branch: name, city, address.
BRANCHES_RU = {
    "Moscow call centre": ("Колл-центр в Москве", "Москва", "г. Москва, ул. Тверская, д. 12"),
    "St Petersburg showroom": ("Шоурум в Санкт-Петербурге", "Санкт-Петербург",
                               "г. Санкт-Петербург, Невский пр., д. 5"),
    "Kazan showroom": ("Шоурум в Казани", "Казань", "г. Казань, ул. Баумана, д. 20"),
    "Ufa showroom": ("Шоурум в Уфе", "Уфа", "г. Уфа, ул. Ленина, д. 7"),
    "Yekaterinburg showroom": ("Шоурум в Екатеринбурге", "Екатеринбург", "г. Екатеринбург, ул. Малышева, д. 3"),
    "Novosibirsk showroom": ("Шоурум в Новосибирске", "Новосибирск", "г. Новосибирск, Красный пр., д. 9"),
    "Nizhny Novgorod showroom": ("Шоурум в Нижнем Новгороде", "Нижний Новгород",
                                 "г. Нижний Новгород, ул. Большая Покровская, д. 14"),
    "Samara showroom": ("Шоурум в Самаре", "Самара", "г. Самара, ул. Куйбышева, д. 30"),
    "Krasnodar showroom": ("Шоурум в Краснодаре", "Краснодар", "г. Краснодар, ул. Красная, д. 2"),
}


def _tariff(name: str, monthly: str, one_time: str, local: str, long_distance: str, mobile: str,
            international: str, toll_free: str) -> Tariff:
    return Tariff(name=name, valid_from=date(2026, 1, 1), monthly_fee=Decimal(monthly),
                  one_time_fee=Decimal(one_time), rate_local=Decimal(local),
                  rate_long_distance=Decimal(long_distance), rate_mobile=Decimal(mobile),
                  rate_international=Decimal(international), rate_toll_free_inbound=Decimal(toll_free))


def _carriers() -> list[Carrier]:
    federal = Carrier(
        name="TransTelecom Direct", legal_name="TransTelecom Direct JSC", tax_id="7709000001",
        address="15 Lesnaya St, Moscow", signatory="Director General I. Petrov", language=Language.RU,
        name_ru="ТрансТелеком Директ", legal_name_ru="АО «ТрансТелеком Директ»",
        address_ru="г. Москва, ул. Лесная, д. 15", signatory_ru="генеральный директор Петров И.",
        price_change_notice_days=60, invoice_dispute_days=30, daily_penalty_percent=Decimal("0"),
        penalty_cap=Decimal("50000"), accepts_disagreement_protocol=True,
        tariffs=[_tariff("Бизнес 2026", "450", "1500", "0.80", "2.10", "1.90", "18.00", "1.20")])
    federal.cities = ["Moscow", "St Petersburg", "Yekaterinburg", "Novosibirsk", "Nizhny Novgorod", "Samara",
                      "Krasnodar"]
    # The local carrier whose standard contract the lawyers refused.
    volga = Carrier(
        name="VolgaLink", legal_name="VolgaLink Regional Telecom LLC", tax_id="1655000002",
        address="4 Pushkina St, Kazan", signatory="Director R. Galiev", language=Language.RU,
        name_ru="ВолгаЛинк", legal_name_ru="ООО «ВолгаЛинк Региональный Телеком»",
        address_ru="г. Казань, ул. Пушкина, д. 4", signatory_ru="директор Галиев Р.",
        price_change_notice_days=None, invoice_dispute_days=0, daily_penalty_percent=Decimal("3"),
        penalty_cap=None, accepts_disagreement_protocol=False,
        tariffs=[_tariff("Локальный Плюс", "390", "2500", "0.65", "2.40", "2.20", "21.00", "1.50")])
    volga.cities = ["Kazan", "Ufa", "Samara"]
    nordtel = Carrier(
        name="Nordtel", legal_name="Nordtel Communications Ltd", tax_id="7801000003",
        address="1 Sadovaya St, St Petersburg", signatory="CEO M. Larsen", language=Language.EN,
        name_ru="Нордтел", legal_name_ru="ООО «Нордтел Коммьюникейшнз»",
        address_ru="г. Санкт-Петербург, ул. Садовая, д. 1", signatory_ru="генеральный директор Ларсен М.",
        price_change_notice_days=30, invoice_dispute_days=14, daily_penalty_percent=Decimal("0"),
        penalty_cap=Decimal("30000"), accepts_disagreement_protocol=True,
        tariffs=[_tariff("Nordic Business", "500", "1000", "0.90", "1.80", "1.70", "15.00", "1.00")])
    nordtel.cities = ["St Petersburg", "Moscow"]
    return [federal, volga, nordtel]


def _advance(request: NumberRequest, user: User, action: str, payload: dict | None = None) -> None:
    apply_action(request, action, user, payload or {"comment": ""})
    db.session.commit()
    step = STATES[request.state].machine_step
    if step:
        STEPS[step](request.id)
        db.session.refresh(request)


def load_demo_data(office_asterisk: AsteriskPbx | None = None) -> bool:
    """Fill an empty database; return False (and change nothing) if it already has users.

    With office_asterisk (the demo's own Asterisk, demo.asterisk), "Office Asterisk" is that PBX, which numberdesk
    provisions; without, a PBX the sysadmins configure by hand.

    Raises DemoRefused under NUMBERDESK_ENV=production, whoever calls it."""
    refusal = demo_refusal()
    if refusal:
        raise DemoRefused(refusal)
    if db.session.scalar(db.select(db.func.count(User.id))):
        return False
    departments = {}
    for name, city, tz, cost_centre, load, address in BRANCHES:
        name_ru, city_ru, address_ru = BRANCHES_RU[name]
        departments[city] = Department(name=name, city=city, time_zone=tz, cost_centre=cost_centre,
                                       monthly_call_load=load, address=address,
                                       ring_group=f"rg-{cost_centre.lower()}", name_ru=name_ru, city_ru=city_ru,
                                       address_ru=address_ru)
    federal, volga, nordtel = _carriers()
    cloud = PbxSystem(name="CloudPBX Pro", kind="manual", vendor="CloudPBX LLC", resells_numbers=True,
                      name_ru="КлаудАТС Про", vendor_ru="ООО «КлаудАТС»",
                      notes="The marketing team's first cloud PBX; its vendor rents numbers itself.")
    office = PbxSystem(name="Office Asterisk", kind="manual", vendor="self-hosted", resells_numbers=False,
                       name_ru="Офисная АТС", vendor_ru="собственная АТС компании",
                       notes="The company's own Asterisk, configured by the sysadmins.")
    db.session.add_all([*departments.values(), federal, volga, nordtel, cloud, office])
    people = {}
    for email, name, roles in DEMO_USERS:
        user = User(email=email, name=name)
        user.roles = roles
        user.set_password(DEMO_PASSWORD)
        people[email] = user
        db.session.add(user)
    people["requester@example.com"].departments = [departments["Kazan"]]
    people["branches@example.com"].departments = [d for city, d in departments.items() if city != "Kazan"]
    db.session.commit()

    approver, lawyer, sysadmin = (people[f"{role}@example.com"]
                                  for role in (Role.APPROVER, Role.LAWYER, Role.SYSADMIN))

    def requester_in(city: str) -> User:
        return people["requester@example.com" if city == "Kazan" else "branches@example.com"]

    def requester_for(request: NumberRequest) -> User:
        return requester_in(request.department.city)

    def new(city: str, carrier: Carrier, pbx: PbxSystem, purpose: str, quantity: int = 1) -> NumberRequest:
        request = open_request(requester_in(city), department_id=departments[city].id, number_type=NumberType.LOCAL,
                               quantity=quantity, purpose=purpose, carrier_id=carrier.id, pbx_id=pbx.id)
        db.session.commit()
        return request

    def to_active(request: NumberRequest, numbers: list[str], trunk: dict | None = None) -> None:
        _advance(request, requester_for(request), "submit")
        _advance(request, approver, "approve", {"comment": "Within the branch budget."})
        _advance(request, lawyer, "approve_contracts", {"comment": "Protective terms in place."})
        _advance(request, lawyer, "record_signature", {"signed_on": (date.today() - timedelta(days=3)).isoformat()})
        _advance(request, sysadmin, "confirm_order", {"numbers": numbers, "trunk": trunk or {
            "type": "registration", "registrar": "sip.example.net", "username": f"trunk{request.id}",
            "password": "demo-secret"}})
        _advance(request, sysadmin, "confirm_attachment", {"comment": "Inbound route to the ring group.",
                                                           "checklist": list(ATTACHMENT_CHECKLIST)})
        _advance(request, sysadmin, "confirm_verification", {"comment": "Test call answered."})

    to_active(new("Moscow", nordtel, cloud, "Main line of the call centre (rented through the PBX vendor)"),
              ["+74951234567"])
    # Attached by hand before the demo's Asterisk took over; on it, its carrier sends from a loopback address.
    office_trunk = {"type": "ip", "addresses": [ACTIVE_TRUNK_ADDRESS]} if office_asterisk else None
    to_active(new("St Petersburg", federal, office, "Основная линия шоурума"), ["+78122000001"], office_trunk)
    ordered = new("Yekaterinburg", federal, office, "Основная и дополнительная линии шоурума", quantity=2)
    for user, action in ((requester_for(ordered), "submit"), (approver, "approve"), (lawyer, "approve_contracts")):
        _advance(ordered, user, action)
    _advance(ordered, lawyer, "record_signature", {"signed_on": date.today().isoformat()})
    load_demo_contracts(lawyer, volga, nordtel)
    negotiated = new("Ufa", volga, office, "Линия шоурума")
    _advance(negotiated, requester_for(negotiated), "submit")
    _advance(negotiated, approver, "approve", {"comment": "Within the branch budget."})
    negotiate_with_volgalink(negotiated, lawyer, approver)
    # Reaches legal review with VolgaLink's contract flagged, and the protocol started from what VolgaLink
    # agreed for Ufa.
    review = new("Kazan", volga, office, "Линия шоурума для местных звонков")
    _advance(review, requester_for(review), "submit")
    _advance(review, approver, "approve", {"comment": "Pilot city."})
    submitted = new("Samara", federal, office, "Основная линия шоурума")
    _advance(submitted, requester_for(submitted), "submit")
    new("Novosibirsk", federal, office, "Основная линия шоурума")
    rejected = new("Krasnodar", federal, cloud, "Вторая линия на период высокого сезона")
    _advance(rejected, requester_for(rejected), "submit")
    _advance(rejected, approver, "reject", {"comment": "Not in this year's budget."})
    load_demo_costs()
    if office_asterisk:
        use_demo_asterisk(office, office_asterisk)
        db.session.commit()
    mark_demo_loaded()
    return True


CONTRACTS = Path(__file__).parent / "contracts"
# What VolgaLink answered for Ufa, per risk: its wording, ours, or its own.
VOLGALINK_ANSWERS = {
    "price_change": ("accepted", ""),
    "deemed_acceptance": ("accepted", ""),
    "daily_penalty": ("counter", "За просрочку оплаты Оператор вправе потребовать уплаты пени в размере 0,1% от "
                                 "просроченной суммы за каждый день просрочки, но не более 15% от просроченной суммы."),
    "uncapped_liability": ("rejected", ""),
    "auto_renewal": ("rejected", ""),
}


def load_demo_contracts(lawyer: User, *carriers: Carrier) -> None:
    """The carriers' standard contracts as they sent them, read and checked against the playbook."""
    files = {"VolgaLink": "volgalink_ru.docx", "Nordtel": "nordtel_en.docx"}
    for carrier in carriers:
        path = CONTRACTS / files[carrier.name]
        carrier_terms.add_contract(lawyer, carrier, path.name, path.read_bytes())
    db.session.commit()


def negotiate_with_volgalink(request: NumberRequest, lawyer: User, approver: User) -> None:
    """Ufa's story: every flagged clause in the protocol; VolgaLink takes some, counters one and refuses the cap on
    liability, so a project lead accepts its terms."""
    for flag in legal_review.review_of(request).flags:
        if flag.open:
            legal_review.add_to_protocol(lawyer, request, clause=flag.clause_number or "—",
                                         category=flag.flag["category"], carrier_wording=flag.clause_text,
                                         our_wording=flag.flag["suggested_wording"])
    db.session.commit()
    _advance(request, lawyer, "request_changes", {"comment": "Стандартные условия ВолгаЛинк не подходят."})
    answers = []
    for item in request.protocol_round():
        answer, wording = VOLGALINK_ANSWERS.get(item.category, ("accepted", ""))
        answers.append({"item_id": item.id, "answer": answer, **({"wording": wording} if wording else {})})
    _advance(request, lawyer, "carrier_response", {"answers": answers, "comment": "Ответ ВолгаЛинк по пунктам."})
    if request.state == "carrier_refused":
        _advance(request, lawyer, "escalate_risk", {"comment": "Другого оператора в Уфе к открытию нет."})
        _advance(request, approver, "accept_risk", {"comment": "Открытие шоурума важнее; пересмотрим через год."})
    elif request.state == "counter_proposed":
        _advance(request, lawyer, "answer_counter_proposals", {"answers": [
            {"item_id": item.id, "decision": "accept"} for item in request.protocol_round()
            if item.answer == "counter"]})


# city, carrier, number, activated (months before this one, day), disconnected (the same) or None
DEMO_NUMBERS = [
    ("Moscow", "TransTelecom Direct", "+74956400101", (3, 1), None),
    ("Moscow", "TransTelecom Direct", "+74956400102", (3, 1), None),
    ("Moscow", "TransTelecom Direct", "+78005550101", (3, 1), None),  # the call centre's toll-free line
    ("St Petersburg", "Nordtel", "+78126400201", (3, 1), None),
    ("Kazan", "VolgaLink", "+78436400301", (3, 1), None),
    ("Kazan", "VolgaLink", "+78436400302", (2, 16), None),  # activated mid-month: a pro-rated first month
    ("Ufa", "VolgaLink", "+73476400401", (3, 1), None),
    ("Yekaterinburg", "TransTelecom Direct", "+73436400501", (3, 1), None),
    ("Novosibirsk", "TransTelecom Direct", "+73836400601", (3, 1), None),
    ("Nizhny Novgorod", "TransTelecom Direct", "+78316400701", (3, 1), (1, 20)),  # disconnected last month
    ("Samara", "VolgaLink", "+78466400801", (3, 1), None),
    ("Samara", "TransTelecom Direct", "+78466400802", (2, 1), None),
    ("Krasnodar", "TransTelecom Direct", "+78616400901", (3, 1), None),
]
# VolgaLink's own export: Russian headers, semicolons, decimal commas and Moscow time without an offset.
VOLGALINK_LAYOUT = CsvLayout(
    columns={"call_id": "ID звонка", "number": "Номер", "started_at": "Дата и время",
             "duration_s": "Длительность, с", "direction": "Направление", "destination": "Абонент Б",
             "destination_class": "Тип вызова", "billed_cost": "Стоимость, руб."},
    date_format="%d.%m.%Y %H:%M:%S", time_zone="Europe/Moscow", decimal_comma=True, delimiter=";",
    encoding="cp1251", directions={"входящий": Direction.IN, "исходящий": Direction.OUT},
    destination_classes={"местный": DestinationClass.LOCAL, "междугородний": DestinationClass.LONG_DISTANCE,
                         "мобильный": DestinationClass.MOBILE, "международный": DestinationClass.INTERNATIONAL,
                         "8-800": DestinationClass.TOLL_FREE})
# What VolgaLink bills a minute of a local call from the middle of last month on; the contract says 0.65.
VOLGALINK_SILENT_LOCAL_RATE = Decimal("0.78")
VOLGALINK_SILENT_MONTHLY_FEE = Decimal("450")
OUTGOING_MIX = [(DestinationClass.LOCAL, 55), (DestinationClass.MOBILE, 25), (DestinationClass.LONG_DISTANCE, 15),
                (DestinationClass.INTERNATIONAL, 5)]
DESTINATIONS = {DestinationClass.MOBILE: "+7916{:07d}", DestinationClass.LONG_DISTANCE: "+7812{:07d}",
                DestinationClass.INTERNATIONAL: "+4930{:06d}"}
MOSCOW = ZoneInfo("Europe/Moscow")


def _demo_calls(rng: random.Random, number: PhoneNumber, schedule: TariffSchedule, first: date, end: date,
                billed_rate: Callable[[PhoneNumber, date, str, str, Decimal], Decimal]) -> list[dict]:
    """A number's calls on the days it was in service in [first, end), billed at `billed_rate`."""
    calls = []
    day = max(first, number.activated_on)
    while day < min(end, number.disconnected_on or end):
        for call in range(rng.choice((1, 1, 2, 2, 3, 4))):
            started = datetime.combine(day, time(8 + call * 3, rng.randint(0, 59), rng.randint(0, 59)),
                                       MOSCOW).astimezone(timezone.utc)
            # Answered calls last 30 s or more: rounding each bill to kopecks then stays within 2% of the rate.
            duration = 0 if call and rng.random() < 0.1 else int(rng.expovariate(1 / 150)) + 30
            if number.e164.startswith("+7800"):
                direction, destination_class = Direction.IN, DestinationClass.TOLL_FREE
            elif call == 0:  # every branch line calls a local customer first thing in the morning
                direction, destination_class = Direction.OUT, DestinationClass.LOCAL
            elif rng.random() < 0.5:
                direction, destination_class = Direction.IN, DestinationClass.LOCAL
            else:
                direction = Direction.OUT
                destination_class = rng.choices([c for c, _ in OUTGOING_MIX], [w for _, w in OUTGOING_MIX])[0]
            pattern = DESTINATIONS.get(destination_class, number.e164[:5] + "{:07d}")
            tariff = schedule.on(day)
            rate = billed_rate(number, day, direction, destination_class, tariff.rate_for(direction, destination_class))
            calls.append({
                "call_id": f"{number.carrier_id}-{number.id}-{day:%Y%m%d}-{len(calls)}", "number": number.e164,
                "started_at": started, "duration_s": duration, "direction": direction,
                "destination": pattern.format(rng.randint(0, 999999)), "destination_class": destination_class,
                "billed_cost": call_charge(rate, duration, tariff.billing_increment).quantize(
                    Decimal("0.01"), ROUND_HALF_UP)})
        day += timedelta(days=1)
    return calls


def _write_calls(path: Path, layout: CsvLayout, calls: list[dict]) -> None:
    """The calls as the carrier's export writes them."""
    words = {**{ours: theirs for theirs, ours in layout.directions.items()},
             **{ours: theirs for theirs, ours in layout.destination_classes.items()}}
    zone = ZoneInfo(layout.time_zone) if layout.time_zone else None
    with open(path, "w", newline="", encoding=layout.encoding) as file:
        writer = csv.writer(file, delimiter=layout.delimiter)
        writer.writerow([layout.columns[name] for name in CALL_FIELDS])
        for call in calls:
            started = (call["started_at"].astimezone(zone).strftime(layout.date_format) if layout.date_format
                       else call["started_at"].astimezone(MOSCOW).isoformat())
            billed = str(call["billed_cost"]).replace(".", "," if layout.decimal_comma else ".")
            writer.writerow([call["call_id"], call["number"], started, call["duration_s"],
                             words.get(call["direction"], call["direction"]), call["destination"],
                             words.get(call["destination_class"], call["destination_class"]), billed])


def _write_bad_rows(path: Path) -> None:
    """A carrier's file is never quite clean: an unknown number, an odd date and a negative duration."""
    with open(path, "a", newline="") as file:
        csv.writer(file).writerows([
            ["tt-bad-1", "+74959999999", "2026-10-03T10:00:00+03:00", "60", "out", "+74951112233", "local", "1.00"],
            ["tt-bad-2", "+74956400101", "03/10/2026 10:00", "60", "out", "+74951112233", "local", "1.00"],
            ["tt-bad-3", "+74956400102", "2026-10-03T11:00:00+03:00", "-60", "out", "+74951112233", "local", "1.00"],
        ])


def _write_invoice(path: Path, carrier: Carrier, numbers: list[PhoneNumber], month: date,
                   schedule: TariffSchedule) -> None:
    """The carrier's invoice lines for the month: the contracted fees, except VolgaLink's rental."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(INVOICE_FIELDS)
        for number in numbers:
            rental = monthly_rental(number.activated_on, number.disconnected_on, month, schedule)
            if carrier.name == "VolgaLink" and rental:
                rental = VOLGALINK_SILENT_MONTHLY_FEE
            for item, amount in ((InvoiceItem.RENTAL, rental),
                                 (InvoiceItem.ONE_TIME, one_time_fee(number.activated_on, month, schedule))):
                if amount:
                    writer.writerow([f"INV-{carrier.id}-{month:%Y%m}", number.e164, f"{month:%Y-%m}", item, amount])


def _import(carrier: Carrier, kind: str, path: Path, accountant: User) -> None:
    billing_import = BillingImport(kind=kind, carrier=carrier, filename=path.name, path=str(path),
                                   size_bytes=path.stat().st_size, created_by=accountant)
    db.session.add(billing_import)
    db.session.commit()
    import_billing_file(billing_import.id)


def _demo_numbers(this_month: date) -> list[PhoneNumber]:
    departments = {d.city: d for d in db.session.scalars(db.select(Department))}
    carriers = {c.name: c for c in db.session.scalars(db.select(Carrier))}
    office = db.session.scalar(db.select(PbxSystem).filter_by(name="Office Asterisk"))

    def months_back(months: int, day: int) -> date:
        return (this_month - relativedelta(months=months)).replace(day=day)

    numbers = [PhoneNumber(e164=e164, department=departments[city], carrier=carriers[carrier], pbx=office,
                           holder=Holder.DIRECT, activated_on=months_back(*activated),
                           status=NumberStatus.DISCONNECTED if disconnected else NumberStatus.ACTIVE,
                           disconnected_on=months_back(*disconnected) if disconnected else None)
               for city, carrier, e164, activated, disconnected in DEMO_NUMBERS]
    db.session.add_all(numbers)
    db.session.commit()
    return numbers


def load_demo_costs() -> None:
    """Numbers in service in every branch and three months and a bit of their calls, imported from the
    carriers' files. VolgaLink's file is in its own layout, and since the 15th of last month it bills local
    calls above the contracted rate without notice. Last month's invoices, and the past months' reports."""
    rng = random.Random(2026)
    this_month = month_start(date.today())
    first, last_month = this_month - relativedelta(months=3), previous_month(this_month)
    silent_change = last_month + timedelta(days=14)
    accountant = db.session.scalar(db.select(User).filter_by(email="accountant@example.com"))
    numbers = _demo_numbers(this_month)
    schedules = tariff_schedules()

    def billed_rate(number: PhoneNumber, day: date, direction: str, destination_class: str, rate: Decimal):
        if (number.carrier.name == "VolgaLink" and day >= silent_change and direction == Direction.OUT
                and destination_class == DestinationClass.LOCAL):
            return VOLGALINK_SILENT_LOCAL_RATE
        return rate

    folder = instance_dir() / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    for carrier in db.session.scalars(db.select(Carrier).order_by(Carrier.id)):
        if carrier.name == "VolgaLink":
            carrier.cdr_layout = VOLGALINK_LAYOUT.to_data()
        carriers_numbers = [number for number in numbers if number.carrier is carrier]
        calls = sorted((call for number in carriers_numbers for call in _demo_calls(
            rng, number, schedules[carrier.id], first, date.today(), billed_rate)), key=lambda c: c["started_at"])
        path = folder / f"demo-{carrier.id}-calls.csv"
        _write_calls(path, CsvLayout.from_data(carrier.cdr_layout), calls)
        if carrier.name == "TransTelecom Direct":
            _write_bad_rows(path)
        _import(carrier, ImportKind.CALL_RECORDS, path, accountant)
        path = folder / f"demo-{carrier.id}-invoice.csv"
        _write_invoice(path, carrier, carriers_numbers, last_month, schedules[carrier.id])
        _import(carrier, ImportKind.INVOICE_LINES, path, accountant)

    month = first
    while month < this_month:
        store_expense_report(month, generated_by="workflow:monthly-expense-report")
        month = next_month(month)
    db.session.commit()
