"""Demo data: nine branches, three carriers, two PBXs, one user per role and requests at several stages."""
from datetime import date, timedelta
from decimal import Decimal

from models import Carrier, Department, NumberRequest, PbxSystem, Tariff, User, db
from models.choices import Language, NumberType, Role
from models.lifecycle import STATES, apply_action, open_request
from workflows.steps import STEPS

DEMO_PASSWORD = "numberdesk-demo"
DEMO_USERS = [
    ("requester@example.com", "Rita Requester", [Role.REQUESTER]),
    ("approver@example.com", "Artem Approver", [Role.APPROVER]),
    ("lawyer@example.com", "Lena Lawyer", [Role.LAWYER]),
    ("sysadmin@example.com", "Sergei Sysadmin", [Role.SYSADMIN]),
    ("accountant@example.com", "Anna Accountant", [Role.ACCOUNTANT]),
    ("admin@example.com", "Adam Admin", [Role.ADMIN]),
]
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
        price_change_notice_days=60, invoice_dispute_days=30, daily_penalty_percent=Decimal("0"),
        penalty_cap=Decimal("50000"), accepts_disagreement_protocol=True,
        tariffs=[_tariff("Business 2026", "450", "1500", "0.80", "2.10", "1.90", "18.00", "1.20")])
    federal.cities = ["Moscow", "St Petersburg", "Yekaterinburg", "Novosibirsk", "Nizhny Novgorod", "Samara",
                      "Krasnodar"]
    # The local carrier whose standard contract the lawyers refused.
    volga = Carrier(
        name="VolgaLink", legal_name="VolgaLink Regional Telecom LLC", tax_id="1655000002",
        address="4 Pushkina St, Kazan", signatory="Director R. Galiev", language=Language.RU,
        price_change_notice_days=None, invoice_dispute_days=0, daily_penalty_percent=Decimal("3"),
        penalty_cap=None, accepts_disagreement_protocol=False,
        tariffs=[_tariff("Local Plus", "390", "2500", "0.65", "2.40", "2.20", "21.00", "1.50")])
    volga.cities = ["Kazan", "Ufa", "Samara"]
    nordtel = Carrier(
        name="Nordtel", legal_name="Nordtel Communications Ltd", tax_id="7801000003",
        address="1 Sadovaya St, St Petersburg", signatory="CEO M. Larsen", language=Language.EN,
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


def load_demo_data() -> bool:
    """Fill an empty database; return False (and change nothing) if it already has users."""
    if db.session.scalar(db.select(db.func.count(User.id))):
        return False
    departments = {}
    for name, city, tz, cost_centre, load, address in BRANCHES:
        departments[city] = Department(name=name, city=city, time_zone=tz, cost_centre=cost_centre,
                                       monthly_call_load=load, address=address,
                                       ring_group=f"rg-{cost_centre.lower()}")
    federal, volga, nordtel = _carriers()
    cloud = PbxSystem(name="CloudPBX Pro", kind="manual", vendor="CloudPBX LLC", resells_numbers=True,
                      notes="The marketing team's first cloud PBX; its vendor rents numbers itself.")
    office = PbxSystem(name="Office Asterisk", kind="manual", vendor="self-hosted", resells_numbers=False,
                       notes="The company's own Asterisk, configured by the sysadmins.")
    db.session.add_all([*departments.values(), federal, volga, nordtel, cloud, office])
    people = {}
    for email, name, roles in DEMO_USERS:
        user = User(email=email, name=name)
        user.roles = roles
        user.set_password(DEMO_PASSWORD)
        people[roles[0]] = user
        db.session.add(user)
    people[Role.REQUESTER].department = departments["Kazan"]
    db.session.commit()

    requester, approver, lawyer, sysadmin = (people[r] for r in (Role.REQUESTER, Role.APPROVER, Role.LAWYER,
                                                                 Role.SYSADMIN))

    def new(city: str, carrier: Carrier, pbx: PbxSystem, purpose: str, quantity: int = 1) -> NumberRequest:
        request = open_request(requester, department_id=departments[city].id, number_type=NumberType.LOCAL,
                               quantity=quantity, purpose=purpose, carrier_id=carrier.id, pbx_id=pbx.id)
        db.session.commit()
        return request

    def to_active(request: NumberRequest, numbers: list[str]) -> None:
        _advance(request, requester, "submit")
        _advance(request, approver, "approve", {"comment": "Within the branch budget."})
        _advance(request, lawyer, "approve_contracts", {"comment": "Protective terms in place."})
        _advance(request, lawyer, "record_signature", {"signed_on": (date.today() - timedelta(days=3)).isoformat()})
        _advance(request, sysadmin, "confirm_order", {"numbers": numbers, "trunk": {
            "type": "registration", "registrar": "sip.example.net", "username": f"trunk{request.id}",
            "password": "demo-secret"}})
        _advance(request, sysadmin, "confirm_attachment", {"comment": "Inbound route to the ring group."})
        _advance(request, sysadmin, "confirm_verification", {"comment": "Test call answered."})

    to_active(new("Moscow", nordtel, cloud, "Main line of the call centre (rented through the PBX vendor)"),
              ["+74951234567"])
    to_active(new("St Petersburg", federal, office, "Showroom main line"), ["+78122000001"])
    ordered = new("Yekaterinburg", federal, office, "Showroom main line and a second line", quantity=2)
    for user, action in ((requester, "submit"), (approver, "approve"), (lawyer, "approve_contracts")):
        _advance(ordered, user, action)
    _advance(ordered, lawyer, "record_signature", {"signed_on": date.today().isoformat()})
    review = new("Kazan", volga, office, "Showroom line with local calls")
    _advance(review, requester, "submit")
    _advance(review, approver, "approve", {"comment": "Pilot city."})
    submitted = new("Samara", federal, office, "Showroom main line")
    _advance(submitted, requester, "submit")
    new("Novosibirsk", federal, office, "Showroom main line")
    rejected = new("Krasnodar", federal, cloud, "Second line for peak season")
    _advance(rejected, requester, "submit")
    _advance(rejected, approver, "reject", {"comment": "Not in this year's budget."})
    return True
