from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Content")

    def ready(self):
        from .content_cache import connect_signals

        connect_signals()
