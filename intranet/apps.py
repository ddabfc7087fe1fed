from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _last_app_with_models():
    return [config for config in apps.get_app_configs() if config.models_module][-1]


def _sync_roles(sender, using, **kwargs):
    # post_migrate is sent once per app; permissions of later apps do not exist until
    # their turn, so sync once, after the last one.
    if sender is not _last_app_with_models():
        return
    from .roles import sync_roles

    sync_roles(using=using)


class IntranetConfig(AppConfig):
    name = "intranet"
    verbose_name = _("Intranet")

    def ready(self):
        # Roles are set-up data: after every migrate (and test-database flush) the groups,
        # their permissions and the approval workflow are brought in line with roles.py.
        post_migrate.connect(_sync_roles, dispatch_uid="intranet_sync_roles")
