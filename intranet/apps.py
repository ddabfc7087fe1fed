from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


def last_app_with_models():
    """The app whose post_migrate comes last: permissions of later apps do not exist until
    their turn, so set-up data that names them is made once, after it."""
    return [config for config in apps.get_app_configs() if config.models_module][-1]


def _sync_roles(sender, using, **kwargs):
    # post_migrate is sent once per app; sync once, after the last one.
    if sender is not last_app_with_models():
        return
    from .roles import sync_roles

    ensure_page_tree_root(using=using)
    sync_roles(using=using)


# The title Wagtail's migrations give the root page; ours is in the site's language.
WAGTAIL_ROOT_TITLE = "Root"


def ensure_page_tree_root(using="default"):
    """Wagtail's tree root, titled in the site's language, and the default locale.

    Wagtail's migrations create the root once, titled "Root", which editors see in the
    explorer's breadcrumbs and the page chooser: it is renamed here (a title an
    administrator chose is kept). A flush (the test runner's, between transactional tests)
    empties every table and then sends post_migrate; this puts back what the migrations
    made, so the roles' page permissions and the approval workflow have a root to hang on.
    """
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation
    from wagtail.models import Locale, Page

    with translation.override(settings.LANGUAGE_CODE):
        title = str(_("Root"))
    root = Page.objects.using(using).filter(depth=1).first()
    if root is None:
        ContentType.objects.clear_cache()  # a flush gave the content types new ids
        Locale.objects.using(using).get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title=title, slug="root"))
    elif root.title == WAGTAIL_ROOT_TITLE != title:
        Page.objects.using(using).filter(pk=root.pk).update(title=title, draft_title=title)


class IntranetConfig(AppConfig):
    name = "intranet"
    verbose_name = _("Intranet")

    def ready(self):
        # Roles are set-up data: after every migrate (and test-database flush) the groups
        # and their permissions are brought in line with roles.py (and then the approval
        # workflow, by the pages app, which needs the groups: its ready() runs after this).
        post_migrate.connect(_sync_roles, dispatch_uid="intranet_sync_roles")


class StaticFilesConfig(BaseStaticFilesConfig):
    # viewflow ships a copy of roboto-fontface's CSS whose font files are missing; the
    # manifest storage refuses such CSS. We do not use viewflow's frontend or its fonts.
    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "viewflow/fonts/roboto/node_modules/*",
    ]


class UsersConfig(WagtailUsersAppConfig):
    """Wagtail's user and group screens with our rule: no one grants rights they lack."""

    user_viewset = "intranet.user_admin.UserViewSet"
    group_viewset = "intranet.user_admin.GroupViewSet"


class AdminConfig(BaseAdminConfig):
    """Django's admin on a site that lets superusers in only (intranet.admin_site)."""

    default_site = "intranet.admin_site.SuperuserAdminSite"
