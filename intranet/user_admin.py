"""The admin's user and group screens, with one rule: no one grants a right they lack.

Wagtail offers "Administrator" (is_superuser) and every group to anyone who may add or
change users, and every permission to anyone who may change groups. Here a user who is not
a superuser never sees is_superuser, may not put anyone into a group that gives rights they
do not hold, may not change an account that holds such rights (its password, e-mail or
active state: a take-over), and may not add such rights to a group (intranet.roles).
"""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms.collections import BaseGroupCollectionMemberPermissionFormSet
from wagtail.contrib.settings.forms import SitePermissionForm
from wagtail.models import GroupSitePermission
from wagtail.users.forms import (
    BaseGroupPagePermissionFormSet,
    UserCreationForm,
    UserEditForm,
)
from wagtail.users.views import groups, users

from . import roles


def refused_groups_message(groups):
    names = ", ".join(f"“{group.name}”" for group in groups)
    return ngettext(
        "You cannot add anyone to the group %(groups)s: it gives rights you do not have "
        "yourself. Ask a superuser.",
        "You cannot add anyone to the groups %(groups)s: they give rights you do not have "
        "yourself. Ask a superuser.",
        len(groups),
    ) % {"groups": names}


class GrantingFormMixin:
    """The user forms for a given admin user: no is_superuser, no group beyond their rights."""

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        if not for_user.is_superuser:
            # Gone from the form, is_superuser in a POST is ignored: the account keeps its own.
            self.fields.pop("is_superuser", None)

    def clean_groups(self):
        chosen = self.cleaned_data["groups"]
        refused = [g for g in chosen if not roles.may_grant_group(self.for_user, group=g)]
        if refused:
            raise ValidationError(refused_groups_message(refused), code="group_not_grantable")
        return chosen


class StaffUserCreationForm(GrantingFormMixin, UserCreationForm):
    pass


class StaffUserEditForm(GrantingFormMixin, UserEditForm):
    pass


class GrantingFormViewMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class UserCreateView(GrantingFormViewMixin, users.CreateView):
    pass


class UserEditView(GrantingFormViewMixin, users.EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not roles.may_manage_user(request.user, account=self.object):
            raise PermissionDenied


class UserIndexView(users.IndexView):
    """No edit link to an account the admin user may not change."""

    def get_base_queryset(self):
        return (
            super().get_base_queryset().prefetch_related("groups", "user_permissions__content_type")
        )

    @cached_property
    def grantable_groups(self):
        user = self.request.user
        return {g.pk for g in Group.objects.all() if roles.may_grant_group(user, group=g)}

    def get_edit_url(self, instance):
        manageable = roles.may_manage_user(
            self.request.user,
            account=instance,
            may_grant=lambda group: group.pk in self.grantable_groups,
        )
        return super().get_edit_url(instance) if manageable else None


class UserViewSet(users.UserViewSet):
    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    # Wagtail's user "copy" saves into the copied account itself (the form's instance is
    # the original), an edit that needs only the add permission: no copies of accounts.
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm


# --- Groups ------------------------------------------------------------------------------


def _proposed_rights(form, panels):
    """Every right the group would give after this form and its permission panels are saved,
    as (permission, keyword arguments for roles.holds_permission) pairs."""
    rights = [(p, {}) for p in form.cleaned_data["permissions"]]
    for panel in panels:
        if isinstance(
            panel, BaseGroupPagePermissionFormSet | BaseGroupCollectionMemberPermissionFormSet
        ):
            target = "page" if isinstance(panel, BaseGroupPagePermissionFormSet) else "collection"
            for row in panel.forms:
                if row in panel.deleted_forms or target not in row.cleaned_data:
                    continue
                rights += [
                    (p, {target: row.cleaned_data[target]}) for p in row.cleaned_data["permissions"]
                ]
        elif isinstance(panel, SitePermissionForm):
            rights += [(panel.permission, {"site": s}) for s in panel.cleaned_data["sites"]]
        else:
            raise TypeError(f"No rule for the group permission panel {type(panel).__name__}.")
    return rights


def _current_rights(group):
    if group.pk is None:
        return set()
    return (
        {(p.pk, None, None) for p in group.permissions.all()}
        | {(gp.permission_id, "page", gp.page_id) for gp in group.page_permissions.all()}
        | {
            (gp.permission_id, "collection", gp.collection_id)
            for gp in group.collection_permissions.all()
        }
        | {
            (gp.permission_id, "site", gp.site_id)
            for gp in GroupSitePermission.objects.filter(group=group)
        }
    )


def _key(permission, target):
    if not target:
        return (permission.pk, None, None)
    (kind, obj), *_rest = target.items()
    return (permission.pk, kind, obj.pk)


class GrantingGroupViewMixin:
    """Refuses a group form that adds a right the admin user does not hold themselves."""

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        user = self.request.user
        if user.is_superuser:
            return True
        current = _current_rights(form.instance)
        added = [
            (permission, target)
            for permission, target in _proposed_rights(form, self.permission_panel_forms)
            if _key(permission, target) not in current
        ]
        if all(roles.holds_permission(user, p, **target) for p, target in added):
            return True
        form.add_error(
            None,
            _(
                "You cannot give this group rights you do not have yourself. Remove the "
                "permissions you do not hold, or ask a superuser."
            ),
        )
        # Wagtail's error message lists the form's errors, this one among them.
        self.produced_error_message = self.get_error_message()
        return False


class GroupCreateView(GrantingGroupViewMixin, groups.CreateView):
    pass


class GroupEditView(GrantingGroupViewMixin, groups.EditView):
    pass


class GroupViewSet(groups.GroupViewSet):
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
