"""What the API's calls take: JSON bodies, query parameters and the template upload form, one model each.

Each model checks the shape of the input (types, required fields, lengths, choices) before the domain sees it,
and the OpenAPI document is generated from it; the limits are the domain's (models/limits.py), which checks them
again with everything that needs the database or the request (models/payloads.py, lifecycle.open_request).

JSON bodies take JSON's own types only (strict: "5" is not a number) and refuse fields they do not know, so a
misspelt field is a 422 instead of being dropped without a word (`additionalProperties: false` in the document).
Query parameters arrive as text and are converted; unknown ones are ignored.
"""
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from werkzeug.datastructures import FileStorage

from contract_templates import KINDS, LANGUAGES
from models.carrier_text import parse_month
from models.choices import Holder, NumberStatus, NumberType, TrunkType
from models.limits import (MAX_CLAUSE, MAX_CLAUSES, MAX_COMMENT, MAX_ID, MAX_PURPOSE, MAX_QUANTITY,
                           MAX_TRUNK_SETTING, MAX_WORDING, MIN_QUANTITY)
from models.deadlines import STAGES
from models.lifecycle import STATES
from models.pbx import ATTACHMENT_CHECKLIST
from models.renewals import MAX_NOTICE_DAYS, MAX_RENEWS_FOR_MONTHS, MAX_TERM_MONTHS, MIN_TERM_MONTHS

from ..documents.files import FORMATS

MAX_PAGE_SIZE = 200
MAX_PAGE = MAX_ID // MAX_PAGE_SIZE  # so that the offset of any page fits in 64 bits too
# Text that must say something: at least one character that is not a space.
SAYS_SOMETHING = r"\S"


def choice(values) -> object:
    """The type of a field that takes one of `values`."""
    return Literal[tuple(values)]


RecordId = Annotated[int, Field(ge=1, le=MAX_ID, description="The id of an existing record")]
Comment = Annotated[str, Field(max_length=MAX_COMMENT)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_COMMENT, pattern=SAYS_SOMETHING,
                              description="Why: required for this decision")]
E164 = Annotated[str, Field(pattern=r"^\+[1-9]\d{1,14}$", examples=["+78432000101"],
                            description="A phone number in E.164 form")]
TrunkSetting = Annotated[str, Field(min_length=1, max_length=MAX_TRUNK_SETTING, pattern=SAYS_SOMETHING)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewRequest(Body):
    """A new draft request. The branch must be one you work for, and the carrier must serve its city."""

    department_id: RecordId
    number_type: choice(NumberType.values())
    quantity: Annotated[int, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY)]
    purpose: Annotated[str, Field(min_length=1, max_length=MAX_PURPOSE, pattern=SAYS_SOMETHING,
                                  description="What the numbers are for")]
    carrier_id: RecordId
    pbx_id: RecordId


class Decision(Body):
    """A decision that takes nothing but an optional comment."""

    comment: Comment | None = None
    version: int | None = Field(None, description="The request's version you saw; when it has changed since, "
                                                  "the answer is 409 and nothing happens")


class ReasonedDecision(Decision):
    """A decision that needs a reason: rejecting or cancelling."""

    comment: Reason


class Clause(Body):
    """One clause of a protocol of disagreements."""

    clause: Annotated[str, Field(min_length=1, max_length=MAX_CLAUSE, pattern=SAYS_SOMETHING, examples=["4.2"])]
    carrier_wording: Annotated[str, Field(min_length=1, max_length=MAX_WORDING, pattern=SAYS_SOMETHING)]
    our_wording: Annotated[str, Field(min_length=1, max_length=MAX_WORDING, pattern=SAYS_SOMETHING)]


class ChangeRequest(ReasonedDecision):
    """The lawyer's reason, and the clauses for a protocol of disagreements (none: the contracts are redrafted
    without one)."""

    items: list[Clause] = Field([], max_length=MAX_CLAUSES)


class ItemAnswer(Body):
    """The carrier's answer to one item of the protocol's latest round."""

    item_id: RecordId
    answer: Literal["accepted", "rejected", "counter"]
    wording: Annotated[str, Field(max_length=MAX_WORDING)] | None = Field(
        None, description="For a counter-proposal: the carrier's own wording")


class CarrierResponse(Decision):
    """The carrier's answer to the protocol of disagreements: per item, or all at once.

    Every item accepted, and items the playbook does not mark must-have rejected (the carrier's wording stands):
    the contracts are redrafted. A counter-proposal: the lawyer answers it. The protocol refused, or a must-have
    item rejected: the lawyer decides between another carrier, a project lead's acceptance and rejection."""

    answers: list[ItemAnswer] | None = Field(None, max_length=MAX_CLAUSES,
                                             description="One answer for each item of the latest round")
    accepted: bool | None = Field(None, description="Instead of answers: true accepts every item, false refuses "
                                                    "the protocol")
    refused: bool | None = Field(None, description="true: the carrier refuses the whole protocol")


class CounterAnswer(Body):
    item_id: RecordId
    decision: Literal["accept", "propose"] = Field(description="accept: the carrier's wording is agreed; "
                                                               "propose: our wording goes into the next round")
    wording: Annotated[str, Field(max_length=MAX_WORDING)] | None = Field(None, description="For propose")


class CounterAnswers(Decision):
    """The lawyer's decision on each of the carrier's counter-proposals."""

    answers: list[CounterAnswer] = Field(max_length=MAX_CLAUSES)


class CarrierChoice(ReasonedDecision):
    """Another carrier that serves the branch's city; the contracts are drafted again for it."""

    carrier_id: RecordId


class Signature(Decision):
    """The signature, and how the contract runs: each left out is what the carrier's analysed contract states of its
    renewal, else 12 months, renewing for 12, with 30 days' notice."""

    signed_on: date = Field(description="The day both sides signed; not in the future")
    term_months: Annotated[int, Field(ge=MIN_TERM_MONTHS, le=MAX_TERM_MONTHS)] | None = Field(
        None, description="The initial term in months")
    renews_for_months: Annotated[int, Field(ge=0, le=MAX_RENEWS_FOR_MONTHS)] | None = Field(
        None, description="How long each automatic renewal runs, in months; 0: the contract does not renew")
    notice_days: Annotated[int, Field(ge=0, le=MAX_NOTICE_DAYS)] | None = Field(
        None, description="How many days before the end of a term notice must be given to stop its renewal; "
                          "shorter than the shortest term")


class RegistrationTrunk(Body):
    type: Literal[TrunkType.REGISTRATION]
    registrar: TrunkSetting
    username: TrunkSetting
    password: TrunkSetting = Field(description="Kept encrypted, shown to sysadmins only, never in a document")


class IpTrunk(Body):
    type: Literal[TrunkType.IP]
    addresses: list[TrunkSetting] = Field(min_length=1, description="The carrier's SBC addresses")


# The trunk's fields depend on its type. Field errors name the field as trunk.<name>: pydantic puts the tag
# between the field and its members (trunk.ip.addresses), which operations.field_name leaves out.
TRUNK_TAGS = frozenset(TrunkType.values())


class OrderConfirmation(Decision):
    """The carrier's answer to the order: exactly as many numbers as requested, none already held, and the trunk."""

    numbers: list[E164] = Field(min_length=1, max_length=MAX_QUANTITY)
    trunk: RegistrationTrunk | IpTrunk = Field(discriminator="type")


MAX_CHECKED_TEXT = 20_000


class ClauseText(Body):
    """A clause (or a few) to check against the playbook in force."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_CHECKED_TEXT, pattern=SAYS_SOMETHING)]
    language: Literal["en", "ru"] | None = Field(None, description="Detected from the text when left out")


class ContractUpload(BaseModel):
    """The multipart form of a carrier's contract: .docx, a PDF with a text layer, or plain text."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    file: Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})] = Field(
        description="The carrier's contract (.docx, .pdf or .txt, at most 10 MB)")

    @field_validator("file")
    @classmethod
    def _named(cls, upload: FileStorage) -> FileStorage:
        if not upload.filename:
            raise ValueError("attach the contract as the multipart field 'file'")
        return upload


class AttachmentChecklist(Decision):
    """A PBX configured by hand: the sysadmin confirms every item of the checklist."""

    checklist: list[choice(ATTACHMENT_CHECKLIST)] = Field(
        description="The items ticked; every one is needed: " + ", ".join(ATTACHMENT_CHECKLIST))


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Paging(Query):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="25 unless the installation says otherwise")


class RequestFilter(Paging):
    state: choice(STATES) | None = None


class TaskFilter(Paging):
    department: RecordId | None = Field(None, description="Only this branch's tasks")
    stage: choice(STAGES) | None = Field(None, description="Only the tasks of this stage")
    overdue: bool | None = Field(None, description="true: only the tasks past their due time")


class NumberFilter(Paging):
    holder: choice(Holder.values()) | None = None
    status: choice(NumberStatus.values()) | None = None
    q: str | None = Field(None, description="Part of the number, the branch's name or city, or the carrier's name")


class ReportQuery(Query):
    month: Annotated[date, BeforeValidator(lambda text: parse_month(text) if isinstance(text, str) else text),
                     WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2026-10"]})]


class DocumentQuery(Query):
    format: choice(FORMATS) = "docx"


class VariablesQuery(Query):
    language: choice(LANGUAGES) = "en"


class TemplatePath(BaseModel):
    """What the template calls' paths take; another kind or language answers 404."""

    kind: choice(KINDS)
    language: choice(LANGUAGES)


class TemplateUpload(BaseModel):
    """The multipart form of a template upload."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True, str_strip_whitespace=True)

    file: Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})] = Field(
        description="The .docx template")
    language: choice(LANGUAGES)

    @field_validator("file")
    @classmethod
    def _named(cls, upload: FileStorage) -> FileStorage:
        if not upload.filename:
            raise ValueError("attach the .docx template as the multipart field 'file'")
        return upload
