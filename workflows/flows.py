"""The referral process: routing only; every step's work is a service in workflows.services."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import lock, nodes
from viewflow.workflow.base import Flow

from . import services
from .models import CaseProcess, HandoverBasis, Stage
from .nodes import TeamTask


class ReferralFlow(Flow):
    """Referral to a support and contact person (SKP)

    From a referral through triage, outreach, support and reassessment to handover or closure.
    """

    process_title = _("Referral to a support and contact person")
    process_class = CaseProcess
    lock_impl = lock.select_for_update_lock

    start = (
        nodes.StartHandle(this.start_case)
        .Annotation(title=_("Referral registered"))
        .Next(this.triage)
    )
    triage = (
        TeamTask()
        .Team(this.case_team)
        .Permission("workflows.triage_case")
        .Annotation(title=_("Triage the referral"))
        .Next(this.is_accepted)
    )
    is_accepted = (
        nodes.Switch()
        .Annotation(title=_("Accepted?"))
        .Case(this.outreach, this.case_accepted)
        .Default(this.end)
    )
    outreach = (
        TeamTask()
        .Team(this.case_team)
        .Permission("workflows.work_case")
        .Assign(this.primary_worker)
        .Annotation(title=_("Outreach: make contact"))
        .Next(this.is_contact_made)
    )
    is_contact_made = (
        nodes.Switch()
        .Annotation(title=_("Contact made?"))
        .Case(this.plan_support, this.contact_made)
        .Default(this.end)
    )
    plan_support = (
        nodes.Function(this.plan_support_period)
        .Annotation(title=_("Plan the support period"))
        .Next(this.support)
    )
    support = (
        nodes.Split()
        .Annotation(title=_("Support"))
        .Next(this.wait_for_reassessment, case=this.has_reassessment_date)
        .Always(this.end_support)
    )
    wait_for_reassessment = (
        nodes.Timer(this.reassessment_due)
        .Annotation(title=_("Waiting for the reassessment date"))
        .Next(this.support_ended)
    )
    end_support = (
        TeamTask()
        .Team(this.case_team)
        .Permission("workflows.work_case")
        .Assign(this.primary_worker)
        .Annotation(title=_("Support in progress"))
        .Next(this.support_ended)
    )
    # The first branch to arrive (timer or early end) cancels the other: nothing dangles.
    support_ended = (
        nodes.Join(continue_on_condition=this.first_branch_arrived)
        .Annotation(title=_("Support period over"))
        .Next(this.is_reassessment_due)
    )
    is_reassessment_due = (
        nodes.Switch()
        .Annotation(title=_("Reassessment due?"))
        .Case(this.reassess, this.in_support)
        .Case(this.hand_over, this.handing_over)
        .Default(this.end)
    )
    reassess = (
        TeamTask()
        .Team(this.case_team)
        .Permission("workflows.work_case")
        .Assign(this.primary_worker)
        .onCreate(this.open_reassessment)
        .Annotation(title=_("Reassessment"))
        .Next(this.is_support_continued)
    )
    is_support_continued = (
        nodes.Switch()
        .Annotation(title=_("Support continued?"))
        .Case(this.plan_support, this.in_support)
        .Case(this.hand_over, this.handing_over)
        .Default(this.end)
    )
    hand_over = (
        TeamTask()
        .Team(this.case_team)
        .Permission("workflows.work_case")
        .Assign(this.primary_worker)
        .Annotation(title=_("Hand over to another service"))
        .Next(this.is_handover_sent)
    )
    is_handover_sent = (
        nodes.Switch()
        .Annotation(title=_("Handover sent?"))
        .Case(this.await_acknowledgement, this.handover_sent)
        .Default(this.plan_support)
    )
    # A handover resting on the citizen's consent ends if the consent is withdrawn before
    # the receiving team acknowledges it (services.consent_withdraw runs `consent_withdrawn`).
    await_acknowledgement = (
        nodes.Split()
        .Annotation(title=_("Waiting for the receiving team"))
        .Next(this.consent_withdrawn, case=this.rests_on_consent)
        .Always(this.acknowledge_handover)
    )
    acknowledge_handover = (
        TeamTask()
        .Team(this.receiving_team)
        .Permission("workflows.acknowledge_handover")
        .Annotation(title=_("Acknowledge the handover"))
        .Next(this.handover_settled)
    )
    consent_withdrawn = (
        nodes.Handle(this.end_handover)
        .Annotation(title=_("Consent withdrawn before acknowledgement"))
        .Next(this.handover_settled)
    )
    # The first branch to arrive (acknowledgement or withdrawal) cancels the other.
    handover_settled = (
        nodes.Join(continue_on_condition=this.first_branch_arrived)
        .Annotation(title=_("Handover settled"))
        .Next(this.is_handover_acknowledged)
    )
    is_handover_acknowledged = (
        nodes.Switch()
        .Annotation(title=_("Acknowledged?"))
        .Case(this.end, this.handover_acknowledged)
        .Default(this.reassess)
    )
    end = nodes.End().Annotation(title=_("Closed"))

    # --- adapters ------------------------------------------------------------------------

    def start_case(self, activation, case, registered_by=None):
        services.case_attach_process(case=case, activation=activation, registered_by=registered_by)
        return activation.process

    def case_team(self, process):
        return process.case.team_id

    def receiving_team(self, process):
        return process.case.handover_team_id

    def primary_worker(self, activation):
        return activation.process.case.primary_worker

    def case_accepted(self, activation):
        return activation.process.case.stage == Stage.OUTREACH

    def contact_made(self, activation):
        return activation.process.case.stage == Stage.SUPPORT

    def in_support(self, activation):
        return activation.process.case.stage == Stage.SUPPORT

    def handing_over(self, activation):
        return activation.process.case.stage == Stage.HANDOVER

    def handover_sent(self, activation):
        return activation.process.case.handover_sent_at is not None

    def rests_on_consent(self, activation):
        return activation.process.case.handover_basis == HandoverBasis.CONSENT

    def handover_acknowledged(self, activation):
        return activation.process.case.handover_acknowledged_at is not None

    def end_handover(self, activation):
        services.handover_end(case=activation.process.case)

    def plan_support_period(self, activation):
        services.support_period_plan(case=activation.process.case)

    def has_reassessment_date(self, activation):
        return activation.process.case.reassessment_due_at is not None

    def reassessment_due(self, activation):
        return activation.process.case.reassessment_due_at

    def first_branch_arrived(self, activation, active_tasks):
        return True

    def open_reassessment(self, activation):
        services.reassessment_open(case=activation.process.case)
