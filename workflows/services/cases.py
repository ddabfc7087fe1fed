"""The work on a case: triage decisions, contacts, goals, consent, support, handover, closure."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from pages.models import RedirectReason, TeamPage, redirect_label, split_redirect_key
from pages.rules import NoStandardForBasis, NoStandardInForce, rules_in_force

from ..models import (
    WORKER_OUTCOMES,
    Case,
    Consent,
    ContactLog,
    Goal,
    HandoverBasis,
    Outcome,
    Person,
    Reassessment,
    Stage,
    deadline_fields,
)
from .intake import no_standard_message, rules_for_referral
from .people import users_with_perm_in_team
from .tasks import handover_withdraw

WORK_STAGES = (Stage.TRIAGE, Stage.OUTREACH, Stage.SUPPORT, Stage.REASSESSMENT, Stage.HANDOVER)


def _require_stage(case, *stages):
    if case.stage not in stages:
        raise ValidationError(
            _("The case is at the step “%(stage)s”; this cannot be done now.")
            % {"stage": case.get_stage_display()}
        )


def _close(case, *, outcome, note=""):
    case.stage = Stage.CLOSED
    case.outcome = outcome
    case.outcome_note = note
    case.closed_at = timezone.now()
    case.save()


# --- Triage --------------------------------------------------------------------------------


def suggested_redirect(*, case: Case) -> str | None:
    """The redirect reason the standard suggests for this referral, if any."""
    if case.referral.acute:
        return RedirectReason.ACUTE
    try:
        rules = rules_in_force(
            team=case.team, legal_basis=case.legal_basis, at=case.referral.received_at
        )
    except NoStandardInForce:
        return None
    age = case.person.age_on(timezone.localtime(case.referral.received_at).date())
    return rules.age_outside_range(age)


def _confirm_legal_basis(case: Case, legal_basis: str) -> list[str]:
    """Settle the case's legal basis at triage; the fields it changed.

    A changed basis, or a case registered without a standard, takes the team's standard for
    the basis in force at receipt, and its deadlines. The team has none for it: refused,
    never another basis's standard.
    """
    changed = legal_basis != case.legal_basis
    if not changed and case.standard_revision_id is not None:
        return []
    received_at = case.referral_received_at or case.referral.received_at
    try:
        rules = rules_for_referral(team=case.team, legal_basis=legal_basis, received_at=received_at)
    except NoStandardInForce as exc:
        if changed or isinstance(exc, NoStandardForBasis):
            raise ValidationError({"legal_basis": no_standard_message(legal_basis)}) from exc
        return []  # no standard of any kind in force: the case stays without a deadline
    fields = {
        "legal_basis": legal_basis,
        "standard_revision_id": rules.revision_id,
        **deadline_fields(rules, received_at),
    }
    for name, value in fields.items():
        setattr(case, name, value)
    return list(fields)


@transaction.atomic
def referral_accept(
    *, case: Case, primary_worker, second_worker=None, triaged_by, legal_basis: str | None = None
) -> Case:
    """Accept the referral: one or two contact persons of the team take it, under the legal
    basis the coordinator confirms (default: the one chosen at intake)."""
    _require_stage(case, Stage.TRIAGE)
    changed = _confirm_legal_basis(case, legal_basis or case.legal_basis)
    workers = set(
        users_with_perm_in_team(case.team_id, "workflows.work_case").values_list("pk", flat=True)
    )
    if primary_worker.pk not in workers:
        raise ValidationError(
            {"primary_worker": _("The primary contact person must be a worker of the team.")}
        )
    if second_worker is not None:
        if second_worker.pk == primary_worker.pk:
            raise ValidationError(
                {"second_worker": _("Choose a different person as second contact person.")}
            )
        if second_worker.pk not in workers:
            raise ValidationError(
                {"second_worker": _("The second contact person must be a worker of the team.")}
            )
    case.primary_worker = primary_worker
    case.second_worker = second_worker
    case.stage = Stage.OUTREACH
    case.save(update_fields=["primary_worker", "second_worker", "stage", *changed])
    return case


def _redirects_in_force(case: Case) -> dict:
    """The standard's redirects for the case's team and basis now: {reason key: page ids}."""
    try:
        return rules_in_force(team=case.team, legal_basis=case.legal_basis).redirects
    except NoStandardInForce:
        return {}


def _redirect_options(named: dict) -> list[tuple[str, str]]:
    built_in = [value for value in RedirectReason.values if value != RedirectReason.OTHER]
    own = [key for key in named if split_redirect_key(key)[0] == RedirectReason.OTHER]
    return [(key, redirect_label(*split_redirect_key(key))) for key in [*built_in, *own]]


def redirect_options(*, case: Case) -> list[tuple[str, str]]:
    """(key, label) of every reason a referral can be redirected for: the built-in ones,
    then those the case's standard names in its own words."""
    return _redirect_options(_redirects_in_force(case))


@transaction.atomic
def referral_redirect(
    *, case: Case, reason: str, destination: Page | None = None, note: str = "", triaged_by
) -> Case:
    """Send the referral elsewhere. `reason` is a key of `redirect_options`; the
    destinations default to every one the standard names for it."""
    _require_stage(case, Stage.TRIAGE)
    named = _redirects_in_force(case)
    if reason not in dict(_redirect_options(named)):
        raise ValidationError({"redirect_reason": _("Choose a reason.")})
    destination_ids = [destination.pk] if destination is not None else list(named.get(reason, ()))
    if not destination_ids:
        raise ValidationError(
            {
                "redirect_destination": _(
                    "The quality standard names no destination for this reason. "
                    "Choose one from the contact directory."
                )
            }
        )
    case.redirect_reason, case.redirect_reason_text = split_redirect_key(reason)
    _close(case, outcome=Outcome.REDIRECTED, note=note)
    case.redirect_destinations.set(destination_ids)
    return case


@transaction.atomic
def referral_decline(*, case: Case, note: str, triaged_by) -> Case:
    """Decline: the person is outside the scheme's target group."""
    _require_stage(case, Stage.TRIAGE)
    if not note.strip():
        raise ValidationError({"note": _("Explain why the person is outside the target group.")})
    _close(case, outcome=Outcome.OUTSIDE_TARGET_GROUP, note=note)
    return case


def merge_candidates(*, case: Case, user):
    """Open cases of the same team, visible to `user`, that a referral could be merged into."""
    return (
        Case.objects.visible_to(user)
        .open()
        .filter(team_id=case.team_id)
        .exclude(pk=case.pk)
        .exclude(stage=Stage.TRIAGE, merged_into__isnull=False)
        .select_related("person")
        .order_by("-created_at")
    )


@transaction.atomic
def referral_merge(*, case: Case, into: Case, note: str = "", triaged_by) -> Case:
    """The referral concerns a person the team already works with: add it to that case."""
    _require_stage(case, Stage.TRIAGE)
    if not merge_candidates(case=case, user=triaged_by).filter(pk=into.pk).exists():
        raise ValidationError({"merge_into": _("Choose an open case of the same team.")})
    case.merged_into = into
    _close(case, outcome=Outcome.MERGED, note=note)
    return case


# --- Outreach and contacts -----------------------------------------------------------------


@transaction.atomic
def contact_log_add(
    *,
    case: Case,
    worker,
    kind: str,
    achieved: bool,
    occurred_at: datetime.datetime | None = None,
    duration_minutes: int | None = None,
    note: str = "",
) -> ContactLog:
    """Log a contact or a contact attempt; the first achieved contact is the case's first."""
    _require_stage(case, *WORK_STAGES)
    contact = ContactLog(
        case=case,
        worker=worker,
        kind=kind,
        achieved=achieved,
        occurred_at=occurred_at or timezone.now(),
        duration_minutes=duration_minutes,
        note=note,
    )
    contact.full_clean(exclude=["case", "worker"])
    contact.save()
    if achieved and (case.first_contact_at is None or contact.occurred_at < case.first_contact_at):
        case.first_contact_at = contact.occurred_at
        case.save(update_fields=["first_contact_at"])
    return contact


class OutreachResult:
    CONTACT_MADE = "contact_made"
    DECLINED = "declined"
    GAVE_UP = "gave_up"


@transaction.atomic
def outreach_finish(*, case: Case, result: str, note: str = "", by) -> Case:
    """End outreach: contact made (support starts), the person declined, or no contact."""
    _require_stage(case, Stage.OUTREACH)
    if result == OutreachResult.CONTACT_MADE:
        if case.first_contact_at is None:
            raise ValidationError(
                {"result": _("Log the contact first: no achieved contact is logged yet.")}
            )
        case.stage = Stage.SUPPORT
        case.support_started_at = timezone.now()
        case.save()
    elif result == OutreachResult.DECLINED:
        _close(case, outcome=Outcome.DECLINED, note=note)
    elif result == OutreachResult.GAVE_UP:
        if not case.contacts.filter(achieved=False).exists():
            raise ValidationError(
                {"result": _("Log the failed contact attempts before giving up.")}
            )
        _close(case, outcome=Outcome.NO_CONTACT, note=note)
    else:
        raise ValidationError({"result": _("Choose how outreach ended.")})
    return case


# --- Goals, consent and the person ---------------------------------------------------------


@transaction.atomic
def goal_add(*, case: Case, area: str, description: str = "", by) -> Goal:
    """Record a goal set together with the citizen."""
    _require_stage(case, *WORK_STAGES)
    goal = Goal(case=case, area=area, description=description, created_by=by)
    goal.full_clean(exclude=["case"])
    goal.save()
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, status: str, by) -> Goal:
    _require_stage(goal.case, *WORK_STAGES)
    goal.status = status
    goal.updated_at = timezone.now()
    goal.full_clean(exclude=["case"])
    goal.save(update_fields=["status", "updated_at"])
    return goal


@transaction.atomic
def consent_record(
    *,
    case: Case,
    receiver: Page,
    information: str,
    form: str,
    given_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    refused: bool = False,
    by,
) -> Consent:
    """Record the citizen's consent (or refusal) to share information with a receiver."""
    consent = Consent(
        person=case.person,
        case=case,
        receiver=receiver,
        information=information,
        form=form,
        given_on=given_on or timezone.localdate(),
        expires_on=expires_on,
        refused=refused,
        recorded_by=by,
    )
    consent.full_clean(exclude=["person", "case"])
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, withdrawn_on: datetime.date | None = None, by) -> Consent:
    """The citizen withdraws a consent; it no longer covers any handover.

    A handover sent on this consent ends: not yet acknowledged, it is cancelled and the case
    goes back to its team's reassessment; acknowledged, the receiving team no longer reads
    the summary (`receiving_team_visibility`).
    """

    if consent.refused:
        raise ValidationError(_("A refusal cannot be withdrawn; record a new consent instead."))
    if consent.withdrawn_on is not None:
        raise ValidationError(_("The consent has already been withdrawn."))
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on < consent.given_on:
        raise ValidationError(_("A consent cannot be withdrawn before it was given."))
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    resting = Case.objects.filter(
        handover_consent=consent,
        handover_basis=HandoverBasis.CONSENT,
        handover_sent_at__isnull=False,
        handover_withdrawn_at__isnull=True,
    )
    for case in resting:
        handover_withdraw(case=case)
    return consent


@transaction.atomic
def person_update(*, person: Person, data: dict) -> Person:
    """Change what is known about the person (identifying details are always optional)."""
    for name, value in data.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    return person


# --- Support and reassessment --------------------------------------------------------------


@transaction.atomic
def support_period_plan(*, case: Case) -> Case:
    """Set the next reassessment date from the standard in force now (None: no fixed one,
    or a one-off reassessment already made)."""
    base = case.last_reassessed_at or case.support_started_at or timezone.now()
    try:
        rules = rules_in_force(team=case.team, legal_basis=case.legal_basis)
    except NoStandardInForce:
        rules = None
    reassessed_before = case.last_reassessed_at is not None
    case.reassessment_due_at = (
        rules.reassessment_due(base, reassessed_before=reassessed_before) if rules else None
    )
    case.reassessment_is_reminder = bool(rules and rules.reassessment_is_reminder)
    case.reassessment_revision_id = rules.revision_id if rules else None
    case.save(
        update_fields=["reassessment_due_at", "reassessment_is_reminder", "reassessment_revision"]
    )
    return case


class SupportNext:
    HAND_OVER = "hand_over"
    CLOSE = "close"


@transaction.atomic
def support_end(*, case: Case, next_step: str, outcome: str = "", note: str = "", by) -> Case:
    """End support before the reassessment: hand over, or close with an outcome."""
    _require_stage(case, Stage.SUPPORT)
    if next_step == SupportNext.HAND_OVER:
        case.stage = Stage.HANDOVER
        case.save(update_fields=["stage"])
    elif next_step == SupportNext.CLOSE:
        if outcome not in WORKER_OUTCOMES:
            raise ValidationError({"outcome": _("Choose the outcome.")})
        _close(case, outcome=outcome, note=note)
    else:
        raise ValidationError({"next_step": _("Choose what happens next.")})
    return case


@transaction.atomic
def reassessment_open(*, case: Case) -> Reassessment:
    """The reassessment date has come (called when the timer opens the task)."""
    case.stage = Stage.REASSESSMENT
    case.save(update_fields=["stage"])
    reassessment = new_reassessment(case)
    reassessment.save()
    return reassessment


def new_reassessment(case: Case, **fields) -> Reassessment:
    """The (unsaved) reassessment the case's reassessment date opens, under its revision."""
    return Reassessment(
        case=case,
        due_at=case.reassessment_due_at,
        standard_revision_id=case.reassessment_revision_id,
        **fields,
    )


@transaction.atomic
def reassessment_decide(
    *, case: Case, decision: str, note: str, outcome: str = "", by
) -> Reassessment:
    """Continue for a new period, hand over, or close."""
    _require_stage(case, Stage.REASSESSMENT)
    if not note.strip():
        raise ValidationError({"note": _("Write the assessment.")})
    reassessment = case.reassessments.filter(decided_at__isnull=True).order_by("-pk").first()
    if reassessment is None:
        reassessment = Reassessment(case=case, due_at=case.reassessment_due_at)
    # A new support period (also after a cancelled handover) counts from this reassessment.
    case.last_reassessed_at = timezone.now()
    if decision == Reassessment.Decision.CONTINUE:
        case.stage = Stage.SUPPORT
        case.save(update_fields=["stage", "last_reassessed_at"])
    elif decision == Reassessment.Decision.HAND_OVER:
        case.stage = Stage.HANDOVER
        case.save(update_fields=["stage", "last_reassessed_at"])
    elif decision == Reassessment.Decision.CLOSE:
        if outcome not in WORKER_OUTCOMES:
            raise ValidationError({"outcome": _("Choose the outcome.")})
        _close(case, outcome=outcome, note=note)
    else:
        raise ValidationError({"decision": _("Choose a decision.")})
    reassessment.decision = decision
    reassessment.note = note
    reassessment.decided_at = timezone.now()
    reassessment.decided_by = by
    reassessment.save()
    return reassessment


# --- Handover ------------------------------------------------------------------------------


def _consent_covering(*, person: Person, team: TeamPage, day: datetime.date) -> Consent:
    """The valid consent covering `team` (or its department), or a clear refusal."""
    receivers = [team.pk, team.get_parent().pk]
    consents = list(person.consents.filter(receiver_id__in=receivers).order_by("-given_on", "-pk"))
    for consent in consents:
        if consent.is_valid_on(day):
            return consent
    if not consents:
        message = _(
            "The handover is refused: no consent from the citizen to share information "
            "with %(team)s is recorded. Record a written or oral consent, or document a "
            "legal basis (duty to notify)."
        )
    else:
        latest = consents[0]
        if latest.refused:
            message = _(
                "The handover is refused: the citizen refused consent to share information "
                "with %(team)s."
            )
        elif latest.withdrawn_on and latest.withdrawn_on <= day:
            message = _(
                "The handover is refused: the consent to share information with %(team)s "
                "was withdrawn on %(date)s."
            )
        elif latest.expires_on and latest.expires_on < day:
            message = _(
                "The handover is refused: the consent to share information with %(team)s "
                "expired on %(date)s."
            )
        else:
            message = _(
                "The handover is refused: no valid consent to share information with "
                "%(team)s is recorded."
            )
        return_date = latest.withdrawn_on or latest.expires_on
        raise ValidationError(
            message % {"team": team.title, "date": date_format(return_date) if return_date else ""}
        )
    raise ValidationError(message % {"team": team.title})


def handover_teams(*, case: Case):
    """Teams in other departments a case can be handed over to."""
    department = case.team.get_parent()
    return (
        TeamPage.objects.filter(live=True)
        .exclude(pk=case.team_id)
        .exclude(path__startswith=department.path)
        .order_by("title")
    )


@transaction.atomic
def case_hand_over(
    *,
    case: Case,
    receiving_team: TeamPage,
    summary: str,
    basis: str,
    legal_note: str = "",
    by,
) -> Case:
    """Send the case to a receiving team; needs a valid consent or a documented legal basis."""
    _require_stage(case, Stage.HANDOVER)
    if not handover_teams(case=case).filter(pk=receiving_team.pk).exists():
        raise ValidationError({"receiving_team": _("Choose a team in another department.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write the summary the receiving team will read.")})
    consent = None
    if basis == HandoverBasis.CONSENT:
        consent = _consent_covering(
            person=case.person, team=receiving_team, day=timezone.localdate()
        )
    elif basis == HandoverBasis.DUTY_TO_NOTIFY:
        if not legal_note.strip():
            raise ValidationError(
                {"legal_note": _("Document the legal basis for sharing without consent.")}
            )
    else:
        raise ValidationError({"basis": _("Choose the basis for sharing information.")})
    case.handover_team = receiving_team
    case.handover_summary = summary
    case.handover_basis = basis
    case.handover_consent = consent
    case.handover_legal_note = legal_note
    case.handover_sent_at = timezone.now()
    case.handover_withdrawn_at = None
    case.save()
    return case


@transaction.atomic
def handover_cancel(*, case: Case, by) -> Case:
    """Do not hand over after all: back to support."""
    _require_stage(case, Stage.HANDOVER)
    if case.handover_sent_at is not None:
        raise ValidationError(_("The handover has already been sent."))
    case.stage = Stage.SUPPORT
    case.save(update_fields=["stage"])
    return case


@transaction.atomic
def handover_end(*, case: Case) -> Case:
    """The consent a handover rested on was withdrawn before the receiving team acknowledged
    it: the handover is cancelled, and the flow opens the team's reassessment."""
    _require_stage(case, Stage.HANDOVER)
    case.handover_withdrawn_at = timezone.now()
    case.handover_sent_at = None
    case.save(update_fields=["handover_withdrawn_at", "handover_sent_at"])
    return case


@transaction.atomic
def handover_acknowledge(*, case: Case, by, note: str = "") -> Case:
    """The receiving team has taken over: the case ends as handed over."""
    _require_stage(case, Stage.HANDOVER)
    if case.handover_sent_at is None:
        raise ValidationError(_("No handover has been sent."))
    case.handover_acknowledged_at = timezone.now()
    case.handover_acknowledged_by = by
    _close(case, outcome=Outcome.HANDED_OVER, note=note)
    return case
