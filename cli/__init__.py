"""The `numberdesk` command: the Flask CLI plus users, demo data, setup and the workflow processes."""
import atexit
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from models import ApiToken, BillingImport, Carrier, Department, RejectedRow, User, audit_trail, db
from models.choices import ImportKind, ImportStatus, Role
from workflows.costs import import_billing_file
from workflows.settings import apply_prefect_defaults


def _create_app():
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """numberdesk: buy telephone numbers directly from carriers."""


@cli.group()
def users():
    """Manage users and their API tokens."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(Role.values()))
@click.option("--branch", "branches", multiple=True, metavar="COST_CENTRE",
              help="A branch the user works for, by its cost centre (repeat for several). Requesters need one; "
                   "for company-wide roles, branches limit what they see.")
@click.option("--password", required=True, help="At least 8 characters.")
@with_appcontext
def create_user(email, name, roles, branches, password):
    """Add a user with one or more roles."""
    email = email.strip().lower()
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise click.ClickException(f"a user with the email {email} already exists")
    departments = db.session.scalars(db.select(Department).where(Department.cost_centre.in_(branches))).all()
    unknown = sorted(set(branches) - {d.cost_centre for d in departments})
    if unknown:
        raise click.BadParameter(f"no branch with the cost centre {', '.join(unknown)}", param_hint="--branch")
    if Role.REQUESTER in roles and not departments:
        raise click.BadParameter("a requester needs the branch they work for", param_hint="--branch")
    user = User(email=email, name=name, departments=departments)
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit_trail.record(None, "create", audit_trail.subject_of(user),
                       {"label": str(user), "roles": sorted(roles), "branches": [str(d) for d in departments]},
                       actor_label="numberdesk users create")
    db.session.commit()
    where = f" for {', '.join(d.cost_centre for d in departments)}" if departments else ""
    click.echo(f"created {email} with role(s) {', '.join(sorted(roles))}{where}")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", help="Defaults to the part of the email before the @.")
@with_appcontext
def create_admin(email, name):
    """Add an admin and print a one-time password, which must be changed at the first sign-in."""
    email = email.strip().lower()
    if "@" not in email.strip("@"):
        raise click.BadParameter("must be an email address", param_hint="EMAIL")
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise click.ClickException(f"a user with the email {email} already exists")
    password = secrets.token_urlsafe(12)
    user = User(email=email, name=name or email.split("@")[0], must_change_password=True)
    user.roles = [Role.ADMIN]
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit_trail.record(None, "create_admin", audit_trail.subject_of(user), {"email": email},
                       actor_label="numberdesk command")
    db.session.commit()
    click.echo(f"created the admin {email}; sign in with this one-time password and choose your own:", err=True)
    click.echo(password)


def _user_by_email(email: str) -> User:
    user = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


@users.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(1, ApiToken.MAX_DAYS), default=ApiToken.DEFAULT_DAYS,
              show_default=True, help="How long the token opens the API.")
@with_appcontext
def create_token(email, name, days):
    """Print a new API token for a user (shown once; only its hash is kept)."""
    user = _user_by_email(email)
    token = user.issue_token(name, days)
    db.session.flush()
    audit_trail.record(None, "create_token", audit_trail.subject_of(user.tokens[-1]),
                       {"name": name, "user": user.email}, actor_label="numberdesk command")
    db.session.commit()
    click.echo(token)


@users.command("tokens")
@click.argument("email")
@with_appcontext
def list_tokens(email):
    """List a user's API tokens (times in UTC)."""
    tokens = db.session.scalars(db.select(ApiToken).filter_by(user_id=_user_by_email(email).id)
                                .order_by(ApiToken.id)).all()
    if not tokens:
        click.echo("no tokens")
        return
    when = lambda value: value.strftime("%Y-%m-%d %H:%M") if value else "never"  # noqa: E731
    click.echo(f"{'id':>5}  {'name':<24} {'created':<16}  {'expires':<16}  {'last used':<16}  status")
    for token in tokens:
        click.echo(f"{token.id:>5}  {token.name[:24]:<24} {when(token.created_at):<16}  {when(token.expires_at):<16}  "
                   f"{when(token.last_used_at):<16}  {token.status()}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token(token_id):
    """Revoke an API token by its id (see `users tokens EMAIL`): it no longer opens the API."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"there is no token {token_id}")
    token.revoke()
    audit_trail.record(None, "revoke_token", audit_trail.subject_of(token), {"name": token.name},
                       actor_label="numberdesk command")
    db.session.commit()
    click.echo(f"revoked token {token.id} ({token.name}) of {token.user.email}")


DEMO_ASTERISK_OPTION = click.option(
    "--demo-asterisk", is_flag=True, help="The demo's Office Asterisk is the Asterisk `numberdesk pbx demo` runs on "
    "this machine (make run), when scripts/install-asterisk has built it; otherwise it stays a manual PBX.")


def _load_demo_data(demo_asterisk: bool) -> bool:
    """The demo loaded into an empty database (False if it holds data), with its own Asterisk if asked and built."""
    from demo import asterisk
    from demo.data import load_demo_data

    why_manual = asterisk.why_not_built() if demo_asterisk else ""
    if not demo_asterisk or why_manual:
        loaded = load_demo_data()
        if loaded and why_manual:
            asterisk.keep_manual(why_manual)
            click.echo(f"The demo's Office Asterisk stays a manual PBX: {why_manual}.")
        return loaded
    pbx = asterisk.demo_pbx()
    loaded = load_demo_data(office_asterisk=pbx)
    if loaded:
        click.echo(f"The demo's Office Asterisk is the Asterisk `numberdesk pbx demo` runs (SIP {pbx.sip_host}:"
                   f"{pbx.sip_port}, AMI {pbx.ami_address}): numberdesk provisions it and test-calls each number.")
    return loaded


@cli.command("demo")
@DEMO_ASTERISK_OPTION
@with_appcontext
def load_demo(demo_asterisk):
    """Load the demo branches, carriers, PBXs, users and requests into an empty database."""
    from demo import DEMO_PASSWORD, DemoRefused

    try:
        loaded = _load_demo_data(demo_asterisk)
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal))
    if not loaded:
        raise click.ClickException("the database already holds data; the demo loads only into an empty one")
    click.echo(f"demo data loaded; every demo user's password is {DEMO_PASSWORD}")


@cli.command("setup")
@click.option("--no-demo", is_flag=True, help="A real installation: no demo data and no demo users "
              "(as NUMBERDESK_DEMO=0). Required under NUMBERDESK_ENV=production.")
@DEMO_ASTERISK_OPTION
@with_appcontext
def setup(no_demo, demo_asterisk):
    """Bring the database up to date and, on the first run, load the demo data (unless --no-demo)."""
    from demo import DEMO_PASSWORD, DEMO_USERS, demo_refusal, demo_wanted, holds_demo_users

    with_demo = demo_wanted() and not no_demo
    if with_demo and demo_refusal():
        raise click.ClickException(demo_refusal())
    upgrade(directory=current_app.extensions["migrate"].directory)
    if not with_demo:
        click.echo("The database is up to date; no demo data.")
        if not db.session.scalar(db.select(db.func.count(User.id))):
            click.echo("Create the first admin with: numberdesk users create-admin EMAIL")
        return
    if _load_demo_data(demo_asterisk):
        click.echo("Loaded the demo data.")
    if holds_demo_users():
        click.echo("\nDemo logins (password for all: %s):" % DEMO_PASSWORD)
        for email, _, roles in DEMO_USERS:
            click.echo(f"  {email:<26} {', '.join(roles)}")
    click.echo("\nnumberdesk will be at http://127.0.0.1:5000 and the Prefect UI at "
               f"{os.environ['PREFECT_API_URL'].removesuffix('/api')}\n")


@cli.command("diagram")
def diagram():
    """Print the request life cycle as a Mermaid state diagram."""
    from models.lifecycle import mermaid_diagram

    click.echo(mermaid_diagram())


@cli.group("secrets")
def secrets_commands():
    """Secrets kept encrypted in the database (trunk passwords)."""


@secrets_commands.command("rotate-key")
@with_appcontext
def rotate_secrets_key():
    """Re-encrypt every stored secret with a new key (the key file, or NUMBERDESK_SECRETS_KEY in two runs)."""
    from models.secrets import SecretsKeyError, rotate_key

    try:
        rotation = rotate_key(say=click.echo)
    except SecretsKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(rotation.message)


@cli.group()
def audit():
    """The audit trail."""


@audit.command("verify")
@with_appcontext
@click.pass_context
def verify_audit(ctx):
    """Check the audit trail's hash chain; exit 1 naming the first event that was changed or removed."""
    from models.audit_trail import check_chain

    result = check_chain()
    if result.broken:
        click.echo(result.broken.message, err=True)
        ctx.exit(1)
    click.echo(f"audit trail intact: {result.events} events")


@cli.group("pbx")
def pbx_commands():
    """The demo's own PBX: its Asterisk and its branches' phones, which `make run` starts."""


def _idle(message: str) -> None:
    """Say why this process has nothing to do, and wait until stopped: honcho stops every process when one ends."""
    click.echo(message)
    while True:
        time.sleep(3600)


def _stop_child_on_exit(process: subprocess.Popen) -> None:
    """Stopping this process (honcho's SIGTERM, Ctrl-C) runs its exit handlers, which stop the child too."""
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda signum, frame: sys.exit(0))
    atexit.register(_stop_child, process)


def _stop_child(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pbx_commands.command("demo")
@with_appcontext
def run_demo_asterisk():
    """Run the demo's Asterisk (its configuration written into the instance folder's asterisk/) and bring it up to
    date with the demo's records; without Asterisk built, say why and wait."""
    from demo import asterisk
    from models import PbxSystem

    why_not = asterisk.why_not_built()
    if why_not:
        _idle(f"The demo's Asterisk does not run: {why_not}. The demo's Office Asterisk is a manual PBX.")
    pbx = asterisk.demo_pbx()
    asterisk.write_configuration(pbx)
    log = asterisk.demo_folder() / "log" / "messages.log"
    process = asterisk.start_asterisk(pbx)
    _stop_child_on_exit(process)
    if not asterisk.wait_until_booted(pbx, process):
        process.terminate()
        _idle(f"The demo's Asterisk did not start: see {log}. Test calls on the demo's Office Asterisk fail until "
              "it runs.")
    click.echo(f"The demo's Asterisk runs: SIP {pbx.sip_host}:{pbx.sip_port} (UDP), AMI {pbx.ami_address}, "
               f"configuration in {pbx.config_dir}, log {log}")
    office = db.session.scalar(db.select(PbxSystem).filter_by(name=asterisk.OFFICE))
    if office is not None and office.config_dir == str(pbx.config_dir):
        _provision(office)
    elif office is not None:
        click.echo(f"{office.name} in the database is not this Asterisk (the demo was loaded without it): "
                   "`make clean run` loads the demo again with it.")
    db.session.remove()
    code = process.wait()
    _idle(f"The demo's Asterisk stopped (exit code {code}): see {log}.")


def _provision(office) -> None:
    """What numberdesk's records put on the PBX (numbers made active before it started, a change while it was
    stopped), applied again."""
    from models import InvalidInput
    from models.secrets import SecretsKeyError
    from pbx.asterisk import PbxError
    from workflows.pbx_plan import provision

    try:
        applied = provision(office)
    except (PbxError, InvalidInput, SecretsKeyError) as error:
        click.echo(f"{office.name} could not be brought up to date with numberdesk's records: {error}")
        return
    if applied.changed:
        click.echo(f"{office.name} brought up to date: wrote {', '.join(applied.written) or 'nothing'}, "
                   f"removed {', '.join(applied.removed) or 'nothing'}")


@pbx_commands.command("demo-phones")
def run_demo_phones():
    """Answer every call to the demo branches' phones (sipp) until stopped; without sipp, say why and wait."""
    from demo import asterisk

    try:
        process = asterisk.start_phones(asterisk.demo_folder())
    except FileNotFoundError as missing:
        _idle(f"The demo branches' phones do not answer: {missing}. Test calls on the demo's Asterisk fail.")
    _stop_child_on_exit(process)
    click.echo(f"The demo branches' phones answer every call at {asterisk.PHONES_HOST}:{asterisk.PHONES_PORT} "
               f"(sipp; its screen in {asterisk.demo_folder() / 'phones.log'})")
    code = process.wait()
    _idle(f"The demo branches' phones stopped (sipp's exit code {code}): see "
          f"{asterisk.demo_folder() / 'phones.log'}.")


def wait_for_prefect(timeout: float = 120) -> None:
    url = os.environ["PREFECT_API_URL"].rstrip("/") + "/health"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise click.ClickException(f"the Prefect server at {url} did not answer in {timeout:.0f} s")
            time.sleep(0.5)


@cli.command("worker")
@click.option("--limit", default=4, show_default=True, help="How many step runs at once.")
def worker(limit):
    """Serve every workflow deployment from this process (waits for the Prefect server)."""
    wait_for_prefect()
    from workflows.worker import serve_workflows

    serve_workflows(limit=limit)


@cli.command("prefect-server")
def prefect_server():
    """Run numberdesk's Prefect server on 127.0.0.1, its home inside the instance folder."""
    os.execv(sys.executable, [sys.executable, "-m", "workflows.prefect_server",
                              "--host", os.environ["PREFECT_SERVER_API_HOST"],
                              "--port", os.environ["PREFECT_SERVER_API_PORT"]])


def main():
    apply_prefect_defaults()
    cli()


@cli.group("import")
def import_files():
    """Import carriers' billing files (call detail records, invoice lines)."""


def _import_billing_file(path: Path, carrier_id: int, kind: str) -> None:
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        raise click.BadParameter(f"there is no carrier {carrier_id} (see `GET /api/v1/carriers`)",
                                 param_hint="--carrier")
    billing_import = BillingImport(kind=kind, carrier=carrier, filename=path.name, path=str(path.resolve()),
                                   size_bytes=path.stat().st_size)
    db.session.add(billing_import)
    db.session.commit()
    with click.progressbar(length=max(billing_import.size_bytes, 1), label=f"{path.name} from {carrier.name}",
                           show_percent=True, show_eta=True) as bar:
        def advance(progress: BillingImport) -> None:
            bar.update(progress.bytes_read - bar.pos)
        import_billing_file(billing_import.id, on_progress=advance)
    db.session.refresh(billing_import)
    click.echo(f"{billing_import.rows_read} rows read: {billing_import.rows_imported} imported, "
               f"{billing_import.rows_duplicate} already imported before, {billing_import.rows_rejected} rejected")
    rejected = db.session.scalars(db.select(RejectedRow).filter_by(import_id=billing_import.id)
                                  .order_by(RejectedRow.line).limit(10))
    for row in rejected:
        click.echo(f"  line {row.line}: {row.reason}")
    if billing_import.rows_rejected > 10:
        click.echo(f"  ... all of them at /costs/imports/{billing_import.id}/rejected.csv")
    if billing_import.status == ImportStatus.FAILED:
        raise click.ClickException(f"the import failed: {billing_import.error}")


@import_files.command("cdrs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--carrier", "carrier_id", type=int, required=True, help="The carrier's id.")
@with_appcontext
def import_cdrs(file, carrier_id):
    """Import a carrier's call detail records (its own layout, if one is set up for it)."""
    _import_billing_file(file, carrier_id, ImportKind.CALL_RECORDS)


@import_files.command("invoices")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--carrier", "carrier_id", type=int, required=True, help="The carrier's id.")
@with_appcontext
def import_invoices(file, carrier_id):
    """Import a carrier's invoice lines: invoice,number,month,item,amount."""
    _import_billing_file(file, carrier_id, ImportKind.INVOICE_LINES)
