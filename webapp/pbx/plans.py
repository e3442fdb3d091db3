"""What numberdesk provisions on each PBX, read from its records (workflows.pbx_plan.plan_for) without contacting
the PBX, for the pages that show it."""
from dataclasses import dataclass

from models import InvalidInput, PbxSystem
from models.choices import PbxKind
from models.secrets import SecretsKeyError
from pbx.asterisk import Branch, Plan, Route, Trunk
from workflows.pbx_plan import plan_for

from ..core.labels import domain_text


@dataclass(frozen=True)
class PlanOrProblem:
    """A PBX's plan, or why it cannot be made (a record the PBX cannot take)."""
    plan: Plan | None = None
    problem: str = ""

    def route_of(self, e164: str) -> tuple[Route, Trunk, Branch] | None:
        """The number's route, with the trunk its calls come in on and the ring group they go to."""
        if self.plan is None:
            return None
        route = next((route for route in self.plan.routes if route.did == e164), None)
        if route is None:
            return None
        trunk = next(trunk for trunk in self.plan.trunks if trunk.id == route.trunk)
        branch = next(branch for branch in self.plan.branches if branch.id == route.branch)
        return route, trunk, branch


def plan_of(system: PbxSystem) -> PlanOrProblem | None:
    """The plan of a PBX numberdesk provisions; None for one configured by hand."""
    if system.kind != PbxKind.ASTERISK:
        return None
    try:
        return PlanOrProblem(plan=plan_for(system))
    except (InvalidInput, SecretsKeyError) as refused:
        return PlanOrProblem(problem=domain_text(str(refused)))


def plans_of(systems) -> dict[int, PlanOrProblem | None]:
    """Each PBX's plan, made once, by PBX id."""
    return {system.id: plan_of(system) for system in {system.id: system for system in systems}.values()}
