"""Error pages that need no database: a failing database must not turn into a traceback.

Django's own handler renders 500.html without a request, so no context processor runs; ours
does the same and tells a database outage (503: try again shortly) from a fault (500).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.template import loader

# Seconds a client is asked to wait before trying again while the database is down.
RETRY_AFTER = 60


def server_error(request):
    """handler500: 503 when the database could not be reached or used, else 500."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponseServerError(loader.get_template("503.html").render())
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
