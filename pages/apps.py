from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from intranet.apps import last_app_with_models


def _ensure_approval_workflow(sender, using, **kwargs):
    from .moderation import ensure_approval_workflow

    if sender is last_app_with_models():
        ensure_approval_workflow(using=using)


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Content")

    def ready(self):
        from .content_cache import connect_signals

        connect_signals()
        # After every migrate (and test-database flush), the approval workflow on the page
        # tree. Connected after intranet's role sync (an app listed before this one), whose
        # groups and tree root the workflow needs: receivers run in the order connected.
        post_migrate.connect(_ensure_approval_workflow, dispatch_uid="pages_approval_workflow")
