"""The PBX systems numberdesk provisions: what it provisioned on each, and whether the PBX is reachable and still
carries it (drift). The page never contacts the PBX: "check now" and "apply again" are done by the workflow
(workflows/pbx_checks.py), and the page shows them due until then."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from models import Department, PbxSystem, PhoneNumber, access, db, pbx_checks
from models.choices import NumberStatus, PbxKind, RingStrategy, Role
from models.pbx_checks import APPLY, CHECK
from workflows.pbx_checks import dispatch_pbx_check
from workflows.pbx_plan import branch_id

from ..core.access_rules import roles, rule
from ..core.helpers import choice_sets
from .plans import plan_of

LOOKING_AFTER = roles(Role.SYSADMIN, Role.ADMIN)
# What a check found, by kind of difference (pbx.asterisk.Drift's fields), as the page lists them.
DRIFT_KINDS = ("missing_files", "changed_files", "extra_files", "missing_endpoints", "missing_contexts",
               "missing_numbers", "missing_includes")


def get_pbx_or_404(pbx_id: int) -> PbxSystem:
    system = db.session.get(PbxSystem, pbx_id)
    if system is None:
        abort(404, description=gettext("There is no such PBX system."))
    return system


@rule(LOOKING_AFTER)
def index():
    systems = db.session.scalars(db.select(PbxSystem).order_by(PbxSystem.name)).all()
    counts = dict(db.session.execute(
        access.in_scope(current_user, db.select(PhoneNumber.pbx_id, db.func.count(PhoneNumber.id)),
                        PhoneNumber.department_id)
        .where(PhoneNumber.status != NumberStatus.DISCONNECTED).group_by(PhoneNumber.pbx_id)).tuples().all())
    checks = {system.id: pbx_checks.last_done(system, CHECK) for system in systems}
    return render_template("pbx/index.html", systems=systems, counts=counts, checks=checks,
                           **choice_sets(PbxKind))


@rule(LOOKING_AFTER)
def detail(pbx_id: int):
    system = get_pbx_or_404(pbx_id)
    found = plan_of(system)
    plan = found.plan if found else None
    # A branch's ring group by its name on the PBX; a user whose branches are narrowed sees only theirs.
    departments = {branch_id(d): d for d in db.session.scalars(db.select(Department))}
    visible = {name for name, d in departments.items() if access.sees_branch(current_user, d.id)}
    return render_template(
        "pbx/detail.html", system=system, found=found, departments=departments,
        branches=[b for b in plan.branches if b.id in visible] if plan else [],
        routes=[r for r in plan.routes if r.branch in visible] if plan else [],
        hidden=bool(plan) and len(visible & {b.id for b in plan.branches}) < len(plan.branches),
        last_check=pbx_checks.last_done(system, CHECK), due_check=pbx_checks.due(system, CHECK),
        last_apply=pbx_checks.last_done(system, APPLY), due_apply=pbx_checks.due(system, APPLY),
        drift_kinds=DRIFT_KINDS, **choice_sets(PbxKind, RingStrategy))


def _queue(pbx_id: int, kind: str):
    system = get_pbx_or_404(pbx_id)
    asked = pbx_checks.queue(current_user, system, kind)
    db.session.commit()
    dispatch_pbx_check(asked)  # in the background: the web request does not wait on the PBX
    if asked.due:
        flash(gettext("The check is due: its result shows here once the workflow has run it.") if kind == CHECK
              else gettext("Applying the plan again is due: its result shows here once the workflow has run it."),
              "info")
    return redirect(url_for("pbx.detail", pbx_id=system.id))


@rule(LOOKING_AFTER)
def check(pbx_id: int):
    return _queue(pbx_id, CHECK)


@rule(LOOKING_AFTER)
def apply_again(pbx_id: int):
    return _queue(pbx_id, APPLY)
