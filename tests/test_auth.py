"""Signing in: limits on failures, no user enumeration, safe redirects, cookies, sessions ended by a new password,
one-time passwords; API tokens with names, expiry, last use and revocation, and the page to manage them."""
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from flask_migrate import upgrade

from conftest import auth, make_app
from models import ApiToken, AuditEvent, SignInAttempt, User, db
from models import sign_in
from models.choices import Role
from webapp.auth import views as auth_views
from demo import DEMO_PASSWORD

# A fixed clock for the sign-in rules: nothing here depends on today's date or on waiting.
T0 = datetime(2031, 5, 6, 10, 0, 0)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(T0)
    monkeypatch.setattr(sign_in, "utcnow", fixed)
    return fixed


def sign_in_as(client, email, password, remember=False, next_url=None, **kwargs):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login" + (f"?next={next_url}" if next_url is not None else ""), data=data, **kwargs)


def error_of(response) -> str:
    """The message under the password field."""
    found = re.search(r'class="invalid-feedback[^"]*"[^>]*>\s*([^<]+?)\s*<', response.text)
    return found.group(1) if found else ""


# --- limits on failed sign-ins -------------------------------------------------------------------------------

def test_five_failures_lock_the_account_with_a_clear_message_until_the_lock_ends(client, clock):
    for _ in range(sign_in.ACCOUNT_LIMIT - 1):
        answer = sign_in_as(client, "approver@example.com", "guess")
        assert error_of(answer) == "Wrong email or password."
        clock.advance(minutes=1)
    fifth = sign_in_as(client, "approver@example.com", "guess")
    assert error_of(fifth) == "Too many failed sign-ins; try again in 15 minutes."

    clock.advance(minutes=5)
    refused = sign_in_as(client, "approver@example.com", DEMO_PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert error_of(refused) == "Too many failed sign-ins; try again in 10 minutes."
    assert client.get("/").status_code == 302  # not signed in

    clock.advance(minutes=10)  # 15 minutes after the last failure
    assert sign_in_as(client, "approver@example.com", DEMO_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_failures_spread_wider_than_the_window_do_not_lock(app, clock):
    for _ in range(sign_in.ACCOUNT_LIMIT):
        sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
        clock.advance(minutes=4)  # five failures over 16 minutes
    assert sign_in.lock_remaining("approver@example.com", "10.0.0.1") is None


def test_the_lock_runs_from_the_last_failure(app, clock):
    for _ in range(sign_in.ACCOUNT_LIMIT):
        sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
        clock.advance(minutes=2)
    last_failure = clock.now - timedelta(minutes=2)
    assert sign_in.lock_remaining("approver@example.com", "10.0.0.2",
                                  now=last_failure + timedelta(minutes=14, seconds=59)) == timedelta(seconds=1)
    assert sign_in.lock_remaining("approver@example.com", "10.0.0.2", now=last_failure + sign_in.LOCK) is None


def test_a_successful_sign_in_clears_the_accounts_count_but_not_the_addresses(app, clock):
    for _ in range(sign_in.ACCOUNT_LIMIT - 1):
        sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
    sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=True)
    sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
    assert sign_in.lock_remaining("approver@example.com", "10.0.0.9") is None
    for number in range(sign_in.ADDRESS_LIMIT - sign_in.ACCOUNT_LIMIT):
        sign_in.record_attempt(f"someone{number}@example.com", "10.0.0.1", succeeded=False)
    assert sign_in.lock_remaining("lawyer@example.com", "10.0.0.1") == sign_in.LOCK


def test_twenty_failures_from_one_address_lock_that_address_only(client, clock):
    for number in range(sign_in.ADDRESS_LIMIT):
        sign_in_as(client, f"guess{number}@example.com", "guess")
    locked = sign_in_as(client, "lawyer@example.com", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert error_of(locked) == "Too many failed sign-ins; try again in 15 minutes."
    elsewhere = sign_in_as(client, "lawyer@example.com", DEMO_PASSWORD, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert elsewhere.status_code == 302


def test_behind_the_proxy_the_forwarded_address_is_counted(demo_database, tmp_path, monkeypatch, clock):
    import shutil
    shutil.copy(demo_database, tmp_path / "proxy.db")
    monkeypatch.setenv("NUMBERDESK_PROXY_FIX", "1")
    app = make_app(tmp_path / "proxy.db")
    client = app.test_client()
    with app.app_context():
        for number in range(sign_in.ADDRESS_LIMIT):
            sign_in_as(client, f"guess{number}@example.com", "guess", headers={"X-Forwarded-For": "203.0.113.7"})
        assert sign_in_as(client, "lawyer@example.com", DEMO_PASSWORD,
                          headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        assert sign_in_as(client, "lawyer@example.com", DEMO_PASSWORD,
                          headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 302
        db.session.remove()
        db.engine.dispose()


def test_old_attempts_are_pruned(app, clock):
    sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
    clock.advance(days=1, minutes=1)
    sign_in.record_attempt("approver@example.com", "10.0.0.1", succeeded=False)
    db.session.commit()
    assert db.session.scalars(db.select(SignInAttempt.at)).all() == [clock.now]


# --- no user enumeration -------------------------------------------------------------------------------------

def test_an_unknown_email_gets_the_same_answer_and_the_same_lock(client, clock):
    known = [sign_in_as(client, "approver@example.com", "guess") for _ in range(sign_in.ACCOUNT_LIMIT + 1)]
    unknown = [sign_in_as(client, "nobody@example.com", "guess") for _ in range(sign_in.ACCOUNT_LIMIT + 1)]
    assert [(r.status_code, error_of(r)) for r in known] == [(r.status_code, error_of(r)) for r in unknown]
    assert error_of(unknown[0]) == "Wrong email or password."
    assert unknown[-1].status_code == 429


def test_an_unknown_email_costs_one_password_hash_check_of_the_same_kind(client, monkeypatch):
    checked = []

    def counting(password_hash, password):
        checked.append(password_hash)
        return False
    monkeypatch.setattr(auth_views, "check_password_hash", counting)
    sign_in_as(client, "nobody@example.com", "guess")
    assert checked == [auth_views._DUMMY_HASH]
    user = db.session.scalar(db.select(User).filter_by(email="approver@example.com"))
    # The same method and work factor (e.g. "scrypt:32768:8:1") as a real password's hash: the same time.
    assert auth_views._DUMMY_HASH.split("$")[0] == user.password_hash.split("$")[0]


def test_an_inactive_account_answers_like_a_wrong_password(client):
    user = db.session.scalar(db.select(User).filter_by(email="lawyer@example.com"))
    user.is_active_user = False
    db.session.commit()
    answer = sign_in_as(client, "lawyer@example.com", DEMO_PASSWORD)
    assert answer.status_code == 200 and error_of(answer) == "Wrong email or password."


# --- where a sign-in leads -----------------------------------------------------------------------------------

@pytest.mark.parametrize("next_url", ["////evil.com", "/\\evil.com", "https://evil.com", "%2F%2Fevil.com",
                                      "//evil.com", "/%09/evil.com", "%20//evil.com", "javascript:alert(1)",
                                      "/\\/evil.com", "http:/evil.com"])
def test_sign_in_never_leads_off_site(client, next_url):
    answer = sign_in_as(client, "approver@example.com", DEMO_PASSWORD, next_url=next_url)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_sign_in_leads_to_the_page_asked_for(client):
    answer = sign_in_as(client, "approver@example.com", DEMO_PASSWORD, next_url="/numbers%3Fq%3D1")
    assert answer.headers["Location"] == "/numbers?q=1"


# --- cookies -------------------------------------------------------------------------------------------------

def cookies_set(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_cookies_are_http_only_same_site_lax_and_remember_me_lasts_14_days_at_most(client):
    answer = sign_in_as(client, "approver@example.com", DEMO_PASSWORD, remember=True)
    cookies = cookies_set(answer)
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]  # plain HTTP, as `make run` serves it
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookies["remember_token"]).group(1))
    lasts = expires - datetime.now(timezone.utc)
    assert timedelta(days=13) < lasts <= timedelta(days=14)


@pytest.mark.parametrize("variable, value", [("NUMBERDESK_HTTPS", "1"), ("NUMBERDESK_ENV", "production")])
def test_cookies_are_secure_over_https(demo_database, tmp_path, monkeypatch, variable, value):
    import shutil
    shutil.copy(demo_database, tmp_path / "https.db")
    monkeypatch.setenv(variable, value)
    app = make_app(tmp_path / "https.db")
    with app.app_context():
        answer = sign_in_as(app.test_client(), "approver@example.com", DEMO_PASSWORD, remember=True,
                            base_url="https://localhost")
        cookies = cookies_set(answer)
        assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]
        db.session.remove()
        db.engine.dispose()


def audited(action: str, subject: str) -> list[int | None]:
    """Who did `action` to `subject`, by the audit trail."""
    return db.session.scalars(db.select(AuditEvent.actor_id).filter_by(action=action, subject=subject)).all()


# --- a new password ends the other sessions ------------------------------------------------------------------

def change_password(client, current, new):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new})


def alone(app, call, *args, **kwargs):
    """One request in an application context of its own, as a real server runs each request: the test's
    context would otherwise carry the signed-in user (Flask-Login keeps it in `g`) from one client to the next."""
    with app.app_context():
        return call(*args, **kwargs)


def test_changing_the_password_ends_every_other_session(app):
    mine, other, remembered = app.test_client(), app.test_client(), app.test_client()
    for client in (mine, other):
        assert alone(app, sign_in_as, client, "approver@example.com", DEMO_PASSWORD).status_code == 302
    alone(app, sign_in_as, remembered, "approver@example.com", DEMO_PASSWORD, remember=True)
    remembered.delete_cookie("session")  # a browser restarted: only the remember-me cookie is left
    for client in (mine, other, remembered):
        assert alone(app, client.get, "/").status_code == 200

    answer = alone(app, change_password, mine, DEMO_PASSWORD, "a much better password")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"

    assert alone(app, mine.get, "/").status_code == 200
    for ended in (other, remembered):
        gone = alone(app, ended.get, "/")
        assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    approver = db.session.scalar(db.select(User).filter_by(email="approver@example.com"))
    assert audited("change_password", f"user {approver.id}") == [approver.id]
    assert alone(app, sign_in_as, app.test_client(), "approver@example.com", DEMO_PASSWORD).status_code == 200
    assert alone(app, sign_in_as, app.test_client(), "approver@example.com",
                 "a much better password").status_code == 302


def test_a_remembered_session_that_changes_the_password_stays_remembered(app):
    client = app.test_client()
    alone(app, sign_in_as, client, "approver@example.com", DEMO_PASSWORD, remember=True)
    alone(app, change_password, client, DEMO_PASSWORD, "a much better password")
    client.delete_cookie("session")
    assert alone(app, client.get, "/").status_code == 200


def test_the_password_form_checks_the_current_password_and_the_new_one(client):
    sign_in_as(client, "approver@example.com", DEMO_PASSWORD)
    wrong = change_password(client, "not it", "a much better password")
    assert wrong.status_code == 200 and "Wrong password." in wrong.text
    same = change_password(client, DEMO_PASSWORD, DEMO_PASSWORD)
    assert same.status_code == 200 and "Choose a password other than the current one." in same.text
    short = change_password(client, DEMO_PASSWORD, "short")
    assert short.status_code == 200 and "Use 8 to 200 characters." in short.text
    differ = client.post("/account/password", data={"current_password": DEMO_PASSWORD,
                                                    "new_password": "a much better password", "confirm": "another"})
    assert differ.status_code == 200 and "The two new passwords differ." in differ.text
    assert sign_in_as(client, "approver@example.com", DEMO_PASSWORD).status_code == 302  # still the old one


def test_sessions_from_before_are_refused(app, client):
    user = db.session.scalar(db.select(User).filter_by(email="approver@example.com"))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # the form sessions had before they carried a version
        session["_fresh"] = True
    assert alone(app, client.get, "/").status_code == 302


# --- one-time passwords --------------------------------------------------------------------------------------

def test_a_one_time_password_leads_to_the_password_page_first(app, client):
    user = User(email="new.admin@example.com", name="New Admin", must_change_password=True)
    user.roles = [Role.ADMIN]
    user.set_password("one-time-secret")
    db.session.add(user)
    db.session.commit()
    assert sign_in_as(client, "new.admin@example.com", "one-time-secret").status_code == 302
    for path in ("/", "/admin/", "/account/", "/account/tokens"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"] == "/account/password", path
    page = client.get("/account/password")
    assert page.status_code == 200 and "serves only to set your own" in page.text

    assert change_password(client, "one-time-secret", "my own password here").status_code == 302
    assert client.get("/admin/").status_code == 200
    db.session.refresh(user)
    assert user.must_change_password is False
    assert sign_in_as(app.test_client(), "new.admin@example.com", "one-time-secret").status_code == 200


# --- API tokens ----------------------------------------------------------------------------------------------

def test_a_token_has_a_name_and_lasts_90_days_by_default(app, people):
    token = people["approver"].issue_token("reporting script", now=T0)
    db.session.commit()
    stored = people["approver"].tokens[-1]
    assert stored.name == "reporting script" and stored.created_at == T0
    assert stored.expires_at == T0 + timedelta(days=90) and stored.last_used_at is None
    assert stored.token_hash == ApiToken.hash(token) and token not in stored.token_hash


def test_a_token_notes_its_last_use_at_most_once_a_minute(app, people):
    token = people["approver"].issue_token("script", now=T0)
    db.session.commit()
    stored = people["approver"].tokens[-1]
    assert ApiToken.find_user(token, now=T0 + timedelta(hours=1)) == people["approver"]
    assert stored.last_used_at == T0 + timedelta(hours=1)
    ApiToken.find_user(token, now=T0 + timedelta(hours=1, seconds=30))
    assert stored.last_used_at == T0 + timedelta(hours=1)
    ApiToken.find_user(token, now=T0 + timedelta(hours=1, minutes=1))
    assert stored.last_used_at == T0 + timedelta(hours=1, minutes=1)


def test_an_expired_or_revoked_token_is_401_over_the_api(app, client, people):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    expired = people["approver"].issue_token("old", days=1, now=now - timedelta(days=2))
    revoked = people["approver"].issue_token("revoked")
    fine = people["approver"].issue_token("fine")
    db.session.commit()
    people["approver"].tokens[-2].revoke()
    db.session.commit()
    assert client.get("/api/v1/departments", headers=auth(fine)).status_code == 200
    for token in (expired, revoked):
        answer = client.get("/api/v1/departments", headers=auth(token))
        assert answer.status_code == 401 and answer.json["error"] == "unauthorized"


def test_an_api_call_records_the_tokens_last_use(app, client, people):
    token = people["approver"].issue_token("script")
    db.session.commit()
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 200
    db.session.expire_all()
    assert people["approver"].tokens[-1].last_used_at is not None


def test_a_token_needs_a_name_and_a_sensible_life(app, people):
    from models import InvalidInput
    for name, days in (("", 90), ("x" * 81, 90), ("script", 0), ("script", ApiToken.MAX_DAYS + 1)):
        with pytest.raises(InvalidInput):
            people["approver"].issue_token(name, days)


def test_the_tokens_page_creates_shows_once_lists_and_revokes_your_own(app, client, people):
    other = people["lawyer"].issue_token("the lawyer's script")
    db.session.commit()
    other_id = people["lawyer"].tokens[-1].id
    sign_in_as(client, "approver@example.com", DEMO_PASSWORD)

    created = client.post("/account/tokens", data={"name": "branch report", "days": "30"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token"><code>([^<]+)</code>', created.text).group(1)
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 200
    stored = db.session.scalar(db.select(ApiToken).filter_by(token_hash=ApiToken.hash(token)))
    assert stored.user == people["approver"] and stored.name == "branch report"
    assert stored.expires_at - stored.created_at == timedelta(days=30)

    listed = client.get("/account/tokens")
    assert "branch report" in listed.text and token not in listed.text
    assert "the lawyer&#39;s script" not in listed.text and "the lawyer's script" not in listed.text

    assert client.post(f"/account/tokens/{other_id}/revoke").status_code == 404
    assert client.get("/api/v1/departments", headers=auth(other)).status_code == 200

    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 302
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 401
    assert "revoked" in client.get("/account/tokens").text
    assert audited("create_token", f"api token {stored.id}") == audited("revoke_token", f"api token {stored.id}") == [
        people["approver"].id]


def test_the_tokens_page_shows_field_errors_and_saves_nothing(app, client, people):
    sign_in_as(client, "approver@example.com", DEMO_PASSWORD)
    before = len(people["approver"].tokens)
    answer = client.post("/account/tokens", data={"name": "", "days": "0"})
    assert answer.status_code == 200 and 'id="new-token"' not in answer.text
    assert "This field is required." in answer.text and "Number must be between 1 and 730." in answer.text
    db.session.expire_all()
    assert len(people["approver"].tokens) == before


def test_account_pages_need_a_sign_in(client):
    for path in ("/account/", "/account/password", "/account/tokens"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


# --- the demo banner -----------------------------------------------------------------------------------------

def test_the_demo_banner_shows_on_every_page_with_the_demo(client):
    assert 'id="demo-banner"' in client.get("/login").text
    sign_in_as(client, "approver@example.com", DEMO_PASSWORD)
    for path in ("/", "/numbers", "/account/"):
        assert 'id="demo-banner"' in client.get(path).text


def test_no_demo_banner_without_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    app = make_app(tmp_path / "real.db")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        user = User(email="boss@company.test", name="Boss")
        user.roles = [Role.ADMIN]
        user.set_password("a real password")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        assert 'id="demo-banner"' not in client.get("/login").text
        sign_in_as(client, "boss@company.test", "a real password")
        page = client.get("/")
        assert page.status_code == 200 and 'id="demo-banner"' not in page.text
        db.session.remove()
        db.engine.dispose()
