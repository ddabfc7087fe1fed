"""Wagtail's user and group screens: an administrator grants no right they lack (issue 15)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Collection, GroupCollectionPermission, Page
from wagtail.users.forms import GroupForm

from intranet import roles

from .factories import PASSWORD, PersonFactory, UserFactory

User = get_user_model()
NEW_PASSWORD = "Ny-adgangskode-2026!"


def user_form(**fields):
    data = {
        "username": "ny_bruger",
        "email": "ny_bruger@example.invalid",
        "first_name": "Ny",
        "last_name": "Bruger",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(fields)
    return data


def edit_form(account, **fields):
    data = {
        "username": account.username,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "is_active": "on" if account.is_active else "",
        "password1": "",
        "password2": "",
        "groups": [g.pk for g in account.groups.all()],
    }
    data.update(fields)
    return data


def group(role_key):
    return Group.objects.get(name=roles.group_name(role_key))


def group_form(group, *, add_permissions=(), collection_permissions=()):
    """The group screen's POST: the group as it is, plus the given changes. The screen offers
    only the permissions registered with Wagtail; the group keeps its others untouched."""
    offered = GroupForm().fields["permissions"].queryset
    data = {
        "name": group.name,
        "permissions": [p.pk for p in group.permissions.filter(pk__in=offered)]
        + [p.pk for p in add_permissions],
    }
    pages = {}
    for gp in group.page_permissions.select_related("permission"):
        pages.setdefault(gp.page_id, []).append(gp.permission.codename)
    data["page_permissions-TOTAL_FORMS"] = len(pages)
    data["page_permissions-INITIAL_FORMS"] = len(pages)
    for i, (page_id, codenames) in enumerate(pages.items()):
        data[f"page_permissions-{i}-page"] = page_id
        data[f"page_permissions-{i}-permissions"] = codenames
    for prefix in ("collection_permissions", "document_permissions"):
        data[f"{prefix}-TOTAL_FORMS"] = 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    data["image_permissions-TOTAL_FORMS"] = len(collection_permissions)
    data["image_permissions-INITIAL_FORMS"] = 0
    for i, (collection, permission) in enumerate(collection_permissions):
        data[f"image_permissions-{i}-collection"] = collection.pk
        data[f"image_permissions-{i}-permissions"] = [permission.pk]
    return data


@pytest.fixture
def superuser(db):
    return UserFactory(username="superbruger", is_superuser=True)


@pytest.fixture
def worker(db):
    return UserFactory(username="medarbejder", roles=[roles.EDITOR])


# --- is_superuser --------------------------------------------------------------------------


def test_administrator_cannot_create_a_superuser(client, administrator):
    client.force_login(administrator)
    form_html = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="is_superuser"' not in form_html

    response = client.post(reverse("wagtailusers_users:add"), user_form(is_superuser="on"))

    assert response.status_code == 302
    assert User.objects.get(username="ny_bruger").is_superuser is False


def test_administrator_cannot_raise_an_existing_user_to_superuser(client, administrator, worker):
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_users:edit", args=(worker.pk,)),
        edit_form(worker, is_superuser="on"),
    )

    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.is_superuser is False


def django_admin_user_form(account, **fields):
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in account.groups.all()],
        "date_joined_0": account.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": account.date_joined.strftime("%H:%M:%S"),
    }
    data.update(fields)
    return data


@pytest.mark.parametrize("target", ["administrator", "worker"])
def test_a_staff_administrator_cannot_make_a_superuser_in_djangos_admin(
    client, administrator, worker, target, request
):
    """Staff status is set by hand (an operator, a demoted superuser); Django's admin would
    then let the administrator's auth.change_user tick is_superuser."""
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    assert administrator.has_perm("auth.change_user")
    account = request.getfixturevalue(target)
    client.force_login(administrator)
    url = reverse("admin:auth_user_change", args=(account.pk,))

    response = client.post(url, django_admin_user_form(account, is_superuser="on"))

    account.refresh_from_db()
    assert account.is_superuser is False
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_a_superuser_still_works_in_djangos_admin(client, superuser, worker):
    client.force_login(superuser)

    response = client.get(reverse("admin:auth_user_change", args=(worker.pk,)))

    assert response.status_code == 200


def test_an_account_created_by_an_administrator_cannot_open_the_insight_report(
    client, administrator
):
    """The escalation found: administrator -> new "Administrator" account -> insight report."""
    person = PersonFactory()
    client.force_login(administrator)
    client.post(reverse("wagtailusers_users:add"), user_form(is_superuser="on"))
    client.logout()

    assert client.login(username="ny_bruger", password=NEW_PASSWORD)
    response = client.get(reverse("privacy:insight", args=(person.pk,)))

    assert response.status_code in (302, 403)
    assert "Indsigt" not in response.content.decode()


def test_superuser_may_create_a_superuser(client, superuser):
    client.force_login(superuser)

    client.post(reverse("wagtailusers_users:add"), user_form(is_superuser="on"))

    assert User.objects.get(username="ny_bruger").is_superuser is True


# --- groups --------------------------------------------------------------------------------


@pytest.mark.parametrize("role_key", [roles.DATA_PROTECTION, roles.OUTREACH_WORKER])
def test_administrator_cannot_add_a_new_user_to_a_group_with_rights_they_lack(
    client, administrator, role_key
):
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_users:add"), user_form(groups=[group(role_key).pk])
    )

    assert response.status_code == 200
    assert "gives rights you do not have yourself" in response.content.decode()
    assert not User.objects.filter(username="ny_bruger").exists()


@pytest.mark.danish
def test_the_refusal_is_explained_in_danish(client, administrator):
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_users:add"), user_form(groups=[group(roles.DATA_PROTECTION).pk])
    )

    assert "Databeskyttelse" in response.content.decode()
    assert "rettigheder, du ikke selv har" in response.content.decode()


def test_administrator_cannot_add_themself_to_the_data_protection_group(client, administrator):
    client.force_login(administrator)
    groups = [group(roles.ADMINISTRATOR).pk, group(roles.DATA_PROTECTION).pk]

    response = client.post(
        reverse("wagtailusers_users:edit", args=(administrator.pk,)),
        edit_form(administrator, groups=groups),
    )

    assert response.status_code == 200
    assert not administrator.groups.filter(name=roles.group_name(roles.DATA_PROTECTION)).exists()
    assert not administrator.has_perm("intranet.review_access_log")


def test_administrator_may_add_a_user_to_a_group_whose_rights_they_hold(client, administrator):
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_users:add"), user_form(groups=[group(roles.EDITOR).pk])
    )

    assert response.status_code == 302
    assert User.objects.get(username="ny_bruger").groups.get() == group(roles.EDITOR)


def test_superuser_may_add_a_user_to_the_data_protection_group(client, superuser, worker):
    client.force_login(superuser)

    response = client.post(
        reverse("wagtailusers_users:edit", args=(worker.pk,)),
        edit_form(worker, groups=[group(roles.DATA_PROTECTION).pk]),
    )

    assert response.status_code == 302
    assert worker.groups.filter(name=roles.group_name(roles.DATA_PROTECTION)).exists()


# --- taking over a stronger account ----------------------------------------------------------


def test_administrator_cannot_change_a_superusers_password_or_deactivate_them(
    client, administrator, superuser
):
    client.force_login(administrator)
    url = reverse("wagtailusers_users:edit", args=(superuser.pk,))

    assert client.get(url).status_code in (302, 403)
    client.post(
        url, edit_form(superuser, is_active="", password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    )

    superuser.refresh_from_db()
    assert superuser.is_active
    assert superuser.check_password(PASSWORD)


def test_administrator_cannot_take_over_the_data_protection_officers_account(
    client, administrator, dpo
):
    client.force_login(administrator)

    client.post(
        reverse("wagtailusers_users:edit", args=(dpo.pk,)),
        edit_form(
            dpo,
            email="administrator@example.invalid",
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
        ),
    )

    dpo.refresh_from_db()
    assert dpo.check_password(PASSWORD)
    assert dpo.email == "databeskyttelse@example.invalid"


def test_the_user_list_offers_no_edit_link_to_a_stronger_account(
    client, administrator, dpo, worker
):
    client.force_login(administrator)

    html = client.get(reverse("wagtailusers_users:index")).content.decode()

    assert reverse("wagtailusers_users:edit", args=(worker.pk,)) in html
    assert reverse("wagtailusers_users:edit", args=(dpo.pk,)) not in html


def test_superuser_may_reset_a_superusers_password(client, superuser):
    other = UserFactory(username="anden_superbruger", is_superuser=True)
    client.force_login(superuser)

    client.post(
        reverse("wagtailusers_users:edit", args=(other.pk,)),
        edit_form(other, is_superuser="on", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    other.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)


def test_copying_a_user_is_not_offered(client, administrator, superuser):
    """Wagtail's copy view saved into the copied account: a take-over with add_user alone."""
    client.force_login(administrator)

    response = client.post(
        f"/admin/users/copy/{superuser.pk}/", user_form(username="kopi", email="k@example.invalid")
    )

    assert response.status_code == 404
    superuser.refresh_from_db()
    assert (superuser.username, superuser.check_password(PASSWORD)) == ("superbruger", True)


# --- bulk actions ----------------------------------------------------------------------------


def bulk_url(action, *accounts):
    ids = "&".join(f"id={a.pk}" for a in accounts)
    url = reverse("wagtail_bulk_action", args=("auth", "user", action))
    return f"{url}?{ids}&next=/admin/users/"


def test_bulk_assign_role_into_the_data_protection_group_is_refused(client, administrator, worker):
    client.force_login(administrator)

    response = client.post(
        bulk_url("assign_role", worker, administrator), {"role": group(roles.DATA_PROTECTION).pk}
    )

    assert response.status_code == 302
    assert not Group.objects.get(name="Databeskyttelse").user_set.exists()


def test_bulk_deactivation_of_a_superuser_is_refused(client, administrator, superuser, worker):
    client.force_login(administrator)

    client.post(bulk_url("set_active_state", superuser, worker), {"mark_as_active": "False"})

    superuser.refresh_from_db()
    worker.refresh_from_db()
    assert (superuser.is_active, worker.is_active) == (True, True)


def test_bulk_assign_role_the_administrator_may_grant_works(client, administrator, worker):
    client.force_login(administrator)

    client.post(bulk_url("assign_role", worker), {"role": group(roles.MODERATOR).pk})

    assert worker.groups.filter(name=roles.group_name(roles.MODERATOR)).exists()


# --- the group screen ------------------------------------------------------------------------


def test_administrator_cannot_give_their_own_group_a_right_they_lack(client, administrator):
    """Changing the approval tasks would let administrators replace the leaders' step."""
    admins = group(roles.ADMINISTRATOR)
    before = set(admins.permissions.values_list("pk", flat=True))
    change_task = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="change_task"
    )
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_groups:edit", args=(admins.pk,)),
        group_form(admins, add_permissions=[change_task]),
    )

    assert response.status_code == 200
    assert "rights you do not have yourself" in response.content.decode()
    assert set(admins.permissions.values_list("pk", flat=True)) == before
    assert not User.objects.get(pk=administrator.pk).has_perm("wagtailcore.change_task")


def test_administrator_cannot_give_a_group_collection_rights_they_lack(client, administrator):
    editors = group(roles.EDITOR)
    add_image = Permission.objects.get(
        content_type__app_label="wagtailimages", codename="add_image"
    )
    client.force_login(administrator)

    client.post(
        reverse("wagtailusers_groups:edit", args=(editors.pk,)),
        group_form(editors, collection_permissions=[(Collection.get_first_root_node(), add_image)]),
    )

    assert not GroupCollectionPermission.objects.filter(group=editors).exists()


def test_administrator_may_save_a_group_with_rights_they_hold(client, administrator):
    editors = group(roles.EDITOR)
    staff = Permission.objects.get(codename="change_staffmember")
    client.force_login(administrator)

    response = client.post(
        reverse("wagtailusers_groups:edit", args=(editors.pk,)),
        group_form(editors, add_permissions=[staff]),
    )

    assert response.status_code == 302
    assert editors.permissions.filter(pk=staff.pk).exists()
    assert editors.page_permissions.filter(page=Page.objects.get(depth=1)).count() == 2


def test_superuser_may_give_a_group_any_right(client, superuser):
    editors = group(roles.EDITOR)
    review = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_task")
    client.force_login(superuser)

    response = client.post(
        reverse("wagtailusers_groups:edit", args=(editors.pk,)),
        group_form(editors, add_permissions=[review]),
    )

    assert response.status_code == 302
    assert editors.permissions.filter(pk=review.pk).exists()
