"""Machine steps of the request life cycle, the Prefect flows around them, and the adapters
to carriers and PBX systems. The web app reaches in only through `workflows.dispatch`."""
