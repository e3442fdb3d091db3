"""The UI in English and Russian: every user-facing string is marked for translation, every Russian entry is
translated, and a Russian-speaking user works in Russian from sign-in to the expense report."""
import ast
import re
from datetime import datetime, timezone
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from flask_babel import refresh
from jinja2 import Environment, nodes

from conftest import login
from lifecycle_helpers import request_in
from models import Tariff, User, db
from webapp.core import i18n, labels
from webapp.core.helpers import amount, date_text, datetime_text, money, month_text, short_date

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
# Every feature package with pages; the JSON API (webapp/api and each feature's api.py) answers programs, in English.
PACKAGES = sorted(path.name for path in WEBAPP.iterdir() if (path / "__init__.py").exists() and path.name != "api")

# -------------------------------------------------------------------------------- strings left unmarked

LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# Words that are the same in every language: names and formats.
SAME_IN_EVERY_LANGUAGE = {"numberdesk", "PDF", "SHA-256", ".docx", "XLSX", "CSV", "E.164", "SIP", "API", "JSON"}
# Text inside these elements is code or data, not language.
NOT_LANGUAGE = {"code", "pre", "script", "style", "kbd", "samp"}
# Attributes people read.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
MARKER = re.compile("\ue000(\\d+)\ue001")  # where a {{ expression }} stood, by its number


def is_language(text: str) -> bool:
    """Whether `text` holds words that belong to a language."""
    words = MARKER.sub(" ", text).split()
    return any(LETTERS.search(word) and word.strip(".,:;()«»“”") not in SAME_IN_EVERY_LANGUAGE for word in words)


class VisibleText(HTMLParser):
    """Collects the text a reader sees (text nodes and read attributes) that holds words, and the numbers of the
    expressions that stand in such text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.shown: set[int] = set()
        self.inside: list[str] = []

    def _read(self, text: str) -> None:
        self.shown.update(int(number) for number in MARKER.findall(text))
        if is_language(text):
            self.found.append(" ".join(MARKER.sub(" ", text).split()))

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value and (name in READ_ATTRIBUTES or (name == "value" and tag in ("input", "button")
                                                      and attributes.get("type") in ("submit", "button", "reset"))):
                self._read(value)
        if tag not in ("br", "hr", "img", "input", "meta", "link"):
            self.inside.append(tag)

    def handle_endtag(self, tag):
        if tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                pass

    def handle_data(self, data):
        if not NOT_LANGUAGE.intersection(self.inside):
            self._read(data)


def template_markup(environment: Environment, source: str) -> tuple[str, list[str]]:
    """The template's HTML as Jinja's lexer sees it, with each {{ expression }} replaced by a numbered marker and
    each tag ({% if %}...) and whole {% trans %} block by a space: what is left as words is text that no
    translation touches. Also returns each expression's source, by number."""
    pieces, expressions, depth, expression = [], [], 0, None
    tokens = list(environment.lex(source))
    for index, (_, kind, value) in enumerate(tokens):
        if kind == "block_begin":
            name = next((v for _, k, v in tokens[index + 1:] if k != "whitespace"), "")
            depth += {"trans": 1, "endtrans": -1}.get(name, 0)
        if depth or kind in ("block_begin", "block_end") or (kind.startswith("comment")):
            pieces.append(" ")
        elif kind == "variable_begin":
            expression = []
        elif kind == "variable_end":
            pieces.append(f"\ue000{len(expressions)}\ue001")
            expressions.append("".join(expression))
            expression = None
        elif expression is not None:
            expression.append(value)
        elif kind == "data":
            pieces.append(value)
        else:  # the rest of a block tag
            pieces.append(" ")
    return "".join(pieces), expressions


PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}|^[A-Z][a-z]{2,}[.!?]?$")
TRANSLATING = ("_", "gettext", "ngettext")


def shown_constants(expression: nodes.Node) -> list[str]:
    """The string constants an expression that stands in visible text outputs as they are: {{ x or 'never' }},
    {{ 'Admin' if y }}, {{ 'Draft' | upper }}; not those given to a function (_('Draft') is translated, and
    url_for('x') outputs no 'x'), used as keys or compared with."""
    if isinstance(expression, nodes.Const):
        return [expression.value] if isinstance(expression.value, str) and is_language(expression.value) else []
    if isinstance(expression, nodes.CondExpr):
        return shown_constants(expression.expr1) + (shown_constants(expression.expr2) if expression.expr2 else [])
    if isinstance(expression, (nodes.And, nodes.Or, nodes.Concat)):
        return [text for child in expression.iter_child_nodes() for text in shown_constants(child)]
    if isinstance(expression, nodes.Filter):
        return shown_constants(expression.node) if expression.node is not None else []
    return []


def prose_constants(template: nodes.Template) -> list[str]:
    """String constants that read like prose anywhere outside _():
    {% set nav = [('requests.tasks', 'My tasks')] %} keeps a label in a variable that a later {{ label }} shows."""
    translated = {id(node) for call in template.find_all(nodes.Call) if getattr(call.node, "name", "") in TRANSLATING
                  for argument in call.args for node in [argument, *argument.find_all(nodes.Const)]}
    return [node.value for node in template.find_all(nodes.Const)
            if isinstance(node.value, str) and id(node) not in translated and PROSE.search(node.value)
            and "{" not in node.value]  # template syntax shown as an example is code


def unmarked_text(environment: Environment, source: str) -> list[str]:
    """What a page template shows without translation: words in its HTML, and string constants it shows."""
    markup, expressions = template_markup(environment, source)
    parser = VisibleText()
    parser.feed(markup)
    parser.close()
    found = list(parser.found)
    for number in sorted(parser.shown):
        for output in environment.parse("{{" + expressions[number] + "}}").find_all(nodes.Output):
            found += [f"'{text}'" for child in output.nodes for text in shown_constants(child)]
    found += [f"'{text}'" for text in prose_constants(environment.parse(source))]
    return list(dict.fromkeys(found))


def unmarked_in_templates(package: str, environment: Environment) -> list[str]:
    problems = []
    for path in sorted((WEBAPP / package).glob("templates/**/*.html")):
        where = path.relative_to(WEBAPP.parent)
        problems += [f"{where}: {text}" for text in unmarked_text(environment, path.read_text())]
    return problems


FIELD_CLASS = re.compile(r"\w*Field$")


def _literal(node) -> str | None:
    """A plain string literal or f-string: text no translation function went through."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and LETTERS.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)
    if isinstance(node, ast.BinOp):  # "a " + "b", or "%s" % x
        return _literal(node.left) or _literal(node.right)
    return None


def unmarked_in_python(package: str) -> list[str]:
    """flash() messages, WTForms fields' labels and descriptions, validators' messages, abort() descriptions, errors
    added to a form's field, and labels or descriptions set on a field, given as plain strings."""
    problems = []
    for path in sorted((WEBAPP / package).rglob("*.py")):
        if path.name == "api.py":
            continue
        tree = ast.parse(path.read_text())
        where = path.relative_to(WEBAPP.parent)
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Call):
                function = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if function == "flash" and node.args:
                    texts.append(_literal(node.args[0]))
                if FIELD_CLASS.match(function) and node.args:
                    texts.append(_literal(node.args[0]))
                if FIELD_CLASS.match(function):
                    texts += [_literal(kw.value) for kw in node.keywords if kw.arg in ("label", "description")]
                    for choices in (kw.value for kw in node.keywords if kw.arg == "choices"):
                        if isinstance(choices, (ast.List, ast.Tuple)):
                            texts += [_literal(item.elts[1]) for item in choices.elts
                                      if isinstance(item, ast.Tuple) and len(item.elts) == 2]
                texts += [_literal(kw.value) for kw in node.keywords if kw.arg == "message"]
                if function == "abort":
                    texts += [_literal(kw.value) for kw in node.keywords if kw.arg == "description"]
                if function == "append" and isinstance(node.func, ast.Attribute) \
                        and getattr(node.func.value, "attr", "") == "errors" and node.args:
                    texts.append(_literal(node.args[0]))
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr in ("description", "text", "errors"):
                        texts.append(_literal(node.value))
            problems += [f"{where}:{node.lineno}: {text}" for text in texts if text]
    return problems


@pytest.mark.parametrize("package", PACKAGES)
def test_every_user_facing_string_is_marked_for_translation(app, package):
    problems = unmarked_in_templates(package, app.jinja_env) + unmarked_in_python(package)
    assert not problems, "not marked for translation:\n" + "\n".join(problems)


def test_the_checker_finds_unmarked_strings(app):
    """The check above catches what it should, and lets marked text, code, markup and CSS classes through."""
    page = """<h1>Not marked</h1><p>{{ _("Marked") }}</p>
      <input placeholder="Search here" aria-label="{{ _('Search') }}">
      {% trans %}A marked <strong>block</strong>{% endtrans %}<code>numberdesk setup --no-demo</code>
      <td>{{ token.expires_at or 'never' }}</td>{% set nav = [('requests.tasks', 'My tasks')] %}
      <tr{% if risky %} class="table-warning"{% endif %}><td class="{{ 'danger' if bad else 'ok' }}">{{ x }}</td></tr>
      <div data-state="draft">{{ x }} · SHA-256 · {{ _('Kept') if y else 'Gone' }}</div>"""
    assert unmarked_text(app.jinja_env, page) == ["Not marked", "Search here", "'never'", "'Gone'", "'My tasks'"]


# -------------------------------------------------------------------------------- catalogs

def catalogs() -> list[Path]:
    return sorted(WEBAPP.glob("*/translations/ru/LC_MESSAGES/messages.po"))


def test_every_package_with_pages_has_a_russian_catalog():
    assert {path.parents[3].name for path in catalogs()} >= {"core", "auth", "requests", "documents", "numbers"}


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: path.parents[3].name)
def test_every_russian_entry_is_translated(path):
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    assert catalog.locale.language == "ru"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(text.strip() for text in strings):
            problems.append(f"empty: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if len(strings) > 1 and len(strings) != 3:
            problems.append(f"needs three Russian plural forms: {message.id!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_the_same_words_are_translated_the_same_everywhere():
    seen: dict[str, tuple[str, Path]] = {}
    problems = []
    for path in catalogs():
        with path.open("rb") as po_file:
            for message in read_po(po_file):
                if not message.id or isinstance(message.id, tuple):
                    continue
                if message.id in seen and seen[message.id][0] != message.string:
                    problems.append(f"{message.id!r}: {seen[message.id][0]!r} ({seen[message.id][1].parts[-5]}) "
                                    f"vs {message.string!r} ({path.parts[-5]})")
                seen.setdefault(message.id, (message.string, path))
    assert not problems, "\n".join(problems)


def test_every_state_action_and_step_has_a_translated_label():
    assert labels.missing_labels() == []


def test_the_catalogs_compile():
    i18n.compile_catalogs(only_missing=False)
    assert all(path.with_suffix(".mo").stat().st_size > 0 for path in catalogs())


# -------------------------------------------------------------------------------- a Russian-speaking user

RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def sign_in(client, who: str, headers: dict) -> None:
    response = client.post("/login", data={"email": f"{who}@example.com", "password": "numberdesk-demo"},
                           headers=headers)
    assert response.status_code == 302, response.text


def test_a_russian_browser_gets_the_sign_in_page_in_russian(client):
    page = client.get("/login", headers=RUSSIAN).text
    assert '<html lang="ru">' in page
    assert "Вход в numberdesk" in page and "Пароль" in page and "Запомнить меня" in page
    assert "Sign in to numberdesk" not in page and "Password" not in page
    wrong = client.post("/login", data={"email": "approver@example.com", "password": "wrong"}, headers=RUSSIAN)
    assert "Неверный адрес электронной почты или пароль." in wrong.text
    empty = client.post("/login", data={"email": "", "password": ""}, headers=RUSSIAN)
    assert "Обязательное поле." in empty.text and "This field is required." not in empty.text


def test_the_sign_in_page_switches_language_and_keeps_it_for_the_visit(client):
    assert "Вход в numberdesk" in client.get("/login?lang=ru", headers=ENGLISH).text
    assert "Вход в numberdesk" in client.get("/login", headers=ENGLISH).text  # kept in the session
    assert "Sign in to numberdesk" in client.get("/login?lang=en", headers=RUSSIAN).text


def test_a_russian_user_works_in_russian(client, people, catalog):
    """Accept-Language: ru, from sign-in to a request's documents."""
    sign_in(client, "approver", RUSSIAN)
    tasks = client.get("/", headers=RUSSIAN).text
    assert "Мои задачи" in tasks and "Заявки" in tasks and "Выйти" in tasks
    assert "My tasks" not in tasks and "Sign out" not in tasks

    submitted = request_in("submitted", people, catalog)
    listing = client.get("/requests", headers=RUSSIAN).text
    assert "Заявки на номера" in listing and "Ожидает согласования" in listing and "Любой статус" in listing
    assert "Number requests" not in listing and "Waiting for approval" not in listing
    # Names kept in both languages are shown in Russian.
    assert submitted.department.name_ru in listing

    page = client.get(f"/requests/{submitted.id}", headers=RUSSIAN).text
    for russian in ("Согласовать", "Отклонить", "Ваше решение", "История", "Оператор", "Комментарий"):
        assert russian in page, russian
    assert 'value="Согласовать"' in page and 'value="Отклонить"' in page
    for english in ("Your decision", "Timeline", 'value="Approve"', "Carrier</dt>"):
        assert english not in page, english

    refused = client.post(f"/requests/{submitted.id}/actions/reject",
                          data={"reject-comment": "", "reject-version": str(submitted.version)}, headers=RUSSIAN)
    assert refused.status_code == 422 and "обязательно: укажите причину" in refused.text
    approved = client.post(f"/requests/{submitted.id}/actions/approve",
                           data={"approve-comment": "", "approve-version": str(submitted.version)},
                           headers=RUSSIAN, follow_redirects=True)
    assert "Согласовать: готово." in approved.text and "is now" not in approved.text

    numbers = client.get("/numbers", headers=RUSSIAN).text
    assert "Реестр номеров" in numbers and "Любой держатель" in numbers and "Numbers inventory" not in numbers

    document = request_in("legal_review", people, catalog).documents[0]
    preview = client.get(f"/documents/{document.id}/preview", headers=RUSSIAN).text
    assert "Скачать .docx" in preview and "Download .docx" not in preview
    assert "Дополнительное соглашение" in preview or "Договор" in preview


RUSSIAN_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                  "ноябрь", "декабрь")


def test_a_russian_accountant_reads_the_expense_report_in_russian(client):
    sign_in(client, "accountant", RUSSIAN)
    report = client.get("/costs/", headers=RUSSIAN, follow_redirects=True)
    assert report.status_code == 200
    page = report.text
    assert "Расходы" in page and "руб." in page and "Итого" in page
    assert any(f"{month} 20" in page for month in RUSSIAN_MONTHS)
    assert "Expenses by branch" not in page and "Download CSV" not in page


def test_a_russian_requester_gets_the_new_request_form_and_its_errors_in_russian(client):
    sign_in(client, "branches", RUSSIAN)
    form = client.get("/requests/new", headers=RUSSIAN).text
    assert "Запросить номера для филиала" in form and "Филиал" in form and "Создать черновик" in form
    assert "Местный (географический)" in form and "Local (geographic)" not in form
    sent = client.post("/requests/new", data={"quantity": "1", "purpose": ""}, headers=RUSSIAN)
    assert sent.status_code == 422
    assert "Обязательное поле." in sent.text and "This field is required." not in sent.text


def test_the_account_language_overrides_the_browser(client, people):
    sign_in(client, "approver", ENGLISH)
    assert "My tasks" in client.get("/", headers=ENGLISH).text
    saved = client.post("/account/language", data={"language": "ru"}, headers=ENGLISH, follow_redirects=True)
    assert "Язык сохранён." in saved.text
    assert db.session.get(User, people["approver"].id).language == "ru"
    tasks = client.get("/", headers=ENGLISH).text
    assert "Мои задачи" in tasks and "My tasks" not in tasks
    # Back to the browser's language.
    client.post("/account/language", data={"language": ""}, headers=ENGLISH)
    assert db.session.get(User, people["approver"].id).language is None
    assert "My tasks" in client.get("/", headers=ENGLISH).text
    assert "Мои задачи" in client.get("/", headers=RUSSIAN).text


def test_a_user_who_chose_russian_signs_out_to_a_russian_page(client, people):
    people["approver"].language = "ru"
    db.session.commit()
    sign_in(client, "approver", ENGLISH)
    out = client.post("/logout", headers=ENGLISH, follow_redirects=True)
    assert "Вы вышли." in out.text and "Вход в numberdesk" in out.text


def test_error_pages_and_refusals_are_in_russian(client, people, catalog):
    sign_in(client, "approver", RUSSIAN)
    missing = client.get("/requests/999999", headers=RUSSIAN)
    assert missing.status_code == 404 and "Не найдено" in missing.text and "Заявки 999999 нет." in missing.text
    forbidden = client.get("/requests/new", headers=RUSSIAN)
    assert forbidden.status_code == 403 and "Эта страница для роли Заявитель." in forbidden.text
    nowhere = client.get("/no-such-page", headers=RUSSIAN)
    assert nowhere.status_code == 404 and "Такой страницы нет" in nowhere.text and "Not Found" not in nowhere.text
    # A refusal of the domain, shown as a message: approving a request one submitted oneself.
    own = request_in("submitted", people, catalog)
    own.submitted_by = people["approver"]
    db.session.commit()
    refused = client.post(f"/requests/{own.id}/actions/approve",
                          data={"approve-version": str(own.version)}, headers=RUSSIAN, follow_redirects=True)
    assert "никто не может принимать решение по собственной заявке" in refused.text


def test_dates_and_money_are_written_the_russian_way(app):
    moment, day = datetime(2026, 12, 2, 12, 40), datetime(2026, 12, 2).date()
    with app.test_request_context(headers=RUSSIAN):
        refresh()  # the test's application context outlives each request context
        assert date_text(day) == "«02» декабря 2026 г." and short_date(day) == "02.12.2026"
        assert datetime_text(moment, "Europe/Moscow") == "02.12.2026 15:40 MSK"
        assert month_text(day) == "декабрь 2026"
        assert money(Decimal("1500"), "RUB") == "1\u00a0500,00\u00a0руб." and amount(Decimal("0.5")) == "0,50"
    with app.test_request_context(headers=ENGLISH):
        refresh()
        assert date_text(day) == "2 December 2026" and short_date(day) == "2 Dec 2026"
        assert datetime_text(moment, "Europe/Moscow") == "2 Dec 2026 15:40 MSK"
        assert month_text(day) == "December 2026"
        assert money(Decimal("1500"), "RUB") == "RUB 1,500.00" and amount(Decimal("0.5")) == "0.50"


def test_a_request_page_shows_dates_in_the_readers_form(client, people, catalog):
    request = request_in("submitted", people, catalog)
    event = request.events[0]
    sign_in(client, "approver", RUSSIAN)
    page = client.get(f"/requests/{request.id}", headers=RUSSIAN).text
    local = event.at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(request.department.time_zone))
    assert f"{local:%d.%m.%Y %H:%M}" in page


# -------------------------------------------------------------------------------- English stays English

def test_english_stays_english(client, people, catalog):
    page = client.get("/login", headers=ENGLISH).text
    assert '<html lang="en">' in page and "Sign in to numberdesk" in page and "Вход" not in page
    login(client, "approver")
    request = request_in("submitted", people, catalog)
    detail = client.get(f"/requests/{request.id}").text  # no Accept-Language at all: English
    assert "Your decision" in detail and "Waiting for approval" in detail and 'value="Approve"' in detail
    # What people typed is shown as typed: the branch's Russian name, the carriers' tariff names.
    typed = [request.department.name_ru, *db.session.scalars(db.select(Tariff.name))]
    shown = re.sub(r"<select.*?</select>", "", detail, flags=re.S)
    for text in typed:
        shown = shown.replace(text, "")
    assert not re.search("[А-Яа-яЁё]", shown), "Russian words on an English page"
