"""The `numberdesk` command: the Flask CLI plus users, demo data, setup and the workflow processes."""
import os
import sys
import time
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from models import BillingImport, Carrier, RejectedRow, User, db
from models.choices import ImportKind, ImportStatus, Role
from workflows.costs import import_billing_file
from workflows.settings import apply_prefect_defaults


def _create_app():
    from . import create_app

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
@click.option("--password", required=True, help="At least 8 characters.")
@with_appcontext
def create_user(email, name, roles, password):
    """Add a user with one or more roles."""
    email = email.strip().lower()
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise click.ClickException(f"a user with the email {email} already exists")
    user = User(email=email, name=name)
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {email} with role(s) {', '.join(sorted(roles))}")


@users.command("token")
@click.argument("email")
@with_appcontext
def create_token(email):
    """Print a new API token for a user (shown once; only its hash is kept)."""
    user = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    token = user.issue_token()
    db.session.commit()
    click.echo(token)


@cli.command("demo")
@with_appcontext
def load_demo():
    """Load the demo branches, carriers, PBXs, users and requests into an empty database."""
    from .demo import DEMO_PASSWORD, load_demo_data

    if not load_demo_data():
        raise click.ClickException("the database already holds data; the demo loads only into an empty one")
    click.echo(f"demo data loaded; every demo user's password is {DEMO_PASSWORD}")


@cli.command("setup")
@with_appcontext
def setup():
    """Bring the database up to date and, on the first run, load the demo data."""
    from .demo import DEMO_PASSWORD, DEMO_USERS, load_demo_data

    upgrade(directory=current_app.extensions["migrate"].directory)
    if load_demo_data():
        click.echo("Loaded the demo data.")
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
    os.execv(sys.executable, [sys.executable, "-m", "prefect", "server", "start",
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
