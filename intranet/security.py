"""Security headers that need more than a setting."""

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


def lockout_response(request, response=None, credentials=None):
    """django-axes' answer to a locked-out login: a Danish page saying how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
