"""Where Prefect lives for numberdesk: one local server, its home inside the instance folder."""
import os

from models.db import instance_dir

PREFECT_HOST = "127.0.0.1"
PREFECT_PORT = os.environ.get("NUMBERDESK_PREFECT_PORT", "4200")


def apply_prefect_defaults() -> None:
    """Point this process (and the processes it starts) at numberdesk's Prefect server.

    Must run before Prefect is imported: Prefect reads its settings from the
    environment. Values already set in the environment win.
    """
    defaults = {
        "PREFECT_HOME": str(instance_dir() / "prefect"),
        "PREFECT_API_URL": f"http://{PREFECT_HOST}:{PREFECT_PORT}/api",
        "PREFECT_SERVER_API_HOST": PREFECT_HOST,
        "PREFECT_SERVER_API_PORT": PREFECT_PORT,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "true",
        # Served deployments pick up new runs quickly: people are waiting on them.
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_API_REQUEST_TIMEOUT": "10",
        # A database error the clients retry (SQLite's "database is locked") is logged, not only retried.
        "PREFECT_SERVER_LOG_RETRYABLE_ERRORS": "true",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    (instance_dir() / "prefect").mkdir(parents=True, exist_ok=True)
