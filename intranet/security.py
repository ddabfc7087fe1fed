"""Security headers that need more than a setting."""

import time

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.shortcuts import render

WAGTAIL_ADMIN_PREFIX = "/admin/"


class CSPMiddleware(BaseCSPMiddleware):
    """The strict policy from settings everywhere; Wagtail's admin also gets inline scripts.

    Wagtail 8's editor renders inline <script> for date pickers and inline panels; our own
    pages have none, so only the admin is relaxed.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(WAGTAIL_ADMIN_PREFIX):
            parts.update = {
                **(parts.update or {}),
                "script-src": ["'unsafe-inline'"],
                "style-src": ["'unsafe-inline'"],
            }
        return parts


# When the session's idle timeout was last renewed (seconds since the epoch), in the session.
SESSION_RENEWED_KEY = "_idle_renewed_at"


class IdleSessionMiddleware:
    """A session ends after SESSION_COOKIE_AGE seconds without use: each request renews it,
    but the session is written at most once every SESSION_RENEW_SECONDS (writing it on every
    request cost three database statements a page). The timeout is thus between
    SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE after the last request.
    Goes right after SessionMiddleware, so the session is saved after this has marked it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(SESSION_RENEWED_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[SESSION_RENEWED_KEY] = now  # marks it modified: saved with a new expiry
        return response


def lockout_response(request, response=None, credentials=None):
    """django-axes' answer to a locked-out login: a Danish page saying how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
