"""What the API answers: one model per JSON shape.

Every JSON answer is made by validating the view's data with the model its operation declares and dumping it
(webapp/api/operations.py), and the OpenAPI document is generated from the same models, so the answers and the
document cannot drift. A model refuses a field it does not declare: a view that adds one fails its tests until the
model (and so the document) has it too. Every declared field is always present; null where the model says so.
Amounts are decimal strings, times are UTC with a Z.
"""
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_serializer

from contract_templates import KINDS, LANGUAGES
from models.choices import DocumentKind, Holder, NumberStatus, NumberType, PbxKind
from models.lifecycle import HUMAN_ACTIONS, STATES

from .inputs import choice


def _utc(moment: datetime) -> datetime:
    # The database keeps UTC without a time zone; answers say it is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
Amount = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["1500.00"],
                              json_schema_extra={"format": "decimal"})]
State = choice(STATES)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Answer):
    """Every refusal: a code, what went wrong, and for bad input each bad field with what is wrong with it."""

    error: str = Field(examples=["invalid_input"])
    message: str
    fields: dict[str, str] = Field(description="Each bad field (items[0].clause, trunk.username) and its problem")


class TemplateRefusal(Error):
    """A refused upload: `reasons` lists every problem with the template (absent when the form itself is bad)."""

    reasons: list[str] = []


class Department(Answer):
    id: int
    name: str
    city: str
    time_zone: str = Field(examples=["Europe/Moscow"])
    cost_centre: str
    monthly_call_load: int


class Carrier(Answer):
    id: int
    name: str
    legal_name: str
    cities: list[str]
    risky_terms: list[str] = Field(description="The clauses of its standard contract that the lawyers reject")
    billing_time_zone: str = Field(description="The zone whose days and months the carrier bills by",
                                   examples=["Europe/Moscow"])


class Pbx(Answer):
    id: int
    name: str
    kind: choice(PbxKind.values())
    vendor: str
    resells_numbers: bool = Field(description="Numbers bought through it are held by the vendor: a lock-in risk")


class Number(Answer):
    e164: str
    national: str
    department_id: int
    department: str
    carrier_id: int
    carrier: str
    holder: choice(Holder.values())
    lock_in_risk: bool
    pbx_id: int | None
    pbx: str | None
    status: choice(NumberStatus.values())
    request_id: int | None
    activated_on: date | None
    last_test_call: "Verification | None" = Field(
        description="The last test call placed to the number (by its request's verification or asked for by a "
                    "sysadmin); null before one")


class RequestDocument(Answer):
    id: int = Field(description="GET /documents/{document_id} downloads it")
    kind: choice(DocumentKind.values())
    version: int
    sha256: str
    template_version: str
    created_at: UtcDateTime


class HistoryEvent(Answer):
    action: str = Field(description="`create`, or an action of the life cycle (people's and the machine's)")
    from_state: State | None
    to_state: State
    actor: str
    at: UtcDateTime
    comment: str


Category = Literal["price_change", "deemed_acceptance", "daily_penalty", "uncapped_liability", "auto_renewal"]


class ClauseFlag(Answer):
    """A risk the playbook finds in a clause, where, and what to propose instead."""

    category: Category
    start: int = Field(description="Where the risky words start in the clause's text (a character offset)")
    end: int = Field(description="Where they end (exclusive)")
    match: str = Field(description="The risky words: text[start:end]")
    found: str = Field(examples=["notice 5 days < 30"])
    threshold: str = Field(examples=["30 days"])
    explanation: str
    suggested_wording: str


class ClauseCheck(Answer):
    language: Literal["en", "ru"]
    flags: list[ClauseFlag]


class ContractClause(Answer):
    number: str = Field(description="As numbered in the contract, e.g. 4.2; empty for the text before the first")
    heading: str
    text: str
    flags: list[ClauseFlag]


class CarrierContract(Answer):
    """A carrier's own contract, read into clauses and checked against the playbook."""

    id: int
    carrier_id: int
    version: int
    request_id: int | None = Field(description="The request it was sent for; null: the carrier's standard terms")
    filename: str
    kind: Literal["docx", "pdf", "text"]
    language: Literal["en", "ru"]
    playbook_version: int = Field(description="The playbook version it was checked against (0: the defaults)")
    uploaded_by: str
    uploaded_at: UtcDateTime
    flag_count: int
    clauses: list[ContractClause]


class ContractSummary(Answer):
    id: int
    carrier_id: int
    version: int
    request_id: int | None
    filename: str
    language: Literal["en", "ru"]
    flag_count: int
    uploaded_at: UtcDateTime


class ProtocolItem(Answer):
    """One item of the protocol of disagreements and the carrier's answer to it (settled once agreed)."""

    id: int
    round: int
    clause: str
    category: str = Field(description="The playbook category it answers; empty for a clause added by hand")
    must_have: bool
    carrier_wording: str
    our_wording: str
    answer: Literal["accepted", "rejected", "counter"] | None
    counter_wording: str | None
    agreed_wording: str | None


class Verification(Answer):
    result: Literal["passed", "failed"]
    sip_status: int | None = Field(description="The PBX's final SIP answer to the test call (200, 404, 486...); "
                                               "null for a call that got none, or one made through AMI")
    at: UtcDateTime
    detail: str


class Request(Answer):
    """A number request with its numbers, documents, history and the actions the caller may take now."""

    id: int
    reference: str
    state: State
    state_label: str
    version: int = Field(description="Send it back with a decision: a stale one gets 409")
    department_id: int
    carrier_id: int
    pbx_id: int
    number_type: choice(NumberType.values())
    quantity: int
    purpose: str
    created_by: str
    created_at: UtcDateTime
    dispatch_pending: bool = Field(description="A machine step is due and has not been handed to the workflow "
                                               "engine yet")
    signed_on: date | None
    numbers: list[str]
    documents: list[RequestDocument]
    protocol: list[ProtocolItem] = Field(description="Every item sent to the request's carrier, round by round")
    verification: Verification | None = Field(description="The last test call of the request's numbers, made by "
                                                          "numberdesk on a PBX it provisions; null before one")
    step_error: str = Field(description="Why the machine step due now did not go through (empty when nothing "
                                        "failed), e.g. the PBX could not be reached")
    history: list[HistoryEvent]
    allowed_actions: list[choice(sorted(HUMAN_ACTIONS))]


class Task(Answer):
    """A request waiting for the caller, with what they may do and when it is due."""

    request_id: int
    reference: str
    actions: list[choice(sorted(HUMAN_ACTIONS))]
    due_at: UtcDateTime | None = Field(description="The end of the stage's last business day; null for a state "
                                                   "without a deadline")
    overdue: bool
    on_behalf_of: str | None = Field(None, description="Only on the task of somebody away whom the caller stands in "
                                                       "for: that person's e-mail")

    @model_serializer(mode="wrap")
    def _on_behalf_of_only_when_standing_in(self, handler):
        data = handler(self)
        if data.get("on_behalf_of") is None:
            data.pop("on_behalf_of", None)
        return data


class DepartmentExpenses(Answer):
    department_id: int
    name: str
    city: str
    numbers: int
    rental: Amount
    calls: Amount = Field(description="What the carriers billed")
    one_time: Amount
    total: Amount
    previous_total: Amount


class ExpenseReport(Answer):
    """The month's expense report per branch: rental and one-time fees as contracted, calls as billed."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])
    currency: str = Field(examples=["RUB"])
    departments: list[DepartmentExpenses]
    total: Amount
    time_zones: dict[str, str] = Field(
        description="Each carrier's billing time zone, by carrier name, in which the month's calls and rental "
                    "days are counted (the key \"\" stands for every carrier in a report kept before carriers "
                    "had zones)")


class Template(Answer):
    """An uploaded version of a contract template."""

    kind: choice(KINDS)
    language: choice(LANGUAGES)
    version: int
    sha256: str
    label: str
    active: bool
    filename: str
    size: int
    uploaded_by: str | None
    uploaded_at: UtcDateTime


class TemplateKind(Answer):
    """A template kind in one language: the uploaded version in use (null: the bundled one) and every version."""

    kind: choice(KINDS)
    language: choice(LANGUAGES)
    active_version: Template | None
    bundled_version: str | None = Field(description="The content id of the template shipped with numberdesk")
    versions: list[Template]


class Variable(Answer):
    path: str = Field(examples=["carrier.legal_name"])
    description: str
    type: str | None
    example: Any = Field(description="From the sample data in the language asked for")
    tag: str = Field(description="How to write it in the Word template", examples=["{{ carrier.legal_name }}"])


class Variables(Answer):
    kind: choice(KINDS)
    language: choice(LANGUAGES)
    variables: list[Variable]


class OpenApiDocument(BaseModel):
    """This document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
