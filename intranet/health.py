"""Health check for load balancers and monitoring: which dependency, if any, is down.

Public, so an answer names the failing dependency and the kind of error only: a database
error's text can carry host and user names. The details go to the log.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CACHE_PROBE_KEY = "brobygger:health-probe"
MEDIA_PROBE_NAME = "health-probe.txt"


class Unhealthy(Exception):
    """A dependency answered, but not as it should."""


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_shared_cache():
    """The cache all processes count the concern form's rate limit in: write, read back."""
    cache = caches["shared"]
    # In a savepoint: a failed cache query must not abort an enclosing transaction's checks.
    with transaction.atomic():
        cache.set(CACHE_PROBE_KEY, "ok", timeout=60)
        if cache.get(CACHE_PROBE_KEY) != "ok":
            raise Unhealthy("the value written could not be read back")


def check_media():
    """Uploaded documents and images are written here: write a file and delete it."""
    name = default_storage.save(MEDIA_PROBE_NAME, ContentFile(b"ok"))
    default_storage.delete(name)


_migrations_applied = False


def check_migrations():
    """Every migration of the code is applied. Once they are, they stay so until the next
    deploy, which restarts the process: the graph (75 ms) is then not read again."""
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        raise Unhealthy(f"{len(unapplied)} not applied")
    _migrations_applied = True


CHECKS = {
    "database": check_database,
    "cache": check_shared_cache,
    "media": check_media,
    "migrations": check_migrations,
}


def _run(name, check):
    try:
        check()
    except Unhealthy as error:
        logger.error("Health check %s failed: %s", name, error)
        return f"error: {error}"
    except Exception as error:  # any failure means "not healthy", never a 500 page
        logger.exception("Health check %s failed", name)
        return f"error: {type(error).__name__}"
    return "ok"


@login_not_required
@never_cache
@require_GET
def health(request):
    results = {name: _run(name, check) for name, check in CHECKS.items()}
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )
