"""Prefect's own server for numberdesk: `python -m workflows.prefect_server [prefect server start options]`.

On SQLite (`make run`), Prefect's transactions take the write lock when they begin. Prefect already runs its SQLite
file in WAL mode with a 60 s busy timeout, but it begins most transactions as DEFERRED: one that reads and then
writes just after another connection wrote gets "database is locked" at once, since SQLite cannot let it wait
there. Under a burst of flow runs its API then answers 503 and every client sleeps and retries. A transaction
begun IMMEDIATE waits for the lock (the busy timeout) before it reads, so none of them fails. It is set through
the database configuration Prefect lets a server inject (`MODELS_DEPENDENCIES`, what Prefect's own tests use).

On PostgreSQL (`PREFECT_API_DATABASE_CONNECTION_URL`, see "Running it for real"), nothing changes.
"""
import sys
from contextlib import asynccontextmanager


def wait_for_the_write_lock() -> bool:
    """Begin every transaction of this process's Prefect server as IMMEDIATE, if its database is SQLite."""
    from prefect.server.database import configurations, dependencies
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    url = PREFECT_API_DATABASE_CONNECTION_URL.value()
    if not url.startswith("sqlite"):
        return False

    class ImmediateSqliteConfiguration(configurations.AioSqliteConfiguration):
        @asynccontextmanager
        async def begin_transaction(self, session, with_for_update: bool = False):
            token = configurations.SQLITE_BEGIN_MODE.set("IMMEDIATE")
            try:
                async with session.begin() as transaction:
                    yield transaction
            finally:
                configurations.SQLITE_BEGIN_MODE.reset(token)

    dependencies.MODELS_DEPENDENCIES["database_config"] = ImmediateSqliteConfiguration(connection_url=url)
    return True


def main() -> None:
    wait_for_the_write_lock()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
