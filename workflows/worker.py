"""`numberdesk worker`: one long-running process that serves every numberdesk deployment."""
from prefect import serve
from prefect.deployments.runner import EntrypointType

from .dispatch import DEPLOYMENT
from .flows import STEP_FLOWS, sweeper


def serve_workflows(limit: int = 4) -> None:
    deployments = [f.to_deployment(name=DEPLOYMENT, entrypoint_type=EntrypointType.MODULE_PATH)
                   for f in STEP_FLOWS.values()]
    deployments.append(sweeper.to_deployment(name=DEPLOYMENT, interval=60,
                                             entrypoint_type=EntrypointType.MODULE_PATH))
    serve(*deployments, limit=limit)
