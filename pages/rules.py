"""The rules of the quality standard in force at a given moment, as the process reads them."""

import bisect
import calendar
import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry, Revision

from .models import (
    FirstContactRule,
    LegalBasis,
    ReassessmentRule,
    StandardPage,
    group_redirects,
)

# Denmark's public holidays (helligdage), added year by year as they are asked for.
DANISH_HOLIDAYS = holidays.country_holidays("DK")


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day`: Monday to Friday, not a Danish public holiday."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in DANISH_HOLIDAYS:
            count -= 1
    return day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class NoStandardInForce(Exception):
    """No published quality standard governs the team at that moment."""


class NoStandardForBasis(NoStandardInForce):
    """The team delivers standards, but none for the legal basis asked for."""


@dataclass(frozen=True)
class Rules:
    standard_id: int
    revision_id: int | None  # None only for a page made live in code without a revision
    title: str
    legal_basis: str  # LegalBasis value
    first_contact_rule: str
    first_contact_deadline_days: int | None
    first_contact_deadline_hours: int | None
    case_handling_deadline_days: int | None
    reassessment_rule: str
    reassessment_interval_months: int | None
    min_age: int | None
    max_age: int | None
    # redirect_key (a RedirectReason value, or "other:" + the standard's own words) -> the
    # ids of the destination pages the standard names for it, in its order
    redirects: dict = field(default_factory=dict)

    def first_contact_deadline(self, received: date | datetime) -> datetime | None:
        """The moment from which the first outreach to a referral received then is overdue
        (None: the standard sets no clock). Days are counted from the local date of
        receipt and run out when their last day ends; hours run from the moment itself (a
        date alone counts from the start of that day)."""
        rule = self.first_contact_rule
        if rule in (FirstContactRule.NONE, FirstContactRule.AS_SOON_AS_POSSIBLE):
            return None
        if rule == FirstContactRule.HOURS:
            start = received if isinstance(received, datetime) else _start_of(received)
            return start + timedelta(hours=self.first_contact_deadline_hours)
        if isinstance(received, datetime):
            received = timezone.localtime(received).date()
        if rule == FirstContactRule.WORKING_DAYS:
            last_day = add_working_days(received, self.first_contact_deadline_days)
        elif rule == FirstContactRule.SAME_DAY:
            last_day = received
        else:
            last_day = received + timedelta(days=self.first_contact_deadline_days)
        return _start_of(last_day + timedelta(days=1))

    def first_contact_due(self, received: date | datetime) -> date | None:
        """The last day on which the first outreach is in time (None: no deadline)."""
        deadline = self.first_contact_deadline(received)
        if deadline is None:
            return None
        return timezone.localtime(deadline - timedelta(microseconds=1)).date()

    def case_handling_due(self, received: date | datetime) -> date | None:
        """The last day for deciding a referral received then, by the standard's
        case-handling deadline (None: it gives none)."""
        if self.case_handling_deadline_days is None:
            return None
        if isinstance(received, datetime):
            received = timezone.localtime(received).date()
        return received + timedelta(days=self.case_handling_deadline_days)

    @property
    def first_contact_as_soon_as_possible(self) -> bool:
        """No clock, but such referrals come first in the queue."""
        return self.first_contact_rule == FirstContactRule.AS_SOON_AS_POSSIBLE

    def reassessment_due(
        self, support_from: datetime, *, reassessed_before: bool = False
    ) -> datetime | None:
        """When a support period counted from `support_from` is reassessed (None: not
        again). "Once" and "about" have no date after the first reassessment; "none",
        never; "every", after each period."""
        if self.reassessment_rule == ReassessmentRule.NONE:
            return None
        one_off = (ReassessmentRule.ONCE, ReassessmentRule.ABOUT)
        if self.reassessment_rule in one_off and reassessed_before:
            return None
        return add_months(support_from, self.reassessment_interval_months)

    @property
    def reassessment_is_reminder(self) -> bool:
        """ "About N months": the date reminds, and is never counted as overdue."""
        return self.reassessment_rule == ReassessmentRule.ABOUT

    def age_outside_range(self, age):
        """'under_age', 'over_age' or None for an age (None: unknown, never outside). Only a
        limit the standard sets can put an age outside."""
        if age is None:
            return None
        if self.min_age is not None and age < self.min_age:
            return "under_age"
        if self.max_age is not None and age > self.max_age:
            return "over_age"
        return None


def _rules_from(standard, revision_id):
    return Rules(
        standard_id=standard.pk,
        revision_id=revision_id,
        title=standard.title,
        legal_basis=standard.legal_basis_section,
        first_contact_rule=standard.first_contact_rule,
        first_contact_deadline_days=standard.first_contact_deadline_days,
        first_contact_deadline_hours=standard.first_contact_deadline_hours,
        case_handling_deadline_days=standard.case_handling_deadline_days,
        # A revision saved before the rule had kinds reads as "every": without a number,
        # it meant no fixed reassessment.
        reassessment_rule=(
            standard.reassessment_rule
            if standard.reassessment_interval_months is not None
            else ReassessmentRule.NONE
        ),
        reassessment_interval_months=standard.reassessment_interval_months,
        min_age=standard.min_age,
        max_age=standard.max_age,
        redirects={
            group.key: tuple(redirect.destination_id for redirect in group.redirects)
            for group in group_redirects(standard.redirects.all())
        },
    )


def _rules_from_revision(revision):
    # Rebuilt from the revision's content without checking that every page it refers to
    # still exists (Revision.as_object() does, a query per reference): only the numbers
    # and the redirects' page ids are read.
    standard = StandardPage.from_serializable_data(revision.content, check_fks=False)
    return _rules_from(standard, revision.pk)


def _standard_for(team, legal_basis):
    """The live standard for `legal_basis` delivered by `team`.

    Never a standard for another basis: a team delivering standards, none of them for this
    basis, has none (`NoStandardForBasis`). A team named on no standard at all (or no team)
    gets the most recently introduced standard for the basis.

    Only the columns that say which revision is in force: the rules come from the revision
    (a whole standard page, body and all, cost more than the rest of a registration's reads).
    """
    standards = (
        StandardPage.objects.live()
        .order_by("-first_published_at", "-pk")
        .only("live_revision_id", "last_published_at", "legal_basis_section")
    )
    if team is not None:
        delivered = list(standards.filter(delivering_teams=getattr(team, "pk", team)))
        if delivered:
            for standard in delivered:
                if standard.legal_basis_section == legal_basis:
                    return standard
            raise NoStandardForBasis(
                _("The team has no published quality standard for %(basis)s.")
                % {"basis": LegalBasis(legal_basis).label}
            )
    return standards.filter(legal_basis_section=legal_basis).first()


def rules_in_force(
    *, team=None, legal_basis: str = LegalBasis.SECTION_99, at: datetime | None = None
) -> Rules:
    """The published rules for `legal_basis` governing `team` at moment `at` (default: now).

    Only published revisions count: a draft or a revision awaiting approval never
    governs a case. For a past moment, the revision that was published last before it.
    """

    def published_last_before(moment):
        entry = (
            _publications(standard).filter(timestamp__lte=moment).order_by("-timestamp", "-pk")
        ).first()
        return entry.revision_id if entry else None

    standard = _standard_for(team, legal_basis)
    return _rules_at(standard, at, published_last_before)


class RulesOverTime:
    """The rules for `team` and `legal_basis` at many past moments (an import's thousands
    of rows), each the same answer `rules_in_force` gives: the standard's publications are
    read once, not once per moment."""

    def __init__(self, *, team=None, legal_basis: str = LegalBasis.SECTION_99):
        self.standard = _standard_for(team, legal_basis)
        self._moments, self._revisions = [], []
        if self.standard is not None:
            for moment, revision_id in (
                _publications(self.standard)
                .order_by("timestamp", "pk")
                .values_list("timestamp", "revision_id")
            ):
                self._moments.append(moment)
                self._revisions.append(revision_id)

    def _published_last_before(self, moment):
        # The last publication at or before `moment`; of several at the same moment, the
        # last written (the order of `rules_in_force`'s query).
        index = bisect.bisect_right(self._moments, moment)
        return self._revisions[index - 1] if index else None

    def at(self, moment: datetime) -> Rules:
        return _rules_at(self.standard, moment, self._published_last_before)


def _publications(standard):
    return PageLogEntry.objects.filter(
        page=standard, action="wagtail.publish", revision__isnull=False
    )


def _rules_at(standard, at, published_last_before) -> Rules:
    """The one rule for which revision governs `at`: the live one from its publication on,
    before that the one published last before `at`, and none before the first."""
    if standard is None:
        raise NoStandardInForce(_("No published quality standard is in force."))
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)

    if at is None or at >= (standard.last_published_at or timezone.now()):
        if standard.live_revision_id is None:
            # Made live in code without a revision: the row is the truth.
            return _rules_from(StandardPage.objects.get(pk=standard.pk), None)
        return rules_of_revision(standard.live_revision_id)

    revision_id = published_last_before(at)
    if revision_id is None:
        raise NoStandardInForce(_("No quality standard was published at that time."))
    return rules_of_revision(revision_id)


@functools.lru_cache(maxsize=256)
def rules_of_revision(revision_id: int) -> Rules:
    """The rules a published revision sets, read once per process.

    A revision is never changed once written (an edit makes a new one), so its rules can be
    kept: each registration and triage reads the revision once per process. The
    live revision's redirect destinations cannot be deleted meanwhile (the page's
    StandardRedirect rows protect them). Tests clear the cache (conftest), since a
    rolled-back test database reuses revision ids.
    """
    return _rules_from_revision(Revision.objects.get(pk=revision_id))
