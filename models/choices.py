"""The fixed vocabularies of the domain, one class per choice set."""


class ChoiceSet:
    CHOICES: tuple[tuple[str, str], ...] = ()

    @classmethod
    def values(cls) -> list[str]:
        return [value for value, _ in cls.CHOICES]

    @classmethod
    def label(cls, value: str) -> str:
        return dict(cls.CHOICES).get(value, value)


class Role(ChoiceSet):
    REQUESTER = "requester"
    APPROVER = "approver"
    LAWYER = "lawyer"
    SYSADMIN = "sysadmin"
    ACCOUNTANT = "accountant"
    ADMIN = "admin"
    CHOICES = (
        (REQUESTER, "Requester"),
        (APPROVER, "Project lead (approver)"),
        (LAWYER, "Lawyer"),
        (SYSADMIN, "Sysadmin"),
        (ACCOUNTANT, "Accountant"),
        (ADMIN, "Admin"),
    )


class NumberType(ChoiceSet):
    LOCAL = "local"
    TOLL_FREE = "toll_free"
    MOBILE = "mobile"
    CHOICES = ((LOCAL, "Local (geographic)"), (TOLL_FREE, "Toll-free (8-800)"), (MOBILE, "Mobile"))


class Holder(ChoiceSet):
    DIRECT = "direct"
    INTERMEDIARY = "intermediary"
    CHOICES = ((DIRECT, "Direct contract"), (INTERMEDIARY, "Through PBX vendor (lock-in risk)"))


class NumberStatus(ChoiceSet):
    ASSIGNED = "assigned"
    ATTACHED = "attached"
    ACTIVE = "active"
    DISCONNECTED = "disconnected"
    CHOICES = (
        (ASSIGNED, "Assigned by carrier"),
        (ATTACHED, "Attached to PBX"),
        (ACTIVE, "Active"),
        (DISCONNECTED, "Disconnected"),
    )


class PbxKind(ChoiceSet):
    MANUAL = "manual"
    CHOICES = ((MANUAL, "Manual (configuration sheet for the sysadmin)"),)


class CarrierAdapter(ChoiceSet):
    MANUAL = "manual"
    CHOICES = ((MANUAL, "Manual (order letter, answer recorded by a person)"),)


class Language(ChoiceSet):
    EN = "en"
    RU = "ru"
    CHOICES = ((EN, "English"), (RU, "Russian"))


class BillingIncrement(ChoiceSet):
    PER_SECOND = "per_second"
    PER_MINUTE = "per_minute"
    FIRST_MINUTE_THEN_SECOND = "first_minute_then_second"
    CHOICES = (
        (PER_SECOND, "Per second"),
        (PER_MINUTE, "Per minute"),
        (FIRST_MINUTE_THEN_SECOND, "First minute, then per second"),
    )


class DocumentKind(ChoiceSet):
    SERVICE_CONTRACT = "service_contract"
    TARIFF_APPENDIX = "tariff_appendix"
    SUPPLEMENTARY_AGREEMENT = "supplementary_agreement"
    TRIPARTITE_AGREEMENT = "tripartite_agreement"
    DISAGREEMENT_PROTOCOL = "disagreement_protocol"
    ORDER_LETTER = "order_letter"
    PBX_SHEET = "pbx_sheet"
    CHOICES = (
        (SERVICE_CONTRACT, "Service contract"),
        (TARIFF_APPENDIX, "Tariff appendix"),
        (SUPPLEMENTARY_AGREEMENT, "Supplementary agreement"),
        (TRIPARTITE_AGREEMENT, "Tripartite agreement"),
        (DISAGREEMENT_PROTOCOL, "Protocol of disagreements"),
        (ORDER_LETTER, "Carrier order letter"),
        (PBX_SHEET, "PBX configuration sheet"),
    )


class TrunkType(ChoiceSet):
    REGISTRATION = "registration"
    IP = "ip"
    CHOICES = ((REGISTRATION, "Registration (username and password)"), (IP, "IP-authenticated"))


class Direction(ChoiceSet):
    IN = "in"
    OUT = "out"
    CHOICES = ((IN, "Incoming"), (OUT, "Outgoing"))


class DestinationClass(ChoiceSet):
    LOCAL = "local"
    LONG_DISTANCE = "long_distance"
    MOBILE = "mobile"
    INTERNATIONAL = "international"
    TOLL_FREE = "toll_free"
    CHOICES = (
        (LOCAL, "Local"),
        (LONG_DISTANCE, "Long distance"),
        (MOBILE, "Mobile"),
        (INTERNATIONAL, "International"),
        (TOLL_FREE, "Toll-free"),
    )


class ImportKind(ChoiceSet):
    CALL_RECORDS = "cdrs"
    INVOICE_LINES = "invoices"
    CHOICES = ((CALL_RECORDS, "Call detail records (CDRs)"), (INVOICE_LINES, "Invoice lines"))


class ImportStatus(ChoiceSet):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CHOICES = ((PENDING, "Waiting to start"), (RUNNING, "Importing"), (DONE, "Done"), (FAILED, "Failed"))


class InvoiceItem(ChoiceSet):
    RENTAL = "rental"
    ONE_TIME = "one_time"
    CHOICES = ((RENTAL, "Monthly rental"), (ONE_TIME, "One-time fee"))
