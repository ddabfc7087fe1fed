"""Intake: registering a referral (the start of the process), duplicates and reopening."""

import datetime
import re
from collections import Counter
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pages.models import LegalBasis, TeamPage
from pages.rules import NoStandardForBasis, NoStandardInForce, Rules, rules_in_force

from ..models import Case, Person, Referral, ReferralSource, Stage, deadline_fields


def rules_for_referral(*, team: TeamPage, legal_basis: str, received_at) -> Rules:
    """The rules of the team's standard for `legal_basis` in force when the referral was
    received; received before that standard was first published, the first one governs.
    Never a standard for another basis (`NoStandardForBasis`)."""
    try:
        return rules_in_force(team=team, legal_basis=legal_basis, at=received_at)
    except NoStandardForBasis:
        raise
    except NoStandardInForce:
        return rules_in_force(team=team, legal_basis=legal_basis)


def no_standard_message(legal_basis: str) -> str:
    return _(
        "The team has no published quality standard for %(basis)s, so the referral cannot "
        "be handled under it. Choose another legal basis, or redirect the referral."
    ) % {"basis": LegalBasis(legal_basis).label}


@transaction.atomic
def referral_register(
    *,
    team: TeamPage,
    person: Person,
    concern: str,
    channel: str,
    received_at: datetime.datetime | None = None,
    source: ReferralSource | None = None,
    concern_categories: list[str] | None = None,
    referrer_name: str = "",
    referrer_contact: str = "",
    acute: bool = False,
    emergency_call: str = "",
    registered_by=None,
    reopened_from: Case | None = None,
    without_standard: bool = False,
    legal_basis: str = LegalBasis.SECTION_99,
) -> Case:
    """Register a referral and start its process; the case lands in the team's triage queue.

    The one start of the process: the staff intake screen, reopening and (later) the public
    web form all call it. `person` may be new (unsaved) or one the team already knows.

    The team's standard for `legal_basis` sets the deadlines. With none in force the
    referral is refused, unless `without_standard`: then it is registered without a deadline
    (the public form never turns a concern away) and triage settles the basis.
    """
    from ..flows import ReferralFlow

    received_at = received_at or timezone.now()
    try:
        rules = rules_for_referral(team=team, legal_basis=legal_basis, received_at=received_at)
    except NoStandardForBasis as exc:
        if not without_standard:
            raise ValidationError({"legal_basis": no_standard_message(legal_basis)}) from exc
        rules = None
    except NoStandardInForce as exc:
        if not without_standard:
            raise ValidationError(
                _("No published quality standard governs this team, so no deadline can be set.")
            ) from exc
        rules = None

    person.full_clean()
    person.save()
    case = Case(
        person=person,
        team=team,
        stage=Stage.TRIAGE,
        legal_basis=legal_basis,
        standard_revision_id=rules.revision_id if rules else None,
        referral_received_at=received_at,
        **deadline_fields(rules, received_at),
        created_by=registered_by,
        reopened_from=reopened_from,
    )
    referral = Referral(
        case=case,
        received_at=received_at,
        channel=channel,
        source=source,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        concern=concern,
        concern_categories=list(concern_categories or []),
        acute=acute,
        emergency_call=emergency_call,
        registered_by=registered_by,
    )
    # The source and the registering user are rows the caller has loaded (the database's
    # foreign keys still refuse one deleted meanwhile): not looked up again.
    referral.full_clean(exclude=["case", "source", "registered_by"])
    ReferralFlow.start.run(case=case, registered_by=registered_by)  # saves the case
    referral.save()
    return case


def case_attach_process(*, case: Case, activation, registered_by=None) -> None:
    """Save a new case with the process its start task creates (called by the flow)."""
    activation.process.save()
    activation.task.owner = registered_by
    case.process = activation.process
    case.save()


def _words(text):
    return {word for word in re.findall(r"\w+", (text or "").lower()) if len(word) >= 4}


class _Similar:
    """`SequenceMatcher(None, wanted, other).ratio() >= threshold` for one wanted text
    against many others (both stripped and lowercased; empty is never similar).

    The ratio is 2 * matches / (len(wanted) + len(other)), and matches can be neither more
    than the shorter text's length nor more than the characters the texts share; difflib's
    own `get_close_matches` rules others out on these two bounds before the (costly) full
    comparison, and so does this: the answer is the same, most others never reach it.
    """

    def __init__(self, wanted, threshold):
        self.wanted = (wanted or "").strip().lower()
        self.threshold = threshold
        self.counts = list(Counter(self.wanted).items())

    def __call__(self, other):
        if not self.wanted:
            return False
        other = (other or "").strip().lower()
        if not other:
            return False
        total = len(self.wanted) + len(other)
        if 2.0 * min(len(self.wanted), len(other)) / total < self.threshold:
            return False
        shared = 0
        for char, count in self.counts:
            shared += min(count, other.count(char))
        if 2.0 * shared / total < self.threshold:
            return False
        return SequenceMatcher(None, self.wanted, other).ratio() >= self.threshold


def _same_place(wanted_words, whereabouts):
    if not wanted_words:
        return False
    other_words = _words(whereabouts)
    if not other_words:
        return False
    shared = wanted_words & other_words
    return len(shared) / min(len(wanted_words), len(other_words)) >= 0.6


def possible_duplicates(*, person: Person, user, limit: int = 500) -> list[Case]:
    """Open cases the user may see that could be the same person.

    Same CPR number, the same or a similar name or alias, or a description of where the
    person is met that shares most of its words.
    """
    candidates = (
        Case.objects.visible_to(user)
        .open()
        .exclude(person_id=person.pk)
        .order_by("-created_at")
        .values_list("pk", "person__cpr", "person__alias", "person__name", "person__whereabouts")[
            :limit
        ]
    )
    # Compared on the few person fields only; the (usually no) matches are loaded whole.
    wanted_words = _words(person.whereabouts)
    similar_alias, similar_name = _Similar(person.alias, 0.8), _Similar(person.name, 0.85)
    found = [
        pk
        for pk, cpr, alias, name, whereabouts in candidates
        if (bool(person.cpr) and cpr == person.cpr)
        or similar_alias(alias)
        or similar_name(name)
        or _same_place(wanted_words, whereabouts)
    ]
    if not found:
        return []
    cases = Case.objects.select_related("person", "team", "referral").in_bulk(found)
    return [cases[pk] for pk in found if pk in cases]


@transaction.atomic
def case_reopen(
    *,
    case: Case,
    concern: str,
    channel: str,
    source: ReferralSource | None,
    reopened_by,
    received_at: datetime.datetime | None = None,
) -> Case:
    """A new process for the person of a closed case, linked to it.

    The new referral records who made contact this time (`source`); the closed case's
    referral keeps its own. The status report still counts a person under the source of
    the case that brought them in (docs/status_report.md)."""
    if source is None:
        raise ValidationError({"source": _("Choose who made contact this time.")})
    if case.is_open:
        raise ValidationError(_("Only a closed case can be reopened."))
    if case.reopenings.filter(stage__in=[s for s in Stage.values if s != Stage.CLOSED]).exists():
        raise ValidationError(_("This case has already been reopened and is still open."))
    return referral_register(
        team=case.team,
        person=case.person,
        concern=concern,
        channel=channel,
        received_at=received_at,
        source=source,
        registered_by=reopened_by,
        reopened_from=case,
        legal_basis=case.legal_basis,
    )
