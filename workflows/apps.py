from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Referral process")

    def ready(self):
        # The flow adds its "manage" permission to CaseProcess when its class is built: build
        # it at start-up so migrations and permissions never depend on import order.
        from . import flows  # noqa: F401
