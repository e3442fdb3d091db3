"""The fixed vocabularies of the domain, one class per choice set, each labelled in English and in Russian."""


class ChoiceSet:
    """A fixed set of values. CHOICES holds each value with its English label, in the order forms offer them;
    RUSSIAN holds the Russian label of every value (a test checks none is missing)."""

    CHOICES: tuple[tuple[str, str], ...] = ()
    RUSSIAN: dict[str, str] = {}

    @classmethod
    def values(cls) -> list[str]:
        return [value for value, _ in cls.CHOICES]

    @classmethod
    def label(cls, value: str, language: str = "en") -> str:
        """The value in words, in "en" or "ru"; a value outside the set is shown as it is."""
        if language == "ru":
            return cls.RUSSIAN.get(value) or dict(cls.CHOICES).get(value, value)
        if language != "en":
            raise ValueError(f"unsupported language {language!r}; expected 'en' or 'ru'")
        return dict(cls.CHOICES).get(value, value)

    @classmethod
    def choices(cls, language: str = "en") -> list[tuple[str, str]]:
        """(value, label) pairs in ``language``, for a form's select."""
        return [(value, cls.label(value, language)) for value in cls.values()]


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
    RUSSIAN = {REQUESTER: "Заявитель", APPROVER: "Руководитель проекта (согласующий)", LAWYER: "Юрист",
               SYSADMIN: "Системный администратор", ACCOUNTANT: "Бухгалтер", ADMIN: "Администратор"}


class NumberType(ChoiceSet):
    LOCAL = "local"
    TOLL_FREE = "toll_free"
    MOBILE = "mobile"
    CHOICES = ((LOCAL, "Local (geographic)"), (TOLL_FREE, "Toll-free (8-800)"), (MOBILE, "Mobile"))
    RUSSIAN = {LOCAL: "Местный (географический)", TOLL_FREE: "Бесплатный для звонящих (8-800)",
               MOBILE: "Мобильный"}


class Holder(ChoiceSet):
    DIRECT = "direct"
    INTERMEDIARY = "intermediary"
    CHOICES = ((DIRECT, "Direct contract"), (INTERMEDIARY, "Through PBX vendor (lock-in risk)"))
    RUSSIAN = {DIRECT: "Прямой договор с оператором", INTERMEDIARY: "Через провайдера АТС (риск привязки)"}


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
    RUSSIAN = {ASSIGNED: "Выделен оператором", ATTACHED: "Подключён к АТС", ACTIVE: "Действует",
               DISCONNECTED: "Отключён"}


class PbxKind(ChoiceSet):
    MANUAL = "manual"
    ASTERISK = "asterisk"
    CHOICES = ((MANUAL, "Manual (configuration sheet for the sysadmin)"),
               (ASTERISK, "Asterisk (provisioned and test-called by numberdesk)"))
    RUSSIAN = {MANUAL: "Ручная настройка (лист настройки для системного администратора)",
               ASTERISK: "Asterisk (настройка и тестовый звонок выполняются numberdesk)"}


class RingStrategy(ChoiceSet):
    """How a branch's ring group rings its phones (pbx.asterisk.RING_ALL and HUNT)."""

    RING_ALL = "ringall"
    HUNT = "hunt"
    CHOICES = ((RING_ALL, "Ring all phones at once"), (HUNT, "Ring the phones in turn"))
    RUSSIAN = {RING_ALL: "Звонят все телефоны сразу", HUNT: "Телефоны звонят по очереди"}


class CarrierAdapter(ChoiceSet):
    MANUAL = "manual"
    CHOICES = ((MANUAL, "Manual (order letter, answer recorded by a person)"),)
    RUSSIAN = {MANUAL: "Вручную (письмо-заявка, ответ оператора вносит сотрудник)"}


class Language(ChoiceSet):
    EN = "en"
    RU = "ru"
    CHOICES = ((EN, "English"), (RU, "Russian"))
    RUSSIAN = {EN: "Английский", RU: "Русский"}


class BillingIncrement(ChoiceSet):
    PER_SECOND = "per_second"
    PER_MINUTE = "per_minute"
    FIRST_MINUTE_THEN_SECOND = "first_minute_then_second"
    CHOICES = (
        (PER_SECOND, "Per second"),
        (PER_MINUTE, "Per minute"),
        (FIRST_MINUTE_THEN_SECOND, "First minute, then per second"),
    )
    # As in «Тарификация вызовов: посекундная».
    RUSSIAN = {PER_SECOND: "Посекундная", PER_MINUTE: "Поминутная",
               FIRST_MINUTE_THEN_SECOND: "Первая минута целиком, далее посекундная"}


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
    RUSSIAN = {SERVICE_CONTRACT: "Договор об оказании услуг связи", TARIFF_APPENDIX: "Тарифное приложение",
               SUPPLEMENTARY_AGREEMENT: "Дополнительное соглашение", TRIPARTITE_AGREEMENT: "Трёхстороннее соглашение",
               DISAGREEMENT_PROTOCOL: "Протокол разногласий", ORDER_LETTER: "Письмо-заявка оператору",
               PBX_SHEET: "Лист настройки АТС"}


class TrunkType(ChoiceSet):
    REGISTRATION = "registration"
    IP = "ip"
    CHOICES = ((REGISTRATION, "Registration (username and password)"), (IP, "IP-authenticated"))
    RUSSIAN = {REGISTRATION: "С регистрацией (имя пользователя и пароль)", IP: "С аутентификацией по IP-адресу"}


class ProtocolAnswer(ChoiceSet):
    """The carrier's answer to one item of a protocol of disagreements."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COUNTER = "counter"
    CHOICES = ((ACCEPTED, "accepted"), (REJECTED, "rejected"), (COUNTER, "counter-proposal"))
    RUSSIAN = {ACCEPTED: "принято", REJECTED: "отклонено", COUNTER: "встречная редакция"}


class Direction(ChoiceSet):
    IN = "in"
    OUT = "out"
    CHOICES = ((IN, "Incoming"), (OUT, "Outgoing"))
    RUSSIAN = {IN: "Входящий", OUT: "Исходящий"}


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
    # As a tariff's rows name them: «Направление | Цена за минуту».
    RUSSIAN = {LOCAL: "Местные вызовы", LONG_DISTANCE: "Междугородные вызовы",
               MOBILE: "Вызовы на мобильные телефоны", INTERNATIONAL: "Международные вызовы",
               TOLL_FREE: "Входящие вызовы на номера 8-800"}


class ImportKind(ChoiceSet):
    CALL_RECORDS = "cdrs"
    INVOICE_LINES = "invoices"
    CHOICES = ((CALL_RECORDS, "Call detail records (CDRs)"), (INVOICE_LINES, "Invoice lines"))
    RUSSIAN = {CALL_RECORDS: "Детализация звонков", INVOICE_LINES: "Строки счетов"}


class ImportStatus(ChoiceSet):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CHOICES = ((PENDING, "Waiting to start"), (RUNNING, "Importing"), (DONE, "Done"), (FAILED, "Failed"))
    RUSSIAN = {PENDING: "Ожидает запуска", RUNNING: "Загружается", DONE: "Готово", FAILED: "Ошибка"}


class InvoiceItem(ChoiceSet):
    RENTAL = "rental"
    ONE_TIME = "one_time"
    CHOICES = ((RENTAL, "Monthly rental"), (ONE_TIME, "One-time fee"))
    RUSSIAN = {RENTAL: "Ежемесячная абонентская плата", ONE_TIME: "Единовременная плата"}


class MailPreference(ChoiceSet):
    """When a person is e-mailed about their tasks and their requests (models/notifications.py)."""

    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    OFF = "off"
    CHOICES = ((IMMEDIATELY, "Immediately, one e-mail per task or decision"),
               (DIGEST, "Once a day, in a digest"), (OFF, "Never"))
    RUSSIAN = {IMMEDIATELY: "Сразу, по письму на каждую задачу или решение",
               DIGEST: "Раз в день, одной сводкой", OFF: "Никогда"}
