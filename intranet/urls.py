"""URL map. Everything needs login (LoginRequiredMiddleware) unless marked otherwise here.

The apps' screens are included by name, so intranet/ imports nothing of pages/ or
workflows/ (the import contract in pyproject.toml).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import health, password_change, password_reset


def _public(patterns):
    """Mark Wagtail's page-serving views public: Wagtail's page privacy guards them."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            login_not_required(pattern.callback)
    return patterns


_public(wagtail_urls.urlpatterns)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Before Django's own: the reset limited per address and account (intranet/password_reset.py).
    path(
        "konto/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    # Before Django's own: wrong old passwords count as failed logins (intranet/password_change.py).
    path(
        "konto/password_change/",
        password_change.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("konto/", include("django.contrib.auth.urls")),
    path("sprog/", login_not_required(set_language), name="set_language"),
    path("personale/", include("workflows.home_urls")),
    path("health/", health.health, name="health"),
    path("sog/", include("pages.urls")),
    path("sager/", include("workflows.urls")),
    path("ledelse/", include("workflows.leader_urls")),
    path("databeskyttelse/", include("workflows.privacy_urls")),
    path("", include(wagtail_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler500 = "intranet.errors.server_error"
