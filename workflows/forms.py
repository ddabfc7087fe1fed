"""Forms of the work screens: they validate input; services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from intranet.forms import (
    JINJA2_RENDERER,
    ModelChoiceField,
    ModelChoiceIterator,
    PlainTextFormMixin,
)
from intranet.submissions import OnceOnlyFormMixin
from pages.models import LegalBasis, PartnerPage, TeamPage

from . import services
from .models import (
    WORKER_OUTCOMES,
    ConcernCategory,
    Consent,
    ContactLog,
    EmergencyCall,
    EmergencyCategory,
    Goal,
    GoalStatus,
    HandoverBasis,
    Person,
    Reassessment,
    Referral,
    ReferralSource,
    validate_emergency_reason,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WORKER_OUTCOME_CHOICES = [("", "---------")] + [(o.value, o.label) for o in WORKER_OUTCOMES]


def _user_label(user):
    return user.get_full_name() or user.get_username()


class UserChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


def directory_pages():
    return Page.objects.live().type(TeamPage, PartnerPage).order_by("title")


class DirectoryPageField(ModelChoiceField):
    """A live team or partner page of the contact directory (queryset set by the form)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Page.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return obj.title


class PersonForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "alias",
            "whereabouts",
            "name",
            "cpr",
            "phone",
            "address",
            "gender",
            "birth_year",
            "age_group",
            "income_source",
            "marital_status",
            "living_alone",
            "housing",
            "main_problem",
        ]
        widgets = {
            "whereabouts": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "cpr": forms.TextInput(attrs={"placeholder": "DDMMYY-XXXX", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }


class _CandidateChoices(ModelChoiceIterator):
    """A CandidateField's choices, reading the field's queryset only when they are listed
    (Django's iterator takes the queryset when made, which is when the field is)."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class CandidateField(ModelChoiceField):
    """A choice whose queryset (`candidates()`, set by the form) is built when first used: a
    sent form that leaves it empty needs none."""

    iterator = _CandidateChoices
    candidates = None

    @property
    def queryset(self):
        if self._queryset is None and self.candidates is not None:
            self._set_queryset(self.candidates())
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._set_queryset(queryset)

    def __deepcopy__(self, memo):
        # Each form's copy lists its own candidates (the widget's choices, copied from the
        # class's field, would read that field's queryset).
        result = super().__deepcopy__(memo)
        result.widget.choices = result.choices
        return result


class LoadedTeamField(ModelChoiceField):
    """A choice among the teams its form has loaded (`teams`): checking it reads nothing."""

    teams = ()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = TeamPage._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        for team in self.teams:
            if team.pk == pk:
                return team
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


def referral_sources():
    """The sources a new referral may name: those in use (the list is a snippet)."""
    return ReferralSource.objects.filter(active=True)


def legal_basis_field():
    # The select offers no empty choice; a form sent without the field keeps the default
    # (§ 99 at intake, the intake's choice at triage) rather than failing.
    return forms.ChoiceField(
        label=_("Legal basis"),
        choices=LegalBasis.choices,
        initial=LegalBasis.SECTION_99,
        required=False,
        help_text=_("The team's quality standard for this section sets the deadlines."),
    )


class ReferralForm(PlainTextFormMixin, OnceOnlyFormMixin, forms.ModelForm):
    team = LoadedTeamField(queryset=TeamPage.objects.none(), label=_("Team"))
    legal_basis = legal_basis_field()
    concern_categories = forms.MultipleChoiceField(
        label=_("Concern categories"),
        choices=ConcernCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["team", "legal_basis"]

    class Meta:
        model = Referral
        fields = [
            "received_at",
            "channel",
            "source",
            "referrer_name",
            "referrer_contact",
            "concern",
            "concern_categories",
            "acute",
            "emergency_call",
        ]
        widgets = {
            "received_at": DATETIME_INPUT,
            "concern": forms.Textarea(attrs={"rows": 5}),
            "emergency_call": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = TeamPage.objects.for_user(user).order_by("title")
        self.fields["team"].queryset = teams
        self.fields["team"].teams = list(teams)
        if len(self.fields["team"].teams) == 1:
            self.fields["team"].initial = self.fields["team"].teams[0].pk
        self.fields["source"].queryset = referral_sources()
        self.fields["source"].required = True
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["emergency_call"].choices = EmergencyCall.choices
        self.fields["emergency_call"].required = False

    def clean(self):
        data = super().clean()
        if data.get("acute") and not data.get("emergency_call"):
            self.add_error("emergency_call", _("Say whether 112 or 114 was called."))
        return data


class TriageForm(PlainTextFormMixin, forms.Form):
    ACCEPT, REDIRECT, DECLINE, MERGE = "accept", "redirect", "decline", "merge"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (ACCEPT, _("Accept: the team takes the case")),
            (REDIRECT, _("Redirect to another service")),
            (DECLINE, _("Decline: outside the target group")),
            (MERGE, _("Merge into an open case of the team")),
        ],
    )
    legal_basis = legal_basis_field()
    primary_worker = UserChoiceField(
        queryset=None, required=False, label=_("Primary contact person")
    )
    second_worker = UserChoiceField(
        queryset=None, required=False, label=_("Second contact person (optional)")
    )
    redirect_reason = forms.ChoiceField(
        label=_("Reason for redirecting"),
        required=False,
        help_text=_(
            "The quality standard's own reasons come after the built-in ones. The referral "
            "is sent to every destination the standard names for the reason."
        ),
    )
    redirect_destination = DirectoryPageField(
        required=False,
        label=_("Destination"),
        help_text=_("Leave empty to use the destinations the quality standard names."),
    )
    merge_into = CandidateField(queryset=None, required=False, label=_("Merge into case"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["legal_basis"].initial = case.legal_basis
        self.fields["legal_basis"].help_text = _(
            "Confirm or change the basis chosen at intake before accepting: the team's "
            "quality standard for it sets the deadlines."
        )
        workers = services.users_with_perm_in_team(case.team_id, "workflows.work_case")
        self.fields["primary_worker"].queryset = workers
        self.fields["second_worker"].queryset = workers
        self.fields["merge_into"].candidates = lambda: services.merge_candidates(
            case=case, user=user
        )
        # Read when shown or when a reason is sent: accepting reads no standard for it.
        self.fields["redirect_reason"].choices = lambda: [
            ("", "---------"),
            *services.redirect_options(case=case),
        ]
        self.fields["redirect_destination"].queryset = directory_pages()
        self.fields["merge_into"].label_from_instance = lambda c: (
            f"#{c.pk} {c.person} ({c.get_stage_display()})"
        )
        # A sent form shows what was sent: the suggestion is read only if it is shown again.
        if not self.is_bound and self.suggested_redirect:
            self.fields["redirect_reason"].initial = self.suggested_redirect

    @cached_property
    def suggested_redirect(self):
        """The redirect reason the quality standard suggests for the referral, if any."""
        return services.suggested_redirect(case=self.case)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.ACCEPT and not data.get("primary_worker"):
            self.add_error("primary_worker", _("Choose the primary contact person."))
        if decision == self.REDIRECT and not data.get("redirect_reason"):
            self.add_error("redirect_reason", _("Choose the reason for redirecting."))
        if decision == self.DECLINE and not data.get("note", "").strip():
            self.add_error("note", _("Explain why the person is outside the target group."))
        if decision == self.MERGE and not data.get("merge_into"):
            self.add_error("merge_into", _("Choose the case to merge into."))
        return data


class ContactLogForm(PlainTextFormMixin, OnceOnlyFormMixin, forms.ModelForm):
    default_renderer = JINJA2_RENDERER  # shown on every case page

    class Meta:
        model = ContactLog
        fields = ["occurred_at", "kind", "worker", "achieved", "duration_minutes", "note"]
        widgets = {
            "occurred_at": DATETIME_INPUT,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"worker": UserChoiceField}

    def __init__(self, *args, case, user, **kwargs):
        # Shown beside a task's decision form, which has a note too: ids of its own keep
        # each label on its field (the field names, and so the POST data, stay the same).
        kwargs.setdefault("auto_id", "id_contact_%s")
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = services.users_with_perm_in_team(
            case.team, "workflows.work_case"
        )
        self.fields["worker"].initial = user.pk
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class OutreachForm(PlainTextFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("How did outreach end?"),
        widget=forms.RadioSelect,
        choices=[
            (services.OutreachResult.CONTACT_MADE, _("Contact made: support starts")),
            (services.OutreachResult.DECLINED, _("The citizen declined")),
            (services.OutreachResult.GAVE_UP, _("No contact after repeated attempts: give up")),
        ],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EndSupportForm(PlainTextFormMixin, forms.Form):
    next_step = forms.ChoiceField(
        label=_("What happens next?"),
        widget=forms.RadioSelect,
        choices=[
            (services.SupportNext.HAND_OVER, _("Hand over to another service")),
            (services.SupportNext.CLOSE, _("Close the case")),
        ],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=WORKER_OUTCOME_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("next_step") == services.SupportNext.CLOSE and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        return data


class ReassessmentForm(PlainTextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, choices=Reassessment.Decision.choices
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=WORKER_OUTCOME_CHOICES, required=False)
    note = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == Reassessment.Decision.CLOSE and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        return data


class HandoverForm(PlainTextFormMixin, forms.Form):
    SEND, CANCEL = "send", "cancel"
    action = forms.ChoiceField(
        label=_("Action"),
        widget=forms.RadioSelect,
        choices=[
            (SEND, _("Send the handover")),
            (CANCEL, _("Do not hand over: back to support")),
        ],
        initial=SEND,
    )
    receiving_team = ModelChoiceField(queryset=None, required=False, label=_("Receiving team"))
    summary = forms.CharField(
        label=_("Summary for the receiving team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The receiving team sees this summary only, not the case."),
    )
    basis = forms.ChoiceField(
        label=_("Basis for sharing information"),
        choices=HandoverBasis.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    legal_note = forms.CharField(
        label=_("Legal basis, documented"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when sharing without consent under the duty to notify."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_team"].queryset = services.handover_teams(case=case)
        self.fields["receiving_team"].label_from_instance = lambda team: team.title

    def clean(self):
        data = super().clean()
        if data.get("action") == self.SEND:
            if not data.get("receiving_team"):
                self.add_error("receiving_team", _("Choose the receiving team."))
            if not data.get("summary", "").strip():
                self.add_error("summary", _("Write the summary the receiving team will read."))
            if not data.get("basis"):
                self.add_error("basis", _("Choose the basis for sharing information."))
        return data


class AcknowledgeForm(PlainTextFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GoalForm(PlainTextFormMixin, forms.ModelForm):
    default_renderer = JINJA2_RENDERER  # shown on every case page

    class Meta:
        model = Goal
        fields = ["area", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class ConsentForm(PlainTextFormMixin, forms.ModelForm):
    default_renderer = JINJA2_RENDERER  # shown on every case page
    receiver = DirectoryPageField(label=_("Shared with"))

    class Meta:
        model = Consent
        fields = ["receiver", "information", "form", "given_on", "expires_on", "refused"]
        widgets = {
            "information": forms.Textarea(attrs={"rows": 3}),
            "given_on": DATE_INPUT,
            "expires_on": DATE_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The list shows titles: the pages' other columns are not read (a third of its time).
        self.fields["receiver"].queryset = directory_pages().only("id", "title")


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class ReopenForm(PlainTextFormMixin, forms.ModelForm):
    """Who made contact this time, how, and why: a reopening is a new referral, so it asks
    for its channel and source as the registration does (the same fields, the same list),
    with nothing chosen in advance: the closed case's source is not assumed."""

    class Meta:
        model = Referral
        fields = ["channel", "source", "concern"]
        labels = {"concern": _("Why the case is reopened")}
        widgets = {"concern": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = referral_sources()
        self.fields["source"].required = True
        self.fields["source"].error_messages["required"] = _("Choose who made contact this time.")


class EmergencyAccessForm(PlainTextFormMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("What is the situation?"),
        choices=EmergencyCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the situation that makes the access necessary."),
            "invalid_choice": _("Choose one of the situations listed."),
        },
    )
    reason = forms.CharField(
        label=_("Why do you need the case now?"),
        help_text=_(
            "For example: the citizen is in front of you and needs help the team cannot give "
            "right now. The reason is logged and reviewed by the data protection officer."
        ),
        max_length=500,
        validators=[validate_emergency_reason],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write why you need the case urgently."),
            "max_length": _("Keep the reason under 500 characters."),
        },
    )


class AssignForm(forms.Form):
    user = UserChoiceField(queryset=None, label=_("Assign to"))

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues


class QueueFilterForm(forms.Form):
    default_renderer = JINJA2_RENDERER  # shown on every queue page
    team = forms.ChoiceField(label=_("Team"), required=False)
    task = forms.ChoiceField(label=_("Task"), required=False)
    assignment = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[
            ("", _("All")),
            ("unassigned", _("Not assigned")),
            ("mine", _("Mine")),
            ("others", _("Colleagues'")),
        ],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, teams=None, **kwargs):
        """`teams`: the user's teams when the caller has them (`TeamPage.objects.for_user`)."""
        super().__init__(*args, **kwargs)
        if teams is None:
            teams = TeamPage.objects.for_user(user).order_by("title")
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(team.pk, team.title) for team in self.teams.values()]
        self.fields["task"].choices = [("", _("All"))] + [
            (node.name, node.task_title) for node in services.queue_nodes()
        ]

    def clean_team(self):
        return self.teams.get(self.cleaned_data["team"])
