"""Wagtail content: the quality standard, the contact directory and the site's settings."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.blocks import StructValue
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    Orderable,
    Page,
    PageManager,
    PagePermissionTester,
    PageViewRestriction,
    Site,
)
from wagtail.query import PageQuerySet
from wagtail.rich_text import RichText, expand_db_html
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from . import content_cache, moderation
from .blocks import SECTION_FEATURES, BodyBlock, StandardBlock

# Joins a standard's rich texts for one link expansion: NUL is in no stored text (PostgreSQL
# refuses it and Django's form fields reject it) and no rich-text tag can span it.
_SECTION_BREAK = "\x00"


def _rich_text_of(value):
    """The rich text a block holds: its value, or its struct's "text" (None if neither)."""
    if isinstance(value, StructValue):
        value = value.get("text")
    return value if isinstance(value, RichText) else None


def visible_to(pages, request):
    """`pages` less those behind a view restriction (login, groups, password) `request` fails.

    Wagtail checks privacy only when a page is served; listings and search must do it here.
    """
    for restriction in failed_view_restrictions(request):
        pages = pages.not_descendant_of(restriction.page, inclusive=True)
    return pages


def failed_view_restrictions(request):
    """The view restrictions `request` does not pass, read once per request."""
    # Our own memo on the request object (no Django or Wagtail attribute of that name).
    if not hasattr(request, "_failed_view_restrictions"):
        restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
        request._failed_view_restrictions = [
            restriction for restriction in restrictions if not restriction.accept_request(request)
        ]
    return request._failed_view_restrictions


class RoutesThrough:
    """Routes a request for a page further down without loading this page's child in full.

    Wagtail's `Page.route` loads each page on the way in full (two queries a page); a page
    the request only passes through needs no more than its tree fields, which the first
    query has, so it is made specific without a query (`specific_deferred`). The page served
    is loaded in full. Not for a parent whose grandchildren read their parent's own fields
    (a team reads its department's): those would be loaded one field at a time.

    Kept, with StandardIndexPage.route, because Wagtail's own routing misses the public
    standard page's budget (at or below 1.0 x a plain Wagtail page, same run): measured
    with bench/run.py's method on 2,000 cases, it made the page 11 queries instead of 8 and
    1.05 to 1.11 x the plain page (p50) instead of 0.86 to 0.93 x. Both use only Wagtail's
    public routing API (`route`, `get_children`, `specific_deferred`, `child_of`).
    """

    def route(self, request, path_components):
        if len(path_components) < 2:
            return super().route(request, path_components)
        try:
            child = self.get_children().get(slug=path_components[0])
        except Page.DoesNotExist as error:
            raise Http404 from error
        return child.specific_deferred.route(request, path_components[1:])


class StandardsPermissionTester(PagePermissionTester):
    """Wagtail's page permissions, and taking a quality standard down is its final approver's
    decision (pages.moderation). Every admin screen, button and bulk action asks this."""

    @cached_property
    def may_take_down(self):
        return moderation.may_take_down_standards(self.user, page=self.page)

    def can_publish(self):
        # Wagtail's publish action asks this of the revision being published, so the rule
        # holds for every way of publishing: edit view, bulk action, revisions, workflow.
        return super().can_publish() and moderation.may_publish_expiry(self.user, page=self.page)

    def can_unpublish(self):
        return super().can_unpublish() and self.may_take_down

    def can_delete(self, ignore_bulk=False):
        # Wagtail's can_move() is can_delete(ignore_bulk=True): moving is covered too.
        return super().can_delete(ignore_bulk=ignore_bulk) and self.may_take_down

    def can_set_view_restrictions(self):
        return super().can_set_view_restrictions() and self.may_take_down


class GuardsStandards:
    """For the page types that are, or hold, quality standards."""

    def permissions_for_user(self, user):
        return StandardsPermissionTester(user, self)


class HomePage(GuardsStandards, RoutesThrough, Page):
    """The site's front page: the public entrance to standards, contacts and the concern form."""

    intro = RichTextField(_("introduction"), blank=True, features=SECTION_FEATURES)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.StandardIndexPage", "pages.DirectoryPage", "pages.ConcernFormPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = visible_to(self.get_children().live(), request)
        context["standard_index"] = children.type(StandardIndexPage).first()
        context["directory"] = children.type(DirectoryPage).first()
        context["concern_form"] = concern_form_visible_to(request)
        return context


# --- Contact directory ---------------------------------------------------------------------


def contact_panel(*more):
    """The editor's panel of the public contact details (ContactFields), with `more`
    panels after them."""
    return MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldPanel("secure_email"),
            FieldPanel("address"),
            *more,
        ],
        heading=_("Public contact details"),
    )


class ContactFields(models.Model):
    """Public contact details shared by departments, teams and partners."""

    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    secure_email = models.EmailField(
        _("secure e-mail"),
        blank=True,
        help_text=_("Digital Post / secure mailbox for sensitive information."),
    )
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("For example: Mon-Thu 7-19, Fri 7-15.")
    )

    contact_panels = [contact_panel(FieldPanel("opening_hours"))]
    contact_search_fields = [
        index.SearchField("phone"),
        index.SearchField("email"),
        index.SearchField("address"),
    ]

    class Meta:
        abstract = True


class DirectoryPage(Page):
    """The contact directory: departments with their teams, and external partners."""

    intro = RichTextField(_("introduction"), blank=True, features=SECTION_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.DepartmentPage", "pages.PartnerPage"]

    class Meta:
        verbose_name = _("contact directory")
        verbose_name_plural = _("contact directories")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["departments"] = visible_to(
            DepartmentPage.objects.child_of(self).live().order_by("title"), request
        )
        context["partners"] = visible_to(
            PartnerPage.objects.child_of(self).live().order_by("title"), request
        )
        context["concern_form"] = concern_form_visible_to(request)
        return context


class DepartmentPage(ContactFields, Page):
    """A department (forvaltning/afdeling) of the municipality."""

    description = RichTextField(_("description"), blank=True, features=SECTION_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        *ContactFields.contact_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        *ContactFields.contact_search_fields,
    ]

    parent_page_types = ["pages.DirectoryPage"]
    subpage_types = ["pages.TeamPage"]

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["teams"] = visible_to(
            TeamPage.objects.child_of(self).live().order_by("title"), request
        )
        return context


class TeamQuerySet(PageQuerySet):
    def for_user(self, user):
        """Teams the user is a member of, through their directory entry."""
        if not user.is_authenticated:
            return self.none()
        # A subquery, not a join: no DISTINCT over the pages' many columns.
        return self.filter(
            pk__in=StaffMember.teams.through.objects.filter(staffmember__user=user).values(
                "teampage_id"
            )
        )


class TeamPageManager(PageManager.from_queryset(TeamQuerySet)):
    pass


class TeamPage(ContactFields, Page):
    """A team: a directory entry and the owner of a task queue in the referral process."""

    description = RichTextField(_("description"), blank=True, features=SECTION_FEATURES)
    internal_notes = RichTextField(
        _("internal information"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Shown to logged-in staff only, never on the public page."),
    )
    notification_email = models.EmailField(
        _("notification mailbox"),
        blank=True,
        help_text=_(
            "Internal mailbox told about new tasks in the team's queue. "
            "Notifications contain a link, never personal data."
        ),
    )
    # A team's hours are rows (TeamOpeningHours); the text is what the rows cannot say.
    opening_hours = models.TextField(
        _("note on opening hours"),
        blank=True,
        help_text=_(
            "Shown below the opening hours, for example: Evenings and weekends only by "
            "appointment. Closed on public holidays."
        ),
    )
    capacity_min = models.PositiveSmallIntegerField(
        _("capacity from (citizens)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The number of citizens the team supports at a time; for a range, the lowest."),
    )
    capacity_max = models.PositiveSmallIntegerField(
        _("capacity up to (citizens)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For a range, the highest. Enter the same number in both for one number."),
    )

    objects = TeamPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        # The hours are rows here, and the text field only a note below them.
        contact_panel(),
        InlinePanel("hours", heading=_("Opening hours"), label=_("Opening hours")),
        FieldPanel("opening_hours"),
        FieldRowPanel(
            [FieldPanel("capacity_min"), FieldPanel("capacity_max")], heading=_("Capacity")
        ),
        MultiFieldPanel(
            [FieldPanel("internal_notes"), FieldPanel("notification_email")],
            heading=_("Internal"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        *ContactFields.contact_search_fields,
    ]

    parent_page_types = ["pages.DepartmentPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def clean(self):
        super().clean()
        low, high = self.capacity_min, self.capacity_max
        if low is not None and high is not None and high < low:
            raise ValidationError(
                {"capacity_max": _("The highest number must not be lower than the lowest.")}
            )

    @property
    def department(self):
        return self.get_parent().specific

    @property
    def is_outreach(self):
        """An outreach team delivers a published § 99 standard (support and contact person):
        the teams the public concern form is meant for."""
        return (
            StandardPage.objects.live()
            .filter(delivering_teams=self, legal_basis_section=LegalBasis.SECTION_99)
            .exists()
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["department"] = self.get_parent().specific
        context["standards"] = visible_to(
            StandardPage.objects.live().filter(delivering_teams=self).order_by("title"), request
        )
        context["contact_persons"] = self.members.filter(is_public=True).order_by("name")
        if request.user.is_authenticated:
            context["staff"] = self.members.order_by("name")
        if self.is_outreach:
            context["concern_form"] = concern_form_visible_to(request)
        return context


class TeamOpeningHours(Orderable):
    """When a team can be reached: one weekday or a run of weekdays, from one time to another."""

    team = ParentalKey(TeamPage, on_delete=models.CASCADE, related_name="hours")
    first_day = models.PositiveSmallIntegerField(_("from weekday"), choices=WEEKDAYS.items())
    last_day = models.PositiveSmallIntegerField(
        _("to weekday"),
        choices=WEEKDAYS.items(),
        null=True,
        blank=True,
        help_text=_("Leave empty for one day."),
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    panels = [
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def clean(self):
        super().clean()
        errors = {}
        if None not in (self.first_day, self.last_day) and self.last_day < self.first_day:
            errors["last_day"] = _("The last weekday cannot come before the first.")
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            errors["closes"] = _("The closing time must be later than the opening time.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_one_day(self):
        return self.last_day is None or self.last_day == self.first_day


class PartnerKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency services")
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health services and psychiatry")
    ADDICTION = "addiction", _("Addiction treatment")
    SHELTER = "shelter", _("Shelter or drop-in centre")
    HOUSING = "housing", _("Housing")
    AUTHORITY = "authority", _("Municipal authority")
    MUNICIPALITY = "municipality", _("Other municipality")
    OTHER = "other", _("Other")


class PartnerPage(ContactFields, Page):
    """An external partner the team works with or refers people to."""

    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    description = RichTextField(_("description"), blank=True, features=SECTION_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("description"),
        *ContactFields.contact_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.FilterField("kind"),
        *ContactFields.contact_search_fields,
    ]

    parent_page_types = ["pages.DirectoryPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")


class StaffMemberQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class StaffMember(index.Indexed, ClusterableModel):
    """A person in the directory; linked to a user account, it makes that user a team member."""

    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    teams = ParentalManyToManyField(
        TeamPage,
        related_name="members",
        blank=True,
        verbose_name=_("teams"),
        help_text=_("Membership gives access to the team's task queue and cases."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("user account"),
    )
    work_phone = models.CharField(_("work phone"), max_length=40, blank=True)
    mobile = models.CharField(
        _("mobile (internal)"),
        max_length=40,
        blank=True,
        help_text=_("Internal: shown to logged-in staff only."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_public = models.BooleanField(
        _("shown publicly"),
        default=False,
        help_text=_(
            "Shows the name, job title, work phone and e-mail on the team's public page and "
            "on the quality standards that name this person as a contact. The mobile is "
            "never shown publicly. Staff are private unless this is ticked."
        ),
    )

    objects = StaffMemberQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("job_title"),
        FieldPanel("teams"),
        FieldPanel("user"),
        FieldRowPanel([FieldPanel("work_phone"), FieldPanel("mobile")]),
        FieldPanel("email"),
        FieldPanel("is_public"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("job_title"),
        index.SearchField("email"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.name


# --- Quality standards ---------------------------------------------------------------------


class StandardIndexPage(GuardsStandards, Page):
    """Lists the municipality's quality standards."""

    intro = RichTextField(_("introduction"), blank=True, features=SECTION_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.StandardPage"]

    class Meta:
        verbose_name = _("list of quality standards")
        verbose_name_plural = _("lists of quality standards")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["standards"] = visible_to(
            StandardPage.objects.child_of(self).live().order_by("title"), request
        )
        return context

    def route(self, request, path_components):
        # Its children are standards: load the one asked for in one query, not two (the
        # budget this keeps: RoutesThrough). Its departments are read by the content kept
        # rendered (pages/content_cache.py), so only when that is rendered afresh.
        if len(path_components) == 1:
            try:  # get(), not first(): slugs are unique among siblings, and no ORDER BY to build
                child = StandardPage.objects.child_of(self).get(slug=path_components[0])
            except StandardPage.DoesNotExist:
                pass
            else:
                return child.route(request, [])
        return super().route(request, path_components)


class StandardQuerySet(PageQuerySet):
    def due_for_review(self, *, within_days=30, today=None):
        """Standards whose next review date has passed or falls within `within_days` days."""
        today = today or timezone.localdate()
        return self.filter(next_review_date__lte=today + timedelta(days=within_days))


class StandardPageManager(PageManager.from_queryset(StandardQuerySet)):
    pass


class RedirectReason(models.TextChoices):
    """Why a referral falls outside the scheme, and so where triage sends it."""

    ACUTE = "acute", _("Acute danger: emergency services")
    UNDER_AGE = "under_age", _("Under the age range: family department")
    OVER_AGE = "over_age", _("Over the age range: elderly care")
    SUBSTANCE_ABUSE = "substance_abuse", _("Mainly substance abuse: addiction service")
    LONG_TERM_SUPPORT = "long_term_support", _("Long-term support (§ 85): the authority")
    OTHER_MUNICIPALITY = "other_municipality", _("Lives in another municipality")
    # The standard's own reasons: named by the editor in its words (StandardRedirect.reason_text).
    OTHER = "other", _("Another reason, in the standard's own words")


def redirect_key(reason: str, reason_text: str = "") -> str:
    """What tells redirect reasons apart: a built-in reason's value, or for a reason the
    standard names itself, its words (rows with the same key are one reason with several
    destinations)."""
    return f"{reason}:{reason_text.strip()}" if reason == RedirectReason.OTHER else reason


def split_redirect_key(key: str) -> tuple[str, str]:
    """The reason and the standard's own words a `redirect_key` was made of."""
    reason, _sep, text = key.partition(":")
    return reason, text


def redirect_label(reason: str, reason_text: str = "") -> str:
    """How a redirect reason reads: the standard's own words, or the built-in label."""
    if reason == RedirectReason.OTHER:
        return reason_text.strip()
    return str(RedirectReason(reason).label) if reason in RedirectReason.values else reason


class FirstContactRule(models.TextChoices):
    """What a standard promises about the first outreach after a referral (pages/rules.py
    turns it into a deadline)."""

    NONE = "none", _("None stated")
    CALENDAR_DAYS = "calendar_days", _("Within a number of days")
    WORKING_DAYS = "working_days", _("Within a number of working days")
    HOURS = "hours", _("Within a number of hours")
    SAME_DAY = "same_day", _("The same day")
    AS_SOON_AS_POSSIBLE = "asap", _("As soon as possible")


class ReassessmentRule(models.TextChoices):
    """When a standard has the support reassessed (pages/rules.py sets the date)."""

    NONE = "none", _("No fixed reassessment")
    ONCE = "once", _("Once, after a number of months")
    EVERY = "every", _("Every number of months")
    ABOUT = "about", _("After about a number of months (a reminder, not a deadline)")


class LegalBasis(models.TextChoices):
    """The section of the Social Services Act (serviceloven) a standard, and so a case,
    rests on: one team may deliver a standard for each, and a case follows only its own."""

    SECTION_99 = "99", _("§ 99: support and contact person")
    SECTION_85 = "85", _("§ 85: socio-pedagogical support")


class StandardPage(GuardsStandards, Page):
    """A quality standard (kvalitetsstandard) whose numbers drive the referral process."""

    responsible_departments = ParentalManyToManyField(
        DepartmentPage,
        blank=True,
        related_name="+",
        verbose_name=_("responsible departments"),
        help_text=_("One or more: a cross-departmental standard names each department."),
    )
    legal_basis_section = models.CharField(
        _("section of the Social Services Act"),
        max_length=10,
        choices=LegalBasis.choices,
        # Every standard before the choice existed was an SKP standard: a revision saved
        # then (without this field) reads as § 99.
        default=LegalBasis.SECTION_99,
        help_text=_(
            "The section the support is given under. A referral is triaged by the team's "
            "standard for the section chosen at intake or triage."
        ),
    )
    body = StreamField(
        StandardBlock(),
        verbose_name=_("text of the standard"),
        blank=True,
        help_text=_(
            "The standard's sections in the document's order. Choose a usual section (target "
            "group, purpose, complaints…) to give it its usual heading, or write your own."
        ),
    )

    delivering_teams = ParentalManyToManyField(
        TeamPage,
        blank=True,
        related_name="standards",
        verbose_name=_("delivering teams"),
        help_text=_(
            "The teams that deliver the support. Their contact details are shown on the "
            "standard, and new referrals are triaged in their queues."
        ),
    )

    first_contact_rule = models.CharField(
        _("first contact"),
        max_length=20,
        choices=FirstContactRule.choices,
        # The default is what every standard meant before the rule had kinds: a revision
        # saved then (without this field) reads as "within N days".
        default=FirstContactRule.CALENDAR_DAYS,
        help_text=_(
            "What the standard promises about the first outreach after a referral. "
            'Choose "none stated" if it promises nothing: no deadline is then set.'
        ),
    )
    first_contact_deadline_days = models.PositiveSmallIntegerField(
        _("first contact within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Only for days or working days: the number the standard gives."),
    )
    first_contact_deadline_hours = models.PositiveSmallIntegerField(
        _("first contact within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Only for hours: the number the standard gives."),
    )
    reassessment_rule = models.CharField(
        _("reassessment"),
        max_length=10,
        choices=ReassessmentRule.choices,
        # What every standard with a number meant before the rule had kinds: a revision
        # saved then (without this field) reads as "every N months" (or none, without one).
        default=ReassessmentRule.EVERY,
        help_text=_(
            '"Once" is not repeated when the support continues; "about" opens the '
            "reassessment as a reminder, never counted as overdue."
        ),
    )
    reassessment_interval_months = models.PositiveSmallIntegerField(
        _("reassessment after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The number of months the standard gives; empty for no fixed reassessment."),
    )
    case_handling_deadline_days = models.PositiveSmallIntegerField(
        _("decided within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "The case-handling deadline, if the standard gives one: days from the referral "
            "until it is decided whether the support is given (6 weeks: 42). Separate from "
            "the first contact; leave empty if the standard gives none."
        ),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Leave empty for no lower age limit."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Leave empty for no upper age limit."),
    )

    approval_body = models.CharField(
        _("approved by"),
        max_length=200,
        blank=True,
        help_text=_("The political committee or council that approves the standard."),
    )
    approval_date = models.DateField(
        _("approval date"),
        null=True,
        blank=True,
        help_text=_(
            "The date the council or committee approved the standard, as in its decision. "
            "The reviewers approve it with the rest; the publication date is kept apart."
        ),
    )
    next_review_date = models.DateField(
        _("next review"),
        null=True,
        blank=True,
        help_text=_(
            "Editors are reminded from 30 days before this date, and until it is reviewed."
        ),
    )

    objects = StandardPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("responsible_departments"),
                FieldPanel("delivering_teams"),
                FieldPanel("legal_basis_section"),
                FieldPanel("approval_body"),
                FieldRowPanel([FieldPanel("approval_date"), FieldPanel("next_review_date")]),
            ],
            heading=_("Responsibility and approval"),
        ),
        InlinePanel(
            "contact_persons",
            heading=_("Contact persons"),
            label=_("Contact person"),
            help_text=_(
                "Shown on the public standard only if the staff directory marks the person "
                '"shown publicly".'
            ),
        ),
        MultiFieldPanel(
            [
                FieldPanel("first_contact_rule"),
                FieldRowPanel(
                    [
                        FieldPanel("first_contact_deadline_days"),
                        FieldPanel("first_contact_deadline_hours"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("reassessment_rule"), FieldPanel("reassessment_interval_months")]
                ),
                FieldPanel("case_handling_deadline_days"),
                FieldRowPanel([FieldPanel("min_age"), FieldPanel("max_age")]),
            ],
            heading=_("Rules the referral process follows"),
        ),
        InlinePanel(
            "redirects",
            heading=_("Where referrals outside the scheme are sent"),
            label=_("Redirect destination"),
            help_text=_(
                "One row per destination. Give two rows the same reason to send such "
                'referrals to both (e.g. police and doctor); choose "another reason" for a '
                "reason the standard names beyond the built-in ones."
            ),
        ),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.FilterField("next_review_date"),
    ]

    parent_page_types = ["pages.StandardIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quality standard")
        verbose_name_plural = _("quality standards")

    def clean(self):
        super().clean()
        errors = {}
        if self.max_age is not None and self.min_age is not None and self.max_age < self.min_age:
            errors["max_age"] = _("The maximum age must not be lower than the minimum age.")
        errors.update(self._first_contact_errors())
        months = self.reassessment_interval_months
        if self.reassessment_rule == ReassessmentRule.NONE and months is not None:
            errors["reassessment_interval_months"] = _(
                "Leave this empty: the standard sets no fixed reassessment."
            )
        elif self.reassessment_rule != ReassessmentRule.NONE and months is None:
            errors["reassessment_interval_months"] = _(
                "Enter the number of months the standard gives."
            )
        if self.approval_date is not None and self.approval_date > timezone.localdate():
            errors["approval_date"] = _("The approval date cannot be later than today.")
        if errors:
            raise ValidationError(errors)

    def _first_contact_errors(self):
        """The number each first-contact rule needs, and none it does not: a number left
        over from another choice would otherwise look like a promise the standard makes."""
        errors = {}
        for name, unit_rules in [
            (
                "first_contact_deadline_days",
                (FirstContactRule.CALENDAR_DAYS, FirstContactRule.WORKING_DAYS),
            ),
            ("first_contact_deadline_hours", (FirstContactRule.HOURS,)),
        ]:
            value = getattr(self, name)
            if self.first_contact_rule in unit_rules and value is None:
                errors[name] = _("Enter the number the standard gives for this rule.")
            elif self.first_contact_rule not in unit_rules and value is not None:
                errors[name] = _(
                    "Leave this empty: the first-contact rule chosen does not count in this unit."
                )
        return errors

    @property
    def case_handling_deadline_weeks(self):
        """The case-handling deadline in whole weeks, as standards usually state it (None
        when it is not a whole number of weeks)."""
        days = self.case_handling_deadline_days
        return days // 7 if days and days % 7 == 0 else None

    def get_context(self, request, *args, **kwargs):
        """The page's context; its public content is kept rendered by the template
        (pages/content_cache.py), so what only that content shows is read lazily: the
        template calls `delivering_teams` and `redirect_groups` only when it renders it afresh."""
        context = super().get_context(request, *args, **kwargs)
        # A preview (or a request Wagtail did not serve) shows unsaved choices: never kept.
        context["keep_content"] = not getattr(request, "is_preview", True)
        if context["keep_content"]:
            context["content_generation"] = content_cache.current_generation()
            context["site_pk"] = getattr(Site.find_for_request(request), "pk", None)
            context["failed_restrictions"] = ",".join(
                str(restriction.pk) for restriction in failed_view_restrictions(request)
            )
        context["delivering_teams"] = partial(self.delivering_teams_visible_to, request)
        context["redirect_groups"] = self.redirect_groups
        context["responsible_departments"] = self.responsible_departments_by_title
        context["contact_persons"] = self.public_contact_persons
        # Read on every request, outside the kept content: unpublishing the form hides it at once.
        if self.legal_basis_section == LegalBasis.SECTION_99:
            context["concern_form"] = concern_form_visible_to(request)
        return context

    def responsible_departments_by_title(self):
        """The responsible departments, by title (a preview's unsaved choices are in memory)."""
        return self.responsible_departments.order_by("title")

    def public_contact_persons(self):
        """The contact persons the staff directory marks public, in the editor's order.

        Read with their directory entries in one query; a preview's rows are in memory."""
        rows = self.contact_persons.select_related("person").order_by("sort_order", "pk")
        return [row.person for row in rows if row.person_id and row.person.is_public]

    def delivering_teams_visible_to(self, request):
        """The delivering teams `request` may see, read through the page's own relations, so
        a preview shows its unsaved choices."""
        chosen = self.delivering_teams.all()
        if isinstance(chosen, models.QuerySet):  # as saved: joined in the teams' query
            teams = TeamPage.objects.filter(standards=self)
        else:  # a preview's choices, held in memory
            teams = TeamPage.objects.filter(pk__in=[team.pk for team in chosen])
        teams = teams.live().order_by("title").prefetch_related("hours")
        return visible_to(teams, request)

    def redirect_groups(self):
        """The redirect reasons with their destinations, read in one query (a preview's
        unsaved redirects are in memory); `pk` orders those without a sort order (made
        outside the editor) as they were made."""
        redirects = self.redirects.select_related("destination").order_by("sort_order", "pk")
        return group_redirects(redirect for redirect in redirects if redirect.destination_id)

    def expanded_body(self):
        """The blocks of `body` in order, each with its rich text as the |richtext filter
        renders it (links resolved), or None for a block without rich text.

        The texts are expanded together, so the pages and documents they link to are looked
        up once for the whole standard (as for one rich-text field), not once per block;
        each is then rendered by Wagtail's own rich-text template, as the filter does.
        """
        blocks = list(self.body)
        texts = [_rich_text_of(block.value) for block in blocks]
        sources = [text.source for text in texts if text is not None]
        expanded = expand_db_html(_SECTION_BREAK.join(sources)).split(_SECTION_BREAK)
        if len(expanded) != len(sources) or any(_SECTION_BREAK in text for text in sources):
            expanded = [expand_db_html(text) for text in sources]  # cannot happen with clean HTML
        rendered = iter(
            render_to_string("wagtailcore/shared/richtext.html", {"html": html})
            for html in expanded
        )
        return [
            (block, None if text is None else next(rendered))
            for block, text in zip(blocks, texts, strict=True)
        ]

    @property
    def sections(self):
        """(heading, rich text as stored) of every section with text, in the editor's order."""
        return [
            (block.value.heading_text, block.value["text"].source)
            for block in self.body
            if block.block_type == "section" and block.value["text"]
        ]

    @property
    def is_due_for_review(self):
        return self.next_review_date is not None and self.next_review_date <= timezone.localdate()


class StandardContactPerson(Orderable):
    """A person a standard names as its contact; shown publicly only if their entry says so."""

    standard = ParentalKey(StandardPage, on_delete=models.CASCADE, related_name="contact_persons")
    # Deleting a directory entry takes the person off the standard (and off its revisions:
    # modelcluster drops a row whose cascading key is gone).
    person = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("From the staff directory."),
    )

    panels = [FieldPanel("person")]

    class Meta(Orderable.Meta):
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "person"], name="unique_contact_person_per_standard"
            )
        ]


class StandardRedirect(Orderable):
    """One destination triage sends a referral to when it falls outside the scheme for a
    reason. Rows with the same reason are one reason with several destinations (e.g. police
    and doctor); a reason outside the built-in ones is named in the standard's own words."""

    standard = ParentalKey(StandardPage, on_delete=models.CASCADE, related_name="redirects")
    reason = models.CharField(_("reason"), max_length=30, choices=RedirectReason.choices)
    reason_text = models.CharField(
        _("the standard's own reason"),
        max_length=120,
        blank=True,
        help_text=_(
            'Only for "another reason": the reason as the standard words it. Rows with the '
            "same reason send the referral to each of their destinations."
        ),
    )
    destination = models.ForeignKey(
        Page,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destination"),
        help_text=_("A team or partner in the contact directory."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("reason"), FieldPanel("reason_text")]),
        PageChooserPanel("destination", ["pages.TeamPage", "pages.PartnerPage"]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("redirect destination")
        verbose_name_plural = _("redirect destinations")

    def clean(self):
        super().clean()
        self.reason_text = self.reason_text.strip()
        if self.reason == RedirectReason.OTHER and not self.reason_text:
            raise ValidationError({"reason_text": _("Write the reason as the standard words it.")})
        if self.reason != RedirectReason.OTHER and self.reason_text:
            raise ValidationError(
                {
                    "reason_text": _(
                        'Leave this empty, or choose "another reason" to use your own words.'
                    )
                }
            )

    @property
    def key(self):
        return redirect_key(self.reason, self.reason_text)

    @property
    def label(self):
        return redirect_label(self.reason, self.reason_text)


@dataclass(frozen=True)
class RedirectGroup:
    """A redirect reason with every destination the standard names for it, in its order."""

    key: str
    label: str
    redirects: tuple  # the StandardRedirect rows: destination and note each

    @property
    def destinations(self):
        return [redirect.destination for redirect in self.redirects]


def group_redirects(redirects) -> list[RedirectGroup]:
    """Redirect rows grouped by reason, in the order each reason first appears."""
    groups = {}
    for redirect in redirects:
        groups.setdefault(redirect.key, []).append(redirect)
    return [
        RedirectGroup(key=key, label=rows[0].label, redirects=tuple(rows))
        for key, rows in groups.items()
    ]


# --- Site settings -------------------------------------------------------------------------


@register_setting(icon="warning")
class EmergencyNumbers(BaseSiteSetting):
    """Emergency numbers shown wherever a referral is taken in."""

    emergency = models.CharField(_("emergency (ambulance, fire)"), max_length=20, default="112")
    police = models.CharField(_("police"), max_length=20, default="114")
    medical_helpline = models.CharField(_("medical helpline"), max_length=20, default="1813")
    notice = models.TextField(
        _("notice"),
        default=(
            "Ved akut fare for liv eller helbred: ring 112. Politiet: 114. "
            "Akuttelefonen (Region Hovedstaden): 1813. Ordningen med støtte- og "
            "kontaktperson er ikke et akuttilbud."
        ),
        help_text=_("Shown above every intake form."),
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("emergency"), FieldPanel("police"), FieldPanel("medical_helpline")]
        ),
        FieldPanel("notice"),
    ]

    class Meta:
        verbose_name = _("emergency numbers")


# --- Public concern form -------------------------------------------------------------------


class ConcernFormPage(Page):
    """The public concern form ("Bekymret for en borger?"): anyone may refer a person.

    The page holds the content: its texts, and the standard whose teams receive the concerns.
    The form, its limits and the receipt are the public intake's (workflows.public_intake),
    which serves this page.
    """

    intro = RichTextField(_("introduction"), blank=True, features=SECTION_FEATURES)
    thank_you_text = RichTextField(
        _("thank-you text"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Shown with the receipt number after a referral has been sent."),
    )
    standard = models.ForeignKey(
        StandardPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality standard"),
        help_text=_(
            "Referrals go to the teams that deliver this standard; with several, the citizen "
            "chooses the area. Leave empty to use the most recently published standard."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("thank_you_text"),
        PageChooserPanel("standard", "pages.StandardPage"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = []
    max_count = 1

    template = "pages/concern_form_page.html"
    # Shown after a concern is sent, as Wagtail's form pages have a landing page template.
    receipt_template = "pages/concern_form_receipt.html"

    class Meta:
        verbose_name = _("concern form")
        verbose_name_plural = _("concern forms")

    def receiving_teams(self):
        """The live teams that deliver the form's standard (or the newest live standard).

        With no standard in force, or one no live team delivers, a concern is still taken:
        by the teams that deliver any standard, published or not (the outreach teams), or
        failing those by every live team. It then has no deadline (`referral_register`).
        """
        teams = TeamPage.objects.live().order_by("title")
        standard = self.standard if self.standard_id and self.standard.live else None
        if standard is None:
            standard = StandardPage.objects.live().order_by("-first_published_at", "-pk").first()
        # Tested by truth, not .exists(): the answer is then read in the same query.
        if standard is not None and (delivering := teams.filter(standards=standard)):
            return delivering
        outreach = teams.filter(pk__in=StandardPage.objects.values("delivering_teams"))
        return outreach or teams


def concern_form_visible_to(request):
    """The site's live concern form if `request` may see it, else None.

    What links to the form (templates/includes/concern_call_to_action.html) shows nothing
    without it: never a link to a form that is missing, unpublished or closed to the visitor.
    """
    # One home page with at most one form (`max_count`): the tree holds at most one.
    return visible_to(ConcernFormPage.objects.live(), request).first()
