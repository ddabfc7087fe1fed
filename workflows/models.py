"""Business records of the referral process: person, case, referral, contacts, goals, consent."""

import datetime
import re
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from viewflow.workflow.models import Process
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from intranet.roles import CASEWORK_PERMISSION, RECEIVING_PERMISSION
from pages.models import (
    LegalBasis,
    PartnerPage,
    RedirectReason,
    StaffMember,
    TeamPage,
    redirect_label,
)

# --- Choices ------------------------------------------------------------------------------


class Stage(models.TextChoices):
    """Where a case is in the process; kept by the services, shown to staff and leaders."""

    INTAKE = "intake", _("Intake")
    TRIAGE = "triage", _("Triage")
    OUTREACH = "outreach", _("Outreach")
    SUPPORT = "support", _("Support")
    REASSESSMENT = "reassessment", _("Reassessment")
    HANDOVER = "handover", _("Handover")
    CLOSED = "closed", _("Closed")


# Every stage but closed, named rather than "not closed" so the stage index can find the
# few open cases among many closed ones.
OPEN_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]


class Outcome(models.TextChoices):
    HANDED_OVER = "handed_over", _("Handed over to an established service")
    GOAL_REACHED = "goal_reached", _("Goal reached")
    DECLINED = "declined", _("The citizen declined")
    WITHDREW = "withdrew", _("The citizen withdrew")
    NO_CONTACT = "no_contact", _("No contact could be made")
    MOVED = "moved", _("Moved away")
    DIED = "died", _("Died")
    REDIRECTED = "redirected", _("Redirected at triage")
    OUTSIDE_TARGET_GROUP = "outside_target_group", _("Outside the target group")
    MERGED = "merged", _("Merged into another case")


# Outcomes a worker may choose when closing; the others are set by triage or handover.
WORKER_OUTCOMES = [
    Outcome.GOAL_REACHED,
    Outcome.DECLINED,
    Outcome.WITHDREW,
    Outcome.NO_CONTACT,
    Outcome.MOVED,
    Outcome.DIED,
]


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_29 = "18_29", _("18-29")
    AGE_30_39 = "30_39", _("30-39")
    AGE_40_49 = "40_49", _("40-49")
    AGE_50_59 = "50_59", _("50-59")
    AGE_60_65 = "60_65", _("60-65")
    OVER_65 = "over_65", _("Over 65")
    UNKNOWN = "unknown", _("Unknown")


class IncomeSource(models.TextChoices):
    CASH_BENEFIT = "cash_benefit", _("Cash benefit")
    EARLY_RETIREMENT = "early_retirement", _("Early-retirement pension")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sickness benefit")
    SELF_SUPPORTING = "self_supporting", _("Self-supporting")
    UNKNOWN = "unknown", _("Unknown")
    NONE = "none", _("None")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married or cohabiting")
    DIVORCED = "divorced", _("Divorced or separated")
    WIDOWED = "widowed", _("Widowed")
    UNKNOWN = "unknown", _("Unknown")


class LivingAlone(models.TextChoices):
    YES = "yes", _("Lives alone")
    NO = "no", _("Lives with others")
    UNKNOWN = "unknown", _("Unknown")


class Housing(models.TextChoices):
    """The national homelessness categories, plus own home and unknown."""

    SLEEPING_ROUGH = "sleeping_rough", _("Sleeping rough")
    NIGHT_SHELTER = "night_shelter", _("Night shelter")
    SHELTER = "shelter", _("Shelter or hostel (§ 110)")
    HOTEL = "hotel", _("Hotel or hostel because of homelessness")
    FAMILY_FRIENDS = "family_friends", _("Temporarily with family or friends, no contract")
    TRANSITIONAL = "transitional", _("Transitional housing without a permanent contract")
    PRISON_RELEASE = "prison_release", _("Release from prison within a month, no housing")
    HOSPITAL_RELEASE = (
        "hospital_release",
        _("Release from hospital or treatment within a month, no housing"),
    )
    OWN_HOME = "own_home", _("Has own home")
    UNKNOWN = "unknown", _("Unknown")


HOMELESS = [h for h in Housing if h not in (Housing.OWN_HOME, Housing.UNKNOWN)]


class MainProblem(models.TextChoices):
    SUBSTANCE_ABUSE = "substance_abuse", _("Substance abuse")
    MENTAL_ILLNESS = "mental_illness", _("Mental illness")
    BOTH = "both", _("Both (dual diagnosis)")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not yet known")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SECURE_MAIL = "secure_mail", _("Secure mail")
    LETTER = "letter", _("Letter")
    WEB_FORM = "web_form", _("Web form")


class ConcernCategory(models.TextChoices):
    HOMELESSNESS = "homelessness", _("Homelessness or risk of losing the home")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_ABUSE = "substance_abuse", _("Drugs or alcohol")
    ISOLATION = "isolation", _("Social isolation")
    HEALTH = "health", _("Physical health, self-neglect")
    FINANCES = "finances", _("Finances, debt, income")
    CONFLICT = "conflict", _("Conflicts with neighbours or surroundings")
    OTHER = "other", _("Other")


class EmergencyCall(models.TextChoices):
    NOT_CALLED = "not_called", _("No, neither 112 nor 114 was called")
    CALLED_112 = "112", _("Yes, 112 was called")
    CALLED_114 = "114", _("Yes, 114 (police) was called")
    UNKNOWN = "unknown", _("Unknown")


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    PUBLIC_SPACE = "public_space", _("Public space")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    PARTNER_MEETING = "partner_meeting", _("Meeting with partner")
    OTHER = "other", _("Other")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    REACHED = "reached", _("Reached")
    PARTLY = "partly", _("Partly reached")
    DROPPED = "dropped", _("Dropped")


class GoalArea(models.TextChoices):
    PSYCHIATRY = "psychiatry", _("Start psychiatric treatment")
    ADDICTION = "addiction", _("Start addiction treatment")
    HEALTH = "health", _("Contact with the health system")
    HOUSING = "housing", _("Get or keep a home")
    INCOME = "income", _("Contact with the job centre, secure an income")
    NETWORK = "network", _("Avoid social isolation")
    OTHER = "other", _("Other")


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral")


class HandoverBasis(models.TextChoices):
    CONSENT = "consent", _("The citizen's consent")
    DUTY_TO_NOTIFY = "duty_to_notify", _("Duty to notify (underretningspligt)")


# --- Validation ---------------------------------------------------------------------------


def cpr_birth_date(value):
    """The birth date a CPR number DDMMYY-XXXX encodes (the 7th digit gives the century)."""
    digits = value.replace("-", "")
    day, month, year, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), digits[6]
    if seventh in "0123":
        century = 1900
    elif seventh in "49":
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    return datetime.date(century + year, month, day)


CPR_FORMAT = re.compile(r"[0-9]{6}-[0-9]{4}")


def cpr_birth_date_or_none(value):
    """The birth date of a well-formed CPR number with a real date, else None."""
    if not CPR_FORMAT.fullmatch(value or ""):
        return None
    try:
        return cpr_birth_date(value)
    except ValueError:
        return None


def validate_cpr(value):
    if not CPR_FORMAT.fullmatch(value or ""):
        raise ValidationError(
            _("Write the CPR number as DDMMYY-XXXX, for example 010190-1234."), code="format"
        )
    try:
        cpr_birth_date(value)
    except ValueError:
        raise ValidationError(
            _("The first six digits of the CPR number are not a real date."), code="date"
        ) from None


# --- Referral sources (an editable list) --------------------------------------------------


class ReferralSource(index.Indexed, models.Model):
    """Who referred: the municipality's own list, edited as a snippet."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Sources not in use are hidden from new referrals.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("active"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("referral source")
        verbose_name_plural = _("referral sources")

    def __str__(self):
        return self.name


# --- Person --------------------------------------------------------------------------------


class Person(models.Model):
    """The citizen: may stay anonymous (alias and where met) or be identified later."""

    alias = models.CharField(
        _("alias"), max_length=120, blank=True, help_text=_("A nickname the team knows them by.")
    )
    whereabouts = models.TextField(
        _("where usually met"),
        blank=True,
        help_text=_("Description and where the person is usually met, if anonymous."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    cpr = models.CharField(
        _("CPR number"),
        max_length=11,
        blank=True,
        validators=[validate_cpr],
        help_text=_("DDMMYY-XXXX. Optional."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address or whereabouts"), blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    age_group = models.CharField(
        _("age group"),
        max_length=10,
        choices=AgeGroup.choices,
        default=AgeGroup.UNKNOWN,
        help_text=_("Use when the birth year is not known."),
    )
    income_source = models.CharField(
        _("income source"),
        max_length=20,
        choices=IncomeSource.choices,
        default=IncomeSource.UNKNOWN,
    )
    marital_status = models.CharField(
        _("marital status"),
        max_length=10,
        choices=MaritalStatus.choices,
        default=MaritalStatus.UNKNOWN,
    )
    living_alone = models.CharField(
        _("living alone"), max_length=10, choices=LivingAlone.choices, default=LivingAlone.UNKNOWN
    )
    housing = models.CharField(
        _("housing situation"), max_length=20, choices=Housing.choices, default=Housing.UNKNOWN
    )
    main_problem = models.CharField(
        _("main problem"), max_length=20, choices=MainProblem.choices, default=MainProblem.UNKNOWN
    )
    import_citizen_key = models.CharField(
        _("citizen number in the earlier register"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_(
            "Set by the import of historical cases: later imports with the same citizen "
            "number join this person."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["cpr"])]
        constraints = [
            models.UniqueConstraint(
                fields=["import_citizen_key"],
                condition=~Q(import_citizen_key=""),
                name="person_import_citizen_key_unique",
            )
        ]

    def __str__(self):
        return self.name or self.alias or _("Anonymous person %(pk)s") % {"pk": self.pk or "-"}

    def validate_constraints(self, exclude=None):
        # A blank citizen number is outside the unique constraint's condition, but Django
        # asks the database to evaluate it (three queries on every save of a person).
        if not self.import_citizen_key:
            exclude = {*(exclude or ()), "import_citizen_key"}
        super().validate_constraints(exclude=exclude)

    def clean(self):
        super().clean()
        if not (self.name.strip() or self.alias.strip() or self.whereabouts.strip()):
            raise ValidationError(
                {
                    "alias": _(
                        "Give at least an alias, a name or a description of where the "
                        "person is usually met."
                    )
                }
            )
        this_year = timezone.localdate().year
        if self.birth_year is not None and self.birth_year > this_year:
            raise ValidationError({"birth_year": _("The birth year cannot be in the future.")})
        born = cpr_birth_date_or_none(self.cpr)
        if born and self.birth_year and born.year != self.birth_year:
            raise ValidationError(
                {"birth_year": _("The birth year does not match the CPR number.")}
            )

    @property
    def is_anonymous(self):
        return not (self.name or self.cpr)

    def age_on(self, day):
        """Age on `day`, from the CPR number or the birth year; None when unknown."""
        born = cpr_birth_date_or_none(self.cpr)
        if born:
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.birth_year:
            return day.year - self.birth_year
        if self.age_group == AgeGroup.UNDER_18:
            return 17
        if self.age_group == AgeGroup.OVER_65:
            return 66
        return None


# --- Case ---------------------------------------------------------------------------------


# Team membership comes from the staff directory, which the administrators keep; what it
# opens, it opens only to those whose role does that work (intranet.roles.CASEWORK_PERMISSION,
# RECEIVING_PERMISSION). Put in a team's directory entry without the right (an administrator,
# a leader, an editor), a user reads none of its cases.


def _team_ids_of(user, *, permission):
    """The user's teams as a subquery, for the work `permission` does there: none without it."""
    teams = StaffMember.teams.through.objects.filter(staffmember__user=user)
    if not user.has_perm(permission):
        teams = teams.none()
    return teams.values("teampage_id")


def team_ids_for(user):
    """Ids of the teams `user` is a member of (cached on the user object for the request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_workflows_team_ids"):
        user._workflows_team_ids = set(
            StaffMember.teams.through.objects.filter(staffmember__user=user).values_list(
                "teampage_id", flat=True
            )
        )
    return user._workflows_team_ids


def teams_for(user):
    """The teams `user` is a member of, by title: the pages, and `team_ids_for` with them
    (one query for both)."""
    teams = list(TeamPage.objects.for_user(user).order_by("title"))
    if user.is_authenticated:
        user._workflows_team_ids = {team.pk for team in teams}
    return teams


def case_visibility(user, prefix=""):
    """The one rule for who may open a case, as a filter on cases (`prefix` "") or on rows
    that point at a case (e.g. "process__case__" for tasks): its team's members who work on
    cases (CASEWORK_PERMISSION), its two contact persons, and whoever holds an unexpired
    emergency access to it ("break the glass", EmergencyAccess below). One query with
    subqueries, whatever the list."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    emergency = EmergencyAccess.objects.filter(user=user).active().values("case_id")
    return (
        Q(**{f"{prefix}team_id__in": _team_ids_of(user, permission=CASEWORK_PERMISSION)})
        | Q(**{f"{prefix}primary_worker": user})
        | Q(**{f"{prefix}second_worker": user})
        | Q(**{f"{prefix}pk__in": emergency})
    )


def opens_without_emergency_access(user, case) -> bool:
    """`case_visibility` without its emergency clause, for a case in hand: does the user open
    it as a member of its team who works on cases, or as one of its contact persons?"""
    by_team = user.has_perm(CASEWORK_PERMISSION) and case.team_id in team_ids_for(user)
    return by_team or user.pk in (case.primary_worker_id, case.second_worker_id)


def receiving_team_visibility(user, prefix=""):
    """Cases handed over to one of the user's teams (sent, whether or not acknowledged), for
    those who receive handovers (RECEIVING_PERMISSION), unless the consent the handover
    rested on has been withdrawn since."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(
        **{
            f"{prefix}handover_team_id__in": _team_ids_of(user, permission=RECEIVING_PERMISSION),
            f"{prefix}handover_sent_at__isnull": False,
            f"{prefix}handover_withdrawn_at__isnull": True,
        }
    )


def summary_visibility(user, prefix=""):
    """Who may read a case's handover summary: who may open the case (`case_visibility`),
    and the team it was handed over to (`receiving_team_visibility`)."""
    return case_visibility(user, prefix) | receiving_team_visibility(user, prefix)


# A receipt number's letters and digits: none that are misread or misheard (0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_case_reference() -> str:
    """A random receipt number such as K7FM-3QX9: it tells nothing of how many cases exist."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_case_reference(text: str) -> str:
    """A receipt number as typed ("k7fm 3qx9", "K7FM3QX9") in its stored form, or ""."""
    chars = re.sub(r"[\s-]", "", text).upper()
    if len(chars) != REFERENCE_LENGTH or set(chars) - set(REFERENCE_ALPHABET):
        return ""
    return f"{chars[:4]}-{chars[4:]}"


def _moment(at: datetime.date | datetime.datetime) -> datetime.datetime:
    """A moment as given; a day as the moment it begins (local time)."""
    if isinstance(at, datetime.datetime):
        return at
    return timezone.make_aware(datetime.datetime.combine(at, datetime.time.min))


def first_contact_overdue_q(at: datetime.date | datetime.datetime, prefix: str = "") -> Q:
    """The one rule for "first contact overdue", as a filter on cases (`prefix` "") or on
    rows that point at a case (e.g. "process__case__" for tasks, "open_case__" for a
    FilteredRelation): the case is open, no contact with the person has been achieved
    (`first_contact_at`), and its first-contact deadline (`first_contact_deadline`: the
    moment the standard's promise runs out, `Rules.first_contact_deadline`) has come by `at`.

    One moment for every kind of promise: "within 7 days" and "the same day" run out when
    their last day ends (a referral of Monday answered "the same day" is overdue from
    Tuesday 00:00, not at Monday 23:59), "within 4 hours" four hours after receipt. Judged
    on a day (`at` a date), a case is overdue if its deadline had come when that day
    began: the deadline day itself is not overdue. A case without a deadline (the
    standard states none, or "as soon as possible") never is.

    Whatever the stage: the standard promises a first contact after the referral, not a
    step of the process, and the annual report counts such a case as "deadline missed"
    (`status_report._deadline`), so the live lists and the report count the same cases.
    The live lists judge at the present moment; the case's present state is read.
    `Case.is_first_contact_overdue_at` is this rule for a case in hand."""
    return Q(
        **{
            f"{prefix}stage__in": OPEN_STAGES,
            f"{prefix}first_contact_at__isnull": True,
            f"{prefix}first_contact_deadline__lte": _moment(at),
        }
    )


def deadline_fields(rules, received: datetime.datetime) -> dict:
    """A case's deadlines from the rules in force when its referral was received (None: no
    standard, so no deadline): the first contact's and the case-handling deadline."""
    if rules is None:
        return {
            "first_contact_due": None,
            "first_contact_deadline": None,
            "first_contact_as_soon_as_possible": False,
            "decision_due": None,
        }
    return {
        "first_contact_due": rules.first_contact_due(received),
        "first_contact_deadline": rules.first_contact_deadline(received),
        "first_contact_as_soon_as_possible": rules.first_contact_as_soon_as_possible,
        "decision_due": rules.case_handling_due(received),
    }


# The stages in which a case waits for its next reassessment.
REASSESSMENT_STAGES = [Stage.SUPPORT, Stage.REASSESSMENT]


def reassessment_overdue_q(at: datetime.datetime, prefix: str = "") -> Q:
    """The one rule for "reassessment overdue", as a filter on cases or on rows that point at
    a case (`prefix` as for `first_contact_overdue_q`): a case in support or reassessment
    whose reassessment date (`reassessment_due_at`, set from the standard's "once after" or
    "every N months") has passed at `at`. A date the standard gives as "about N months" is
    a reminder (`reassessment_is_reminder`), never overdue."""
    return Q(
        **{
            f"{prefix}stage__in": REASSESSMENT_STAGES,
            f"{prefix}reassessment_due_at__lt": at,
            f"{prefix}reassessment_is_reminder": False,
        }
    )


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases a user may open (`case_visibility`)."""
        return self.filter(case_visibility(user))

    def summary_visible_to(self, user):
        """Cases whose handover summary a user may read (`summary_visibility`)."""
        return self.filter(summary_visibility(user))

    def handover_withdrawn_from(self, user):
        """Cases handed over to one of the user's teams whose summary they no longer read:
        the citizen withdrew the consent the handover rested on."""
        return self.filter(
            handover_team_id__in=_team_ids_of(user, permission=RECEIVING_PERMISSION),
            handover_withdrawn_at__isnull=False,
        )

    def open(self):
        return self.filter(stage__in=OPEN_STAGES)

    def first_contact_overdue(self, *, at: datetime.date | datetime.datetime | None = None):
        """Cases whose first contact is overdue at `at` (default now; a day: as it began):
        `first_contact_overdue_q`."""
        return self.filter(first_contact_overdue_q(at or timezone.now()))

    def reassessment_overdue(self, *, at: datetime.datetime | None = None):
        """Cases whose reassessment is overdue at `at` (default now): `reassessment_overdue_q`."""
        return self.filter(reassessment_overdue_q(at or timezone.now()))


class Case(models.Model):
    """One run of the referral process for one person."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    team = models.ForeignKey(
        TeamPage, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    process = models.OneToOneField(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("process"),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, db_index=True
    )
    primary_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_cases",
        verbose_name=_("primary contact person"),
    )
    second_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="second_cases",
        verbose_name=_("second contact person"),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=10,
        choices=LegalBasis.choices,
        default=LegalBasis.SECTION_99,
        help_text=_(
            "The section of the Social Services Act the referral is handled under: the team's "
            "standard for it sets the deadlines."
        ),
    )
    standard_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality standard (revision)"),
        help_text=_("The published revision of the standard that set the deadline."),
    )
    referral_received_at = models.DateTimeField(
        _("referral received"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The referral's time of receipt, kept on the case for the leaders' figures."),
    )
    first_contact_due = models.DateField(
        _("first contact due"),
        null=True,
        blank=True,
        help_text=_("The last day on which the first contact is in time."),
    )
    decision_due = models.DateField(
        _("decision due"),
        null=True,
        blank=True,
        help_text=_("The standard's case-handling deadline: the referral is decided by then."),
    )
    first_contact_deadline = models.DateTimeField(
        _("first contact overdue from"),
        null=True,
        blank=True,
        help_text=_("The moment the standard's first-contact promise runs out."),
    )
    first_contact_as_soon_as_possible = models.BooleanField(
        _("first contact as soon as possible"),
        default=False,
        help_text=_("The standard promises contact as soon as possible: first in the queue."),
    )
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    support_started_at = models.DateTimeField(_("support started"), null=True, blank=True)
    last_reassessed_at = models.DateTimeField(_("last reassessed"), null=True, blank=True)
    reassessment_due_at = models.DateTimeField(_("reassessment due"), null=True, blank=True)
    reassessment_is_reminder = models.BooleanField(
        _("reassessment date is a reminder"),
        default=False,
        help_text=_("The standard gives about a number of months: never counted as overdue."),
    )
    reassessment_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality standard for the support period (revision)"),
    )

    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopenings",
        verbose_name=_("reopened from"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )

    redirect_reason = models.CharField(
        _("redirect reason"), max_length=30, choices=RedirectReason.choices, blank=True
    )
    redirect_reason_text = models.CharField(
        _("redirect reason in the standard's words"),
        max_length=120,
        blank=True,
        help_text=_("A reason the standard names beyond the built-in ones."),
    )
    redirect_destinations = models.ManyToManyField(
        "wagtailcore.Page",
        through="CaseRedirectDestination",
        related_name="+",
        blank=True,
        verbose_name=_("redirected to"),
    )

    handover_team = models.ForeignKey(
        TeamPage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers_received",
        verbose_name=_("receiving team"),
    )
    handover_summary = models.TextField(_("handover summary"), blank=True)
    handover_basis = models.CharField(
        _("basis for sharing"), max_length=20, choices=HandoverBasis.choices, blank=True
    )
    handover_consent = models.ForeignKey(
        "Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent"),
    )
    handover_legal_note = models.TextField(_("legal basis, documented"), blank=True)
    handover_sent_at = models.DateTimeField(_("handover sent"), null=True, blank=True)
    handover_acknowledged_at = models.DateTimeField(
        _("handover acknowledged"), null=True, blank=True
    )
    handover_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    handover_withdrawn_at = models.DateTimeField(
        _("consent for the handover withdrawn"),
        null=True,
        blank=True,
        help_text=_(
            "The citizen withdrew the consent the handover rested on: before acknowledgement "
            "the handover was cancelled; after it, the receiving team no longer reads the "
            "summary."
        ),
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    import_key = models.CharField(
        _("case number in the earlier register"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("Set on cases imported from spreadsheets; importing again skips them."),
    )

    reference = models.CharField(
        _("receipt number"),
        max_length=9,
        unique=True,
        default=new_case_reference,
        editable=False,
        help_text=_(
            "Random, so that it reveals nothing: the number a citizen who used the public "
            "form was given."
        ),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~Q(import_key=""),
                name="case_import_key_unique",
            )
        ]
        # The dashboard's figures over a period: the rows of the period are read from these
        # indexes alone (on PostgreSQL), never from the table of every case ever closed.
        indexes = [
            models.Index(
                fields=["referral_received_at"], include=["team"], name="case_referral_received_at"
            ),
            models.Index(
                fields=["first_contact_at"],
                include=["referral_received_at", "team"],
                name="case_first_contact_at",
            ),
            models.Index(
                fields=["closed_at"],
                include=["referral_received_at", "team"],
                condition=Q(stage=Stage.CLOSED),
                name="case_closed_at",
            ),
        ]
        permissions = [
            ("register_referral", "Can register a referral"),
            ("work_case", "Can work on the team's cases"),
            ("triage_case", "Can triage the team's referrals"),
            ("manage_queue", "Can assign tasks in the team's queue"),
            ("acknowledge_handover", "Can acknowledge a handover to the team"),
            ("view_dashboard", "Can see the process dashboard"),
        ]

    def __str__(self):
        return _("Case %(pk)s") % {"pk": self.pk}

    @property
    def redirect_reason_label(self):
        """The reason the referral was redirected for, as the standard words it."""
        return redirect_label(self.redirect_reason, self.redirect_reason_text)

    @property
    def is_open(self):
        return self.stage != Stage.CLOSED

    @property
    def reached_stages(self):
        """The stages this case has been through (or is at), for the process diagram."""
        reached = {Stage.INTAKE, Stage.TRIAGE, self.stage}
        if self.primary_worker_id:
            reached.add(Stage.OUTREACH)
        if self.support_started_at:
            reached.add(Stage.SUPPORT)
        if self.last_reassessed_at or self.stage == Stage.REASSESSMENT:
            reached.add(Stage.REASSESSMENT)
        if self.handover_sent_at:
            reached.add(Stage.HANDOVER)
        return reached

    @property
    def first_contact_deadline_within_a_day(self):
        """The deadline falls within a day (a promise in hours): staff need its time, not
        only the last day."""
        deadline = self.first_contact_deadline
        return deadline is not None and timezone.localtime(deadline).time() != datetime.time.min

    @property
    def is_awaiting_decision(self):
        """Not yet triaged: the standard's case-handling deadline (`decision_due`) applies."""
        return self.stage in (Stage.INTAKE, Stage.TRIAGE)

    @property
    def is_without_standard(self):
        """Registered with no quality standard in force: no first-contact deadline."""
        return self.standard_revision_id is None and self.first_contact_due is None

    def is_first_contact_overdue_at(self, at: datetime.date | datetime.datetime) -> bool:
        """`first_contact_overdue_q` for this case, read from its fields (no query); the
        tests hold the two to the same cases."""
        return (
            self.stage in OPEN_STAGES
            and self.first_contact_at is None
            and self.first_contact_deadline is not None
            and self.first_contact_deadline <= _moment(at)
        )

    @property
    def is_first_contact_overdue(self):
        """Overdue now (`first_contact_overdue_q`)."""
        return self.is_first_contact_overdue_at(timezone.now())


class CaseRedirectDestination(models.Model):
    """A service a redirected referral was sent to (a reason may name several)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="redirects", verbose_name=_("case")
    )
    destination = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destination"),
    )

    class Meta:
        verbose_name = _("redirect destination")
        verbose_name_plural = _("redirect destinations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "destination"], name="unique_redirect_destination_per_case"
            )
        ]

    def __str__(self):
        return f"{self.case_id} -> {self.destination_id}"


class CaseProcess(Process):
    """The viewflow process of one case."""

    class Meta:
        proxy = True
        verbose_name = _("referral process")
        verbose_name_plural = _("referral processes")


class Referral(models.Model):
    """How and why the team heard of the person."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="referral", verbose_name=_("case")
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.ForeignKey(
        ReferralSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("source"),
    )
    referrer_name = models.CharField(
        _("referrer's name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty if the referrer wishes to stay anonymous."),
    )
    referrer_contact = models.CharField(_("referrer's phone or e-mail"), max_length=200, blank=True)
    concern = models.TextField(_("the concern"))
    concern_categories = models.JSONField(_("concern categories"), default=list, blank=True)
    acute = models.BooleanField(
        _("acute danger to life or health"),
        default=False,
        help_text=_("Acute danger is not this scheme's task: emergency services must be called."),
    )
    emergency_call = models.CharField(
        _("was 112 or 114 called?"), max_length=20, choices=EmergencyCall.choices, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return _("Referral %(date)s") % {"date": f"{timezone.localtime(self.received_at):%Y-%m-%d}"}

    def clean(self):
        super().clean()
        if self.acute and not self.emergency_call:
            raise ValidationError({"emergency_call": _("Say whether 112 or 114 was called.")})
        if self.received_at and self.received_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(
                {"received_at": _("The referral cannot be received in the future.")}
            )
        unknown = set(self.concern_categories or []) - set(ConcernCategory.values)
        if unknown:
            raise ValidationError({"concern_categories": _("Unknown concern category.")})

    def get_concern_categories_display(self):
        labels = dict(ConcernCategory.choices)
        return [labels.get(value, value) for value in self.concern_categories or []]


class ContactLog(models.Model):
    """One contact or contact attempt."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("case")
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    achieved = models.BooleanField(
        _("contact achieved"), default=False, help_text=_("Leave unticked for a failed attempt.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if self.occurred_at and self.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"occurred_at": _("A contact cannot be logged in the future.")})


class Goal(models.Model):
    """A goal set together with the citizen."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case")
    )
    area = models.CharField(_("area"), max_length=20, choices=GoalArea.choices)
    description = models.TextField(_("the goal in the citizen's words"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("set"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return self.get_area_display()


class ConsentQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Given, not refused, not withdrawn and not expired on `day`."""
        return (
            self.filter(refused=False, given_on__lte=day)
            .exclude(withdrawn_on__lte=day)
            .exclude(expires_on__lt=day)
        )


class Consent(models.Model):
    """The citizen's consent (or refusal) to share information with a receiver."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("recorded on case"),
    )
    receiver = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared with"),
        help_text=_("A team or partner in the contact directory."),
    )
    information = models.TextField(
        _("what may be shared"), help_text=_("For example: housing situation, contact details.")
    )
    given_on = models.DateField(_("given (or refused) on"), default=timezone.localdate)
    form = models.CharField(_("form"), max_length=10, choices=ConsentForm.choices)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    refused = models.BooleanField(
        _("refused"), default=False, help_text=_("Tick if the citizen said no.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.receiver} ({self.given_on:%Y-%m-%d})"

    def clean(self):
        super().clean()
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": _("The date cannot be in the future.")})
        if self.receiver_id and self.receiver.specific_class not in (TeamPage, PartnerPage):
            raise ValidationError({"receiver": _("Choose a team or a partner.")})
        if self.expires_on and self.given_on and self.expires_on < self.given_on:
            raise ValidationError(
                {"expires_on": _("The consent cannot expire before it is given.")}
            )

    def is_valid_on(self, day):
        return (
            not self.refused
            and self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )

    @property
    def is_valid(self):
        return self.is_valid_on(timezone.localdate())


class Reassessment(models.Model):
    """One reassessment of a support period and what was decided."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue support for a new period")
        HAND_OVER = "hand_over", _("Hand over to another service")
        CLOSE = "close", _("Close the case")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="reassessments", verbose_name=_("case")
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    note = models.TextField(_("assessment"), blank=True)
    standard_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality standard (revision)"),
    )

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("reassessment")
        verbose_name_plural = _("reassessments")

    def __str__(self):
        return _("Reassessment %(date)s") % {
            "date": f"{timezone.localtime(self.opened_at):%Y-%m-%d}"
        }


# --- Emergency access ("break the glass") ---------------------------------------------------

EMERGENCY_REASON_MIN_LENGTH = 20
EMERGENCY_REASON_MIN_WORDS = 3
# A word: three or more letters (any alphabet, so "æ", "ø" and "å" count; digits do not)
# with a vowel in it, as every Danish word of three letters has ("og", "er" are too short to
# count, "xkcd" is no word).
_REASON_WORD = re.compile(r"[^\W\d_]{3,}")
_VOWELS = frozenset("aeiouyæøåéèáàüöä")


def _reason_words(text: str) -> set[str]:
    """The different words of `text` that count, each by its letters: "abc" and "cba" are the
    same letters typed twice, not two words."""
    return {
        "".join(sorted(word))
        for word in (match.casefold() for match in _REASON_WORD.findall(text))
        if _VOWELS.intersection(word)
    }


class EmergencyCategory(models.TextChoices):
    """Why a case is opened outside the team: the situations emergency access is for."""

    ACUTE_DANGER = "acute_danger", _("Acute danger to the citizen's life or health")
    CITIZEN_PRESENT = (
        "citizen_present",
        _("The citizen is here now and the case's team cannot be reached"),
    )
    PARTNER_NEEDS_NOW = (
        "partner_needs_now",
        _("A partner (police, emergency ward, shelter) needs information now"),
    )
    MISSING = "missing", _("The citizen is reported missing")


def validate_emergency_reason(value):
    """A reason the data protection officer can review: at least 20 characters and three
    different words of three or more letters with a vowel, so "aaaaaaaaaaaaaaaaaaaa", one
    word repeated or "ab cd ef gh ij kl mn op" does not pass."""
    text = value.strip()
    if len(text) < EMERGENCY_REASON_MIN_LENGTH:
        raise ValidationError(
            _(
                "Write why you need the case urgently, in at least %(limit_value)d characters. "
                "The data protection officer reads the reason."
            ),
            code="min_length",
            params={"limit_value": EMERGENCY_REASON_MIN_LENGTH},
        )
    if len(_reason_words(text)) < EMERGENCY_REASON_MIN_WORDS:
        raise ValidationError(
            _(
                "Describe the situation in words: at least %(words)d different words of three "
                "or more letters."
            ),
            code="too_few_words",
            params={"words": EMERGENCY_REASON_MIN_WORDS},
        )


class EmergencyAccessQuerySet(models.QuerySet):
    def active(self, *, now=None):
        """Grants that have not expired: they stop working the moment they expire."""
        return self.filter(expires_at__gt=now or timezone.now())

    def unreviewed(self):
        return self.filter(reviewed_at__isnull=True)


class EmergencyAccess(models.Model):
    """A staff member's urgent access to a case outside their team, with the reason they gave.

    Time-limited; Case.objects.visible_to includes the case until `expires_at`. The data
    protection officer reviews every one (docs/privacy.md).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("staff member"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("case"),
    )
    category = models.CharField(
        _("situation"),
        max_length=30,
        choices=EmergencyCategory.choices,
        help_text=_("The kind of emergency; the data protection officer reviews by it."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=500,
        validators=[validate_emergency_reason],
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(_("review note"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "expires_at"])]
        permissions = [
            ("take_emergency_access", "Can take emergency access to a case outside the team")
        ]

    def __str__(self):
        return _("Emergency access to case %(case)s") % {"case": self.case_id}

    @property
    def is_active(self):
        return self.expires_at > timezone.now()

    @property
    def is_reviewed(self):
        return self.reviewed_at is not None


class CaseImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped with an error")


class CaseImportStage(models.TextChoices):
    READING = "reading", _("Reading the file")
    CHECKING = "checking", _("Checking the rows")
    SAVING = "saving", _("Saving the cases")


class CaseImport(models.Model):
    """An upload of historical cases, imported by the background worker (workflows/tasks.py)
    so that no request waits for 20,000 rows. All or nothing like the command: the cases,
    their access-log entry and this record's result are written in one transaction.

    The uploaded file is kept only until the import has run: it holds CPR numbers."""

    # A job whose worker has written nothing for this long has stopped (the machine went
    # down): its transaction never committed, so nothing was imported. The longest step
    # without progress, saving 20,000 cases, takes seconds (docs/benchmarks.md).
    STOPPED_AFTER = datetime.timedelta(minutes=3)
    # Still waiting after this long: the page says the worker may not be running.
    SLOW_TO_START_AFTER = datetime.timedelta(minutes=1)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file"), blank=True)
    check_only = models.BooleanField(_("only checked"), default=False)
    # The uploader's language: the worker writes the result's messages in it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseImportStatus, default=CaseImportStatus.QUEUED
    )
    stage = models.CharField(_("step"), max_length=10, choices=CaseImportStage, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case import")
        verbose_name_plural = _("case imports")

    def __str__(self):
        return self.file_name

    @property
    def is_finished(self):
        return self.status in (CaseImportStatus.DONE, CaseImportStatus.FAILED)

    @property
    def has_stopped(self):
        """Started, unfinished, and silent for longer than any step takes."""
        return (
            self.status == CaseImportStatus.RUNNING
            and self.updated_at < timezone.now() - self.STOPPED_AFTER
        )

    @property
    def percent(self):
        """How far the import has come: the rows checked, then the saving as the last tenth."""
        if self.is_finished:
            return 100
        if not self.rows_total:
            return 0
        checked = 90 * self.rows_done // self.rows_total
        return 90 if self.stage == CaseImportStage.SAVING else min(checked, 90)

    @staticmethod
    def stopped_message():
        return _("The import stopped before it was done. Nothing was imported.")

    @property
    def stage_text(self):
        """What the import is doing, in a few words (the page and its progress bar)."""
        if self.has_stopped:
            return self.stopped_message()
        if self.is_slow_to_start:
            return _(
                "Not started yet: the background worker that runs imports may not be running. "
                "If it does not start within a few minutes, contact the operators. Nothing is "
                "lost: the import starts when the worker runs again."
            )
        if self.status != CaseImportStatus.RUNNING:
            return self.get_status_display()  # waiting, done or failed
        return self.get_stage_display() or _("Starting")

    @property
    def is_slow_to_start(self):
        return (
            self.status == CaseImportStatus.QUEUED
            and self.created_at < timezone.now() - self.SLOW_TO_START_AFTER
        )

    @property
    def outcome_text(self):
        """How it ended, in a few words (the administrator's list of latest imports)."""
        if not self.is_finished or not self.result:
            return self.stage_text
        errors, created = len(self.result["errors"]), self.result["created"]
        if self.status == CaseImportStatus.FAILED:
            return self.result["errors"][0]["message"] if errors else self.get_status_display()
        if errors:
            return ngettext(
                "%(count)s error in the file; nothing was imported",
                "%(count)s errors in the file; nothing was imported",
                errors,
            ) % {"count": number_format(errors, force_grouping=True)}
        if self.check_only:
            return ngettext(
                "Checked: %(count)s case would be imported",
                "Checked: %(count)s cases would be imported",
                created,
            ) % {"count": number_format(created, force_grouping=True)}
        return ngettext("%(count)s case imported", "%(count)s cases imported", created) % {
            "count": number_format(created, force_grouping=True)
        }

    @property
    def rows_text(self):
        if self.stage != CaseImportStage.CHECKING or not self.rows_total or self.has_stopped:
            return ""
        return _("Row %(done)s of %(total)s") % {
            "done": number_format(self.rows_done, force_grouping=True),
            "total": number_format(self.rows_total, force_grouping=True),
        }
