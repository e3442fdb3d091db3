"""The words of numberdesk's e-mails in English and Russian, and one letter layout rendered as plain text and HTML.

Mails are written where the transaction is (a decision, a machine step, the daily digest), far from any web page,
so their words live here, as the choice sets' labels do (models/choices.py), not in the pages' catalogs.
"""
import html
from dataclasses import dataclass, field

from .lifecycle import STATES

LANGUAGES = ("en", "ru")

# The request's states and the actions on it as a mail names them: a state as it waits, an action as a button
# offers it, an event as the request's history tells it (the same words as the pages).
STATE_LABELS = {
    "draft": "Черновик",
    "submitted": "Ожидает согласования",
    "approved": "Согласована: готовятся договоры",
    "legal_review": "Юридическая проверка",
    "drafting_protocol": "Запрошены изменения: готовится протокол разногласий",
    "changes_requested": "Запрошены изменения: ожидается ответ оператора",
    "counter_proposed": "Оператор предложил встречные редакции: ожидается ответ юриста",
    "carrier_refused": "Оператор отказал: дальнейшие действия определяет юрист",
    "risk_acceptance": "Ожидает принятия условий оператора руководителем проекта",
    "redrafting": "Договоры готовятся заново",
    "legal_approved": "Согласована юристом: ожидаются подписи",
    "signed": "Подписана: оформляется заказ оператору",
    "ordered": "Заказано: ожидается ответ оператора",
    "number_assigned": "Номер выделен: готовится подключение к АТС",
    "attaching": "Ожидает подключения к АТС",
    "attached": "Подключена: готовится проверка",
    "verifying": "Ожидает тестового звонка",
    "active": "Действует",
    "rejected": "Отклонена",
    "cancelled": "Отменена",
}
ACTION_LABELS = {
    "submit": ("Submit for approval", "Отправить на согласование"),
    "approve": ("Approve", "Согласовать"),
    "reject": ("Reject", "Отклонить"),
    "approve_contracts": ("Approve contracts", "Согласовать договоры"),
    "request_changes": ("Request changes (protocol of disagreements)", "Запросить изменения (протокол разногласий)"),
    "carrier_response": ("Record the carrier's answer", "Записать ответ оператора"),
    "answer_counter_proposals": ("Answer the carrier's wordings", "Ответить на встречные редакции оператора"),
    "switch_carrier": ("Switch to another carrier", "Выбрать другого оператора"),
    "escalate_risk": ("Ask a project lead to accept the carrier's terms",
                      "Запросить у руководителя проекта принятие условий оператора"),
    "accept_risk": ("Accept the carrier's terms", "Принять условия оператора"),
    "record_signature": ("Record signature", "Отметить подписание"),
    "confirm_order": ("Record the carrier's answer (numbers and trunk)", "Записать ответ оператора (номера и транк)"),
    "confirm_attachment": ("Confirm PBX attachment", "Подтвердить подключение к АТС"),
    "confirm_verification": ("Confirm the test call", "Подтвердить тестовый звонок"),
    "retry_verification": ("Test-call the number again", "Повторить тестовый звонок"),
    "cancel": ("Cancel", "Отменить"),
}
EVENT_LABELS = {
    "submit": ("Submitted for approval", "Отправлена на согласование"),
    "approve": ("Approved", "Согласована"),
    "reject": ("Rejected", "Отклонена"),
    "contracts_drafted": ("Contracts drafted", "Договоры подготовлены"),
    "approve_contracts": ("Contracts approved", "Договоры согласованы"),
    "request_changes": ("Changes requested", "Запрошены изменения"),
    "protocol_drafted": ("Protocol of disagreements drafted", "Протокол разногласий подготовлен"),
    "carrier_response": ("Carrier's answer recorded", "Ответ оператора записан"),
    "answer_counter_proposals": ("The carrier's wordings answered", "Дан ответ на встречные редакции оператора"),
    "switch_carrier": ("Switched to another carrier", "Выбран другой оператор"),
    "escalate_risk": ("Sent to a project lead to accept the carrier's terms",
                      "Передано руководителю проекта на принятие условий оператора"),
    "accept_risk": ("The carrier's terms accepted", "Условия оператора приняты"),
    "record_signature": ("Signature recorded", "Подписание отмечено"),
    "order_placed": ("Carrier order placed", "Заказ оператору отправлен"),
    "confirm_order": ("Numbers and trunk recorded", "Номера и транк записаны"),
    "attachment_requested": ("PBX attachment prepared", "Подключение к АТС подготовлено"),
    "pbx_provisioned": ("Provisioned on the PBX", "Настроено на АТС"),
    "confirm_attachment": ("PBX attachment confirmed", "Подключение к АТС подтверждено"),
    "verification_requested": ("Verification prepared", "Проверка подготовлена"),
    "test_call_passed": ("Test call passed", "Тестовый звонок прошёл"),
    "test_call_failed": ("Test call failed", "Тестовый звонок не прошёл"),
    "retry_verification": ("Test call asked for again", "Тестовый звонок запрошен повторно"),
    "confirm_verification": ("Test call confirmed", "Тестовый звонок подтверждён"),
    "cancel": ("Cancelled", "Отменена"),
}

TEXTS = {
    "greeting": ("Hello {name},", "Здравствуйте, {name}!"),
    "request": ("{reference}: {branch}, {quantity} × {number_type}. {purpose}",
                "{reference}: {branch}, {quantity} × {number_type}. {purpose}"),
    "task_subject": ("[numberdesk] {reference} waits for you: {state}", "[numberdesk] {reference} ждёт вас: {state}"),
    "task_intro": ("A request waits for you: {state}.", "Заявка ждёт ваших действий: {state}."),
    "you_may": ("What you may do: {actions}.", "Что вы можете сделать: {actions}."),
    "due": ("Due: {due}.", "Срок: {due}."),
    "overdue": ("overdue", "просрочено"),
    "decision_subject": ("[numberdesk] Your request {reference}: {event}",
                         "[numberdesk] Ваша заявка {reference}: {event}"),
    "decided_by": ("{actor} decided on your request: {event}.", "{actor} принял(а) решение по вашей заявке: {event}."),
    "happened": ("Your request: {event}.", "Ваша заявка: {event}."),
    "comment": ("Comment: {comment}", "Комментарий: {comment}"),
    "now": ("Now: {state}.", "Сейчас: {state}."),
    "open_request": ("Open the request", "Открыть заявку"),
    "your_tasks": ("Your tasks", "Ваши задачи"),
    "footer": ("You get these e-mails {preference}. Change this on your account page:",
               "Вы получаете эти письма: {preference}. Изменить это можно на странице своей учётной записи:"),
    "preference_immediately": ("as soon as something happens", "сразу, как что-то происходит"),
    "preference_digest": ("once a day, in a digest", "раз в день, сводкой"),
    "my_account": ("My account", "Моя учётная запись"),
    "digest_subject": ("[numberdesk] Your day: {waiting} waiting, {overdue} overdue",
                       "[numberdesk] Сводка дня: ждут вас {waiting}, просрочено {overdue}"),
    "digest_intro": ("What waits for you in numberdesk today.", "Что ждёт вас в numberdesk сегодня."),
    "digest_overdue": ("Overdue", "Просрочено"),
    "digest_waiting": ("Waiting for you", "Ждут ваших действий"),
    "digest_decisions": ("Decisions on your requests in the last day", "Решения по вашим заявкам за последние сутки"),
    "digest_task": ("{reference} ({branch}): {state}", "{reference} ({branch}): {state}"),
    "digest_task_due": ("{reference} ({branch}): {state}, due {due}", "{reference} ({branch}): {state}, срок {due}"),
    "digest_more": ("… and {count} more, in your tasks", "… и ещё {count} — в ваших задачах"),
    "digest_decision": ("{reference}: {event} by {actor}", "{reference}: {event}, {actor}"),
    "attention_subject": ("[numberdesk] {reference} needs attention: its automatic step keeps failing",
                          "[numberdesk] {reference} требует внимания: автоматический шаг не проходит"),
    "attention_body": ("The automatic step of {reference} ({state}) failed {attempts} times and is no longer tried "
                       "by itself. The last error: {error}. Fix the cause, then retry it on the request's page.",
                       "Автоматический шаг заявки {reference} ({state}) не прошёл {attempts} раз и больше не "
                       "повторяется сам. Последняя ошибка: {error}. Устраните причину и повторите шаг на "
                       "странице заявки."),
    "escalation_subject": ("[numberdesk] {reference} is long overdue: {state}",
                           "[numberdesk] {reference} сильно просрочена: {state}"),
    "escalation_body": ("{reference} has waited in “{state}” since its deadline, {due}, for longer than the stage "
                        "itself may take.",
                        "Заявка {reference} ждёт на этапе «{state}» с истёкшего срока ({due}) дольше, чем длится "
                        "сам этап."),
    "renewal_subject": ("[numberdesk] {reference}: give notice by {deadline} or the contract with {carrier} renews",
                        "[numberdesk] {reference}: уведомить до {deadline}, иначе договор с {carrier} продлится"),
    "renewal_body": ("The contract with {carrier} for {branch} ({reference}), signed on {signed_on}, runs until "
                     "{term_end}. Unless the carrier is given notice no later than {deadline} ({days} days from "
                     "today), it renews for {months} months, until {next_term_end}.",
                     "Договор с {carrier} для филиала {branch} ({reference}), подписанный {signed_on}, действует до "
                     "{term_end}. Если не уведомить оператора не позднее {deadline} (осталось дней: {days}), он "
                     "продлится на {months} мес., до {next_term_end}."),
    "renewal_decide": ("Decide whether the contract is still needed: to end it, send the carrier written notice "
                       "by then.",
                       "Решите, нужен ли ещё этот договор: чтобы расторгнуть его, направьте оператору письменное "
                       "уведомление в этот срок."),
    "contracts": ("Contracts and their notice deadlines", "Договоры и сроки уведомления"),
    "order_subject": ("{reference}: order for telephone numbers", "{reference}: заказ телефонных номеров"),
    "order_greeting": ("Dear colleagues,", "Уважаемые коллеги!"),
    "order_body": ("Please find attached our order {reference} for {quantity} {number_type} number(s) in {city}.",
                   "Направляем заказ {reference}: {number_type}, {quantity} шт., город {city}. Заказ во вложении."),
    "order_reply": ("Please quote {reference} in your answer, with the numbers assigned and the trunk's settings.",
                    "Пожалуйста, укажите {reference} в ответе, с выделенными номерами и параметрами транка."),
    "order_signature": ("Kind regards,\n{company}", "С уважением,\n{company}"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "ru" else pair[0]


def text(key: str, language: str, **values) -> str:
    return _pick(TEXTS[key], language).format(**values)


def state_label(state: str, language: str) -> str:
    return STATE_LABELS[state] if language == "ru" else STATES[state].label


def action_label(action: str, language: str) -> str:
    return _pick(ACTION_LABELS[action], language) if action in ACTION_LABELS else action


def event_label(action: str, language: str) -> str:
    return _pick(EVENT_LABELS[action], language) if action in EVENT_LABELS else action


# --- one layout, two renderings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Items:
    """A heading and a list, each item with an optional link."""
    heading: str
    items: tuple[tuple[str, str | None], ...]


@dataclass
class Letter:
    """A mail's subject and body as paragraphs (text), links and lists, rendered alike as text and as HTML."""

    subject: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> "Letter":
        self.blocks.extend(block for block in blocks if block)
        return self

    def as_text(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, Link):
                parts.append(f"{block.label}: {block.url}")
            elif isinstance(block, Items):
                parts.append("\n".join([block.heading + ":"] + [f"- {label}" + (f"\n  {url}" if url else "")
                                                                for label, url in block.items]))
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"

    def as_html(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, Link):
                parts.append(f'<p><a href="{html.escape(block.url)}">{html.escape(block.label)}</a></p>')
            elif isinstance(block, Items):
                items = "".join(f'<li><a href="{html.escape(url)}">{html.escape(label)}</a></li>' if url
                                else f"<li>{html.escape(label)}</li>" for label, url in block.items)
                parts.append(f"<h3>{html.escape(block.heading)}</h3><ul>{items}</ul>")
            else:
                parts.append("<p>" + html.escape(block).replace("\n", "<br>") + "</p>")
        return '<!doctype html><html><body style="font-family: sans-serif">' + "".join(parts) + "</body></html>"
