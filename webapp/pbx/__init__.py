"""A PBX's page: what numberdesk provisioned on it and its health (reachable, drift), with a check and "apply again"
done by the workflow."""
