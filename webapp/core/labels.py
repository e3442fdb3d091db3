"""The domain's words in the page's language.

models/ speaks English and knows nothing of Flask-Babel: the names of states, actions and machine steps, the
risks of a carrier's terms and the reasons the domain gives for refusing something (DomainError messages and
their field messages) are translated here, at display time. A message not listed here (a new one, or one that is
data, such as a template's rendering error) is shown as the domain wrote it; the JSON API always answers in
English, so programs can rely on its words.
"""
import re

from flask_babel import lazy_gettext

from models.choices import Role
from models.lifecycle import ACTIONS, STATES

from .i18n import page_language

STATE_LABELS = {
    "draft": lazy_gettext("Draft"),
    "submitted": lazy_gettext("Waiting for approval"),
    "approved": lazy_gettext("Approved: drafting contracts"),
    "legal_review": lazy_gettext("Legal review"),
    "drafting_protocol": lazy_gettext("Changes requested: drafting the protocol of disagreements"),
    "changes_requested": lazy_gettext("Changes requested: waiting for the carrier"),
    "counter_proposed": lazy_gettext("The carrier proposed its own wordings: the lawyer answers"),
    "carrier_refused": lazy_gettext("The carrier refused: the lawyer decides what next"),
    "risk_acceptance": lazy_gettext("Waiting for a project lead to accept the carrier's terms"),
    "redrafting": lazy_gettext("Redrafting contracts"),
    "legal_approved": lazy_gettext("Legally approved: waiting for signatures"),
    "signed": lazy_gettext("Signed: placing the carrier order"),
    "ordered": lazy_gettext("Ordered: waiting for the carrier"),
    "number_assigned": lazy_gettext("Number assigned: preparing PBX attachment"),
    "attaching": lazy_gettext("Waiting for PBX attachment"),
    "attached": lazy_gettext("Attached: preparing verification"),
    "verifying": lazy_gettext("Waiting for a test call"),
    "active": lazy_gettext("Active"),
    "rejected": lazy_gettext("Rejected"),
    "cancelled": lazy_gettext("Cancelled"),
}

# What a person's decision is called on its button and card.
ACTION_LABELS = {
    "submit": lazy_gettext("Submit for approval"),
    "approve": lazy_gettext("Approve"),
    "reject": lazy_gettext("Reject"),
    "approve_contracts": lazy_gettext("Approve contracts"),
    "request_changes": lazy_gettext("Request changes (protocol of disagreements)"),
    "carrier_response": lazy_gettext("Record the carrier's answer"),
    "answer_counter_proposals": lazy_gettext("Answer the carrier's wordings"),
    "switch_carrier": lazy_gettext("Switch to another carrier"),
    "escalate_risk": lazy_gettext("Ask a project lead to accept the carrier's terms"),
    "accept_risk": lazy_gettext("Accept the carrier's terms"),
    "record_signature": lazy_gettext("Record signature"),
    "confirm_order": lazy_gettext("Record the carrier's answer (numbers and trunk)"),
    "confirm_attachment": lazy_gettext("Confirm PBX attachment"),
    "confirm_verification": lazy_gettext("Confirm the test call"),
    "retry_verification": lazy_gettext("Test-call the number again"),
    "cancel": lazy_gettext("Cancel"),
}

# What happened, in a request's timeline: every action, people's and the machine's, and the other events.
EVENT_LABELS = {
    "create": lazy_gettext("Created as a draft"),
    "submit": lazy_gettext("Submitted for approval"),
    "approve": lazy_gettext("Approved"),
    "reject": lazy_gettext("Rejected"),
    "contracts_drafted": lazy_gettext("Contracts drafted"),
    "approve_contracts": lazy_gettext("Contracts approved"),
    "request_changes": lazy_gettext("Changes requested"),
    "protocol_drafted": lazy_gettext("Protocol of disagreements drafted"),
    "carrier_response": lazy_gettext("Carrier's answer recorded"),
    "answer_counter_proposals": lazy_gettext("The carrier's wordings answered"),
    "switch_carrier": lazy_gettext("Switched to another carrier"),
    "escalate_risk": lazy_gettext("Sent to a project lead to accept the carrier's terms"),
    "accept_risk": lazy_gettext("The carrier's terms accepted"),
    "add_to_protocol": lazy_gettext("Clause added to the protocol"),
    "remove_from_protocol": lazy_gettext("Clause removed from the protocol"),
    "accept_clause_risk": lazy_gettext("A clause's risk accepted"),
    "record_signature": lazy_gettext("Signature recorded"),
    "order_placed": lazy_gettext("Carrier order placed"),
    "confirm_order": lazy_gettext("Numbers and trunk recorded"),
    "attachment_requested": lazy_gettext("PBX attachment prepared"),
    "confirm_attachment": lazy_gettext("PBX attachment confirmed"),
    "verification_requested": lazy_gettext("Verification prepared"),
    "confirm_verification": lazy_gettext("Test call confirmed"),
    "pbx_provisioned": lazy_gettext("Provisioned on the PBX"),
    "test_call_passed": lazy_gettext("Test call passed"),
    "test_call_failed": lazy_gettext("Test call failed"),
    "retry_verification": lazy_gettext("Test call asked for again"),
    "queue_test_call": lazy_gettext("Test call asked for"),
    "retry_step": lazy_gettext("Automatic step retried by an admin"),
    "queue_pbx_check": lazy_gettext("PBX check asked for"),
    "queue_pbx_apply": lazy_gettext("Applying the PBX's plan again asked for"),
    "cancel": lazy_gettext("Cancelled"),
    "reveal_trunk_password": lazy_gettext("Trunk password viewed"),
}

# The carrier's answer to one item of a protocol of disagreements.
ANSWER_LABELS = {
    "accepted": lazy_gettext("accepted"),
    "rejected": lazy_gettext("rejected"),
    "counter": lazy_gettext("its own wording"),
}

# The playbook's risk categories.
CATEGORY_LABELS = {
    "price_change": lazy_gettext("Prices changed without enough notice"),
    "deemed_acceptance": lazy_gettext("Invoices deemed accepted"),
    "daily_penalty": lazy_gettext("Daily penalty"),
    "uncapped_liability": lazy_gettext("Uncapped liability"),
    "auto_renewal": lazy_gettext("Automatic renewal"),
}

# The playbook's fields, as its page names them.
PLAYBOOK_FIELDS = {
    "min_notice_days": lazy_gettext("Least notice of a price change, days"),
    "min_dispute_days": lazy_gettext("Least time to dispute an invoice, days"),
    "max_percent_per_day": lazy_gettext("Highest penalty per day, %"),
    "requires_cap": lazy_gettext("A daily penalty needs an overall cap"),
    "max_notice_days": lazy_gettext("Longest notice to stop a renewal, days"),
    "max_renewal_months": lazy_gettext("Longest renewal, months"),
    "must_have": lazy_gettext("Must have: never signed unchanged"),
    "explanation": lazy_gettext("Why it matters"),
    "suggested_wording": lazy_gettext("The wording to propose"),
}

# What a sysadmin ticks when attaching numbers to a PBX configured by hand (models.pbx.ATTACHMENT_CHECKLIST).
CHECKLIST_LABELS = {
    "trunk_configured": lazy_gettext("The carrier's trunk is configured on the PBX"),
    "inbound_route": lazy_gettext("Each number's inbound route goes to the branch's ring group"),
    "outbound_caller_id": lazy_gettext("The branch's outgoing calls show the new number"),
    "test_call_made": lazy_gettext("A test call to each number reached the ring group"),
}

# The automatic step a machine state waits for.
STEP_LABELS = {
    "draft_contracts": lazy_gettext("drafting the contracts"),
    "draft_protocol": lazy_gettext("drafting the protocol of disagreements"),
    "place_carrier_order": lazy_gettext("placing the carrier order"),
    "attach_to_pbx": lazy_gettext("preparing the PBX attachment"),
    "verify_number": lazy_gettext("preparing the verification"),
}


def state_label(state: str | None) -> str:
    if state in STATE_LABELS:
        return str(STATE_LABELS[state])
    return STATES[state].label if state in STATES else (state or "")


def action_label(action: str | None) -> str:
    return str(ACTION_LABELS.get(action) or EVENT_LABELS.get(action) or (action or "").replace("_", " "))


def event_label(action: str | None) -> str:
    return str(EVENT_LABELS.get(action) or ACTION_LABELS.get(action) or (action or "").replace("_", " "))


def answer_label(answer: str | None) -> str:
    return str(ANSWER_LABELS.get(answer) or answer or "")


def category_label(category: str | None) -> str:
    return str(CATEGORY_LABELS.get(category) or (category or "").replace("_", " "))


def playbook_field(name: str) -> str:
    return str(PLAYBOOK_FIELDS.get(name) or name.replace("_", " "))


def step_label(step: str | None) -> str:
    return str(STEP_LABELS.get(step) or (step or "").replace("_", " "))


# Messages of models/ that pages show, word for word.
_MESSAGES = {
    # Refusals of a decision (models/lifecycle.py).
    "only the person who created the request may do this":
        lazy_gettext("only the person who created the request may do this"),
    "nobody may decide on their own request": lazy_gettext("nobody may decide on their own request"),
    "the contracts must be approved by somebody other than the person who approved the budget":
        lazy_gettext("the contracts must be approved by somebody other than the person who approved the budget"),
    "only the person who created the request or a project lead may cancel it":
        lazy_gettext("only the person who created the request or a project lead may cancel it"),
    "only the workflow engine may take this step": lazy_gettext("only the workflow engine may take this step"),
    "this step needs a person": lazy_gettext("this step needs a person"),
    "the carrier order has not been placed yet": lazy_gettext("the carrier order has not been placed yet"),
    "the request changed since you loaded it: reload and decide again":
        lazy_gettext("the request changed since you loaded it: reload and decide again"),
    "somebody else changed this request at the same moment: reload and decide again":
        lazy_gettext("somebody else changed this request at the same moment: reload and decide again"),
    "the request is not valid": lazy_gettext("the request is not valid"),
    "the input is not valid": lazy_gettext("the input is not valid"),
    # Field messages (models/payloads.py, models/lifecycle.py, models/organisation.py).
    "must be text": lazy_gettext("must be text"),
    "is required": lazy_gettext("is required"),
    "is required: say why": lazy_gettext("is required: say why"),
    "is required: say what the number is for": lazy_gettext("is required: say what the number is for"),
    "must be the id of an existing record": lazy_gettext("must be the id of an existing record"),
    "you may open requests only for the branches you work for":
        lazy_gettext("you may open requests only for the branches you work for"),
    "must be a date as YYYY-MM-DD": lazy_gettext("must be a date as YYYY-MM-DD"),
    "cannot be in the future": lazy_gettext("cannot be in the future"),
    "must be true or false": lazy_gettext("must be true or false"),
    "must be a non-empty list of E.164 numbers": lazy_gettext("must be a non-empty list of E.164 numbers"),
    "lists a number twice": lazy_gettext("lists a number twice"),
    "must be in international form, starting with +":
        lazy_gettext("must be in international form, starting with +"),
    "is not a valid phone number": lazy_gettext("is not a valid phone number"),
    "is required for a registration trunk": lazy_gettext("is required for a registration trunk"),
    "must list the carrier's SBC addresses": lazy_gettext("must list the carrier's SBC addresses"),
    "must be an object with the trunk's type and credentials":
        lazy_gettext("must be an object with the trunk's type and credentials"),
    "1 to 80 characters": lazy_gettext("1 to 80 characters"),
    # The risks of a carrier's standard terms (models/carriers.py).
    "Prices may change without enough written notice":
        lazy_gettext("Prices may change without enough written notice"),
    "Invoices are deemed accepted without time to dispute them":
        lazy_gettext("Invoices are deemed accepted without time to dispute them"),
    "Fines and liability are not capped": lazy_gettext("Fines and liability are not capped"),
    "Refuses a protocol of disagreements": lazy_gettext("Refuses a protocol of disagreements"),
    # Carriers' contracts, the playbook and the protocol item by item (models/carrier_terms.py, protocol.py);
    # domain_text translates the parts of a message joined by "; " one by one.
    "the carrier has no tariff in force on that day": lazy_gettext("the carrier has no tariff in force on that day"),
    "must be the id of an item of the protocol's latest round":
        lazy_gettext("must be the id of an item of the protocol's latest round"),
    "is required: the carrier's own wording": lazy_gettext("is required: the carrier's own wording"),
    "is required: the wording to propose": lazy_gettext("is required: the wording to propose"),
    "must list the carrier's answer to each item (accepted, rejected or counter)":
        lazy_gettext("must list the carrier's answer to each item (accepted, rejected or counter)"),
    "give either accepted or answers, not both": lazy_gettext("give either accepted or answers, not both"),
    "must list a decision for each counter-proposal (accept or propose)":
        lazy_gettext("must list a decision for each counter-proposal (accept or propose)"),
    "answers an item twice": lazy_gettext("answers an item twice"),
    "must be another carrier than the one that refused":
        lazy_gettext("must be another carrier than the one that refused"),
    "must be the id of a carrier": lazy_gettext("must be the id of a carrier"),
    "the carrier's terms must be accepted by somebody other than whoever asked for it":
        lazy_gettext("the carrier's terms must be accepted by somebody other than whoever asked for it"),
    "the protocol can be prepared only while the request is in legal review":
        lazy_gettext("the protocol can be prepared only while the request is in legal review"),
    "only lawyers edit the playbook": lazy_gettext("only lawyers edit the playbook"),
    "only lawyers and admins add carriers' contracts": lazy_gettext("only lawyers and admins add carriers' contracts"),
    "only lawyers confirm what a carrier's contract says":
        lazy_gettext("only lawyers confirm what a carrier's contract says"),
    "only lawyers and admins check carriers' contracts again":
        lazy_gettext("only lawyers and admins check carriers' contracts again"),
    "choose a file to upload": lazy_gettext("choose a file to upload"),
    "no text was found in it": lazy_gettext("no text was found in it"),
    "must be the request's carrier": lazy_gettext("must be the request's carrier"),
    "must not be negative": lazy_gettext("must not be negative"),
    "must be a whole number": lazy_gettext("must be a whole number"),
    "must be a number": lazy_gettext("must be a number"),
    "must not be empty": lazy_gettext("must not be empty"),
    "unknown field": lazy_gettext("unknown field"),
    "the file is empty": lazy_gettext("the file is empty"),
    "the PDF has no text layer: it looks scanned": lazy_gettext("the PDF has no text layer: it looks scanned"),
    "upload the carrier's .docx or a PDF with text": lazy_gettext("upload the carrier's .docx or a PDF with text"),
    "the PDF is protected with a password": lazy_gettext("the PDF is protected with a password"),
    "upload it without the protection, or the .docx": lazy_gettext("upload it without the protection, or the .docx"),
    "a macro-enabled Word document is refused": lazy_gettext("a macro-enabled Word document is refused"),
    "save it as a .docx (Word Document) and upload that":
        lazy_gettext("save it as a .docx (Word Document) and upload that"),
    "the document contains macros": lazy_gettext("the document contains macros"),
    "macro-enabled documents are refused: save it as a .docx (Word Document) and upload that":
        lazy_gettext("macro-enabled documents are refused: save it as a .docx (Word Document) and upload that"),
    "the .docx is damaged and cannot be read": lazy_gettext("the .docx is damaged and cannot be read"),
    "open it in Word, save it again and upload that": lazy_gettext("open it in Word, save it again and upload that"),
    "the PDF is damaged and cannot be read": lazy_gettext("the PDF is damaged and cannot be read"),
    "upload the .docx or save the PDF again": lazy_gettext("upload the .docx or save the PDF again"),
    "no words could be read from the file (only images or empty pages?)":
        lazy_gettext("no words could be read from the file (only images or empty pages?)"),
    "upload the text of the contract as .docx, a PDF with text, or .txt":
        lazy_gettext("upload the text of the contract as .docx, a PDF with text, or .txt"),
    "must answer every item": lazy_gettext("must answer every item"),
    "every item must be ticked": lazy_gettext("every item must be ticked"),
    "must decide on every counter-proposal": lazy_gettext("must decide on every counter-proposal"),
    "upload the contract as .docx, a PDF with text, or .txt":
        lazy_gettext("upload the contract as .docx, a PDF with text, or .txt"),
}

# Messages with values in them: the pattern, and the translation that takes the pattern's groups.
_PATTERNS = [
    (re.compile(r"there is no request (?P<id>\d+)"), lazy_gettext("there is no request %(id)s")),
    (re.compile(r"there is no document (?P<id>\d+)"), lazy_gettext("there is no document %(id)s")),
    (re.compile(r"there is no action called '(?P<action>[^']*)'"),
     lazy_gettext("there is no action called “%(action)s”")),
    (re.compile(r"'(?P<action>[^']*)' is not possible while the request is '(?P<state>[^']*)'"),
     lazy_gettext("“%(action)s” is not possible while the request is “%(state)s”")),
    (re.compile(r"needs the role (?P<roles>.+)"), lazy_gettext("needs the role %(roles)s")),
    (re.compile(r"must be at most (?P<count>\d+) characters"), lazy_gettext("must be at most %(count)s characters")),
    (re.compile(r"must be a whole number from (?P<least>\d+) to (?P<most>\d+)"),
     lazy_gettext("must be a whole number from %(least)s to %(most)s")),
    (re.compile(r"must be a list of at most (?P<count>\d+) clauses"),
     lazy_gettext("must be a list of at most %(count)s clauses")),
    (re.compile(r"must list exactly (?P<count>\d+) number\(s\), as requested"),
     lazy_gettext("must list exactly %(count)s number(s), as requested")),
    (re.compile(r"already in the inventory: (?P<numbers>.+)"), lazy_gettext("already in the inventory: %(numbers)s")),
    (re.compile(r"must list (?P<count>\d+) wording\(s\), one per clause of the protocol"),
     lazy_gettext("must list %(count)s wording(s), one per clause of the protocol")),
    (re.compile(r"missing: clause (?P<clauses>.+)"), lazy_gettext("missing: clause %(clauses)s")),
    (re.compile(r"not ticked: (?P<items>.+)"), lazy_gettext("not ticked: %(items)s")),
    (re.compile(r"clause (?P<clause>.+) is already in the protocol"),
     lazy_gettext("clause %(clause)s is already in the protocol")),
    (re.compile(r"the risk of clause (?P<clause>.+) is already accepted"),
     lazy_gettext("the risk of clause %(clause)s is already accepted")),
    (re.compile(r"the file is larger than (?P<size>\d+) MB, the most a contract file may be"),
     lazy_gettext("the file is larger than %(size)s MB, the most a contract file may be")),
    (re.compile(r"the file is named (?P<extension>\S+) but it is (?P<what>.+)"),
     lazy_gettext("the file is named %(extension)s but it is %(what)s")),
    (re.compile(r"(?P<extension>\S+) is not a contract format numberdesk reads"),
     lazy_gettext("%(extension)s is not a contract format numberdesk reads")),
    (re.compile(r"no such record: (?P<value>.+)"), lazy_gettext("no such record: %(value)s")),
    (re.compile(r"(?P<carrier>.+) does not serve (?P<city>.+)"), lazy_gettext("%(carrier)s does not serve %(city)s")),
    (re.compile(r"must be one of (?P<values>.+)"), lazy_gettext("must be one of %(values)s")),
    (re.compile(r"1 to (?P<count>\d+) days"), lazy_gettext("1 to %(count)s days")),
    (re.compile(r"is not a phone number \((?P<reason>.+)\)"), lazy_gettext("is not a phone number (%(reason)s)")),
    (re.compile(r"Daily penalty of (?P<percent>[\d.]+)%"), lazy_gettext("Daily penalty of %(percent)s%%")),
    # A problem with one of several numbers: "'+7123' is not a valid phone number".
    (re.compile(r"(?P<item>'[^']*') (?P<problem>.+)"), None),
]


def _translated_role(roles: str) -> str:
    return " / ".join(Role.label(name, page_language()) for name in roles.split(" or "))


def domain_text(message: str | None) -> str:
    """A message of models/ in the page's language; one it does not know, as it is. Several problems joined by
    "; " are translated one by one."""
    if not message:
        return ""
    if "; " in message:
        return "; ".join(domain_text(part) for part in message.split("; "))
    if message in _MESSAGES:
        return str(_MESSAGES[message])
    for pattern, translation in _PATTERNS:
        found = pattern.fullmatch(message)
        if not found:
            continue
        values = found.groupdict()
        if translation is None:
            return f"{values['item']} {domain_text(values['problem'])}"
        if "roles" in values:
            values["roles"] = _translated_role(values["roles"])
        if "state" in values:
            values["state"] = state_label(values["state"])
        if "action" in values:
            values["action"] = action_label(values["action"])
        return str(translation) % values
    return message


def domain_fields(fields: dict[str, str]) -> dict[str, str]:
    """A DomainError's field messages, each in the page's language."""
    return {name: domain_text(message) for name, message in fields.items()}


def missing_labels() -> list[str]:
    """States and actions of models/lifecycle.py that have no translated label here (a test keeps it empty)."""
    missing = [f"state {name}" for name in STATES if name not in STATE_LABELS]
    missing += [f"action {name}" for name in ACTIONS if name not in EVENT_LABELS]
    missing += [f"step {state.machine_step}" for state in STATES.values()
                if state.machine_step and state.machine_step not in STEP_LABELS]
    return missing


__all__ = ["ACTION_LABELS", "EVENT_LABELS", "STATE_LABELS", "STEP_LABELS", "action_label", "domain_fields",
           "domain_text", "event_label", "missing_labels", "state_label", "step_label"]
