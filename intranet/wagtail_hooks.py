"""Admin wiring for accounts: the user listing's bulk actions follow the granting rule."""

from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages

from . import roles
from .user_admin import refused_groups_message


@hooks.register("before_bulk_action")
def refuse_bulk_escalation(request, action_type, objects, action_class_instance):
    """Wagtail's bulk "assign role", "set active state" and "delete" on users bypass the
    user forms; refuse them on accounts (or into groups) beyond the admin user's rights."""
    user = request.user
    if action_class_instance.model is not get_user_model() or user.is_superuser:
        return None
    if any(not roles.may_manage_user(user, account=account) for account in objects):
        messages.error(
            request,
            _(
                "Nothing was changed: some of the chosen users have rights you do not have "
                "yourself. Ask a superuser."
            ),
        )
        return redirect(action_class_instance.next_url)
    if action_type == "assign_role":
        group = action_class_instance.cleaned_form.cleaned_data["role"]
        if not roles.may_grant_group(user, group=group):
            messages.error(request, refused_groups_message([group]))
            return redirect(action_class_instance.next_url)
    return None
