"""Cross-cutting records: the access log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CHANGE = "change", _("Changed")
    CREATE = "create", _("Created")
    EXPORT = "export", _("Exported")
    SEARCH_OPEN = "search_open", _("Opened from search")
    EMERGENCY = "emergency", _("Emergency access")


class AccessLogQuerySet(models.QuerySet):
    def about_person(self, person_id):
        return self.filter(person_id=person_id).order_by("-at")

    def by_user(self, user):
        return self.filter(user=user).order_by("-at")


class AccessLogEntry(models.Model):
    """One read or change of a person or case. Append-only (on PostgreSQL a trigger enforces it).

    Person and case are plain ids, not foreign keys: the log must outlive anonymisation
    and deletion of what it points at.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_log_entries",
        verbose_name=_("user"),
    )
    username = models.CharField(
        _("user name at the time"),
        max_length=150,
        blank=True,
        default="",
        help_text=_(
            "The account's user name when the entry was written. On PostgreSQL the database "
            "fills it in, whatever the application sends, so renaming the account later "
            "cannot change whose entry it reads as. Empty on entries written before it was "
            "recorded."
        ),
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    what = models.CharField(_("what"), max_length=200)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True, db_index=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    search_term = models.CharField(_("search term"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        permissions = [("review_access_log", _("Can review the access log"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.what}"


class SubmissionToken(models.Model):
    """A form submission that has been carried out, so the same one is never done twice.

    Each rendered form carries a fresh token (`intranet.submissions.OnceOnlyFormMixin`); the
    primary key makes a second submit with the same token (a double click, a resend after a
    lost answer, two tabs) fail at the database, even when both arrive at the same moment.
    """

    token = models.UUIDField(_("token"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for the public concern form, which anyone may send."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # The public concern form keeps its receipt number here: its result has no address.
    result_url = models.CharField(_("result address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return str(self.token)
