"""Django's own admin, for operators only."""

from django.contrib.admin import AdminSite


class SuperuserAdminSite(AdminSite):
    """Django's admin lets in any active staff account, and there an account holding
    auth.change_user may tick is_superuser: the granting rule (intranet.user_admin) holds in
    Wagtail's admin only. Staff status is set by hand (an operator, or a superuser demoted),
    so only superusers, who may grant anything already, get in."""

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
