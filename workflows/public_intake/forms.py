"""The public concern form: what anyone may tell the team about a person they worry about."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intranet.forms import ModelChoiceField, PlainTextFormMixin
from intranet.submissions import OnceOnlyFormMixin

from ..models import AgeGroup, EmergencyCall, ReferralSource

HONEYPOT = "website"
CONCERN_MAX_LENGTH = 3000
DESCRIPTION_MAX_LENGTH = 1000
PHONE_DIGITS = re.compile(r"\+?[0-9]{8,15}", re.ASCII)
PHONE_SEPARATORS = re.compile(r"[ ()\-.]")


class MultilineField(forms.CharField):
    """A textarea; a line break counts as one character, as the browser's maxlength counts it."""

    widget = forms.Textarea

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


def validate_phone(value):
    if not PHONE_DIGITS.fullmatch(PHONE_SEPARATORS.sub("", value)):
        raise ValidationError(
            _("Write a phone number of 8 to 15 digits, for example 12 34 56 78."), code="phone"
        )


class ConcernForm(OnceOnlyFormMixin, PlainTextFormMixin, forms.Form):
    """Validates a concern referral; `teams` are the teams that may receive it (at least one).

    Sent twice (a double click, a resend after a lost answer), it registers one referral.
    """

    # Choices from the teams given, not a query: any posted value is checked against them.
    team = forms.ChoiceField(
        label=_("Where is the person?"),
        help_text=_("Choose the area. The team working there receives your message."),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the area where the person is.")},
    )
    alias = forms.CharField(
        label=_("Name or nickname, if you know it"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    appearance = MultilineField(
        label=_("What does the person look like?"),
        help_text=_("For example: age, height, hair, clothes, a dog or a bicycle."),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    age_group = forms.ChoiceField(
        label=_("Age (a guess is fine)"),
        choices=[
            (AgeGroup.UNKNOWN.value, _("Don't know")),
            *[(value, label) for value, label in AgeGroup.choices if value != AgeGroup.UNKNOWN],
        ],
        required=False,
    )
    place = MultilineField(
        label=_("Where is the person usually met?"),
        help_text=_("For example: a street, a square, a shop or a stairwell, and at what time."),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    concern = MultilineField(
        label=_("What are you concerned about?"),
        max_length=CONCERN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Tell us what you are concerned about.")},
    )
    acute = forms.BooleanField(
        label=_("The person is in acute danger to life or health right now"),
        required=False,
    )
    emergency_call = forms.ChoiceField(
        label=_("Have you called 112 or the police (114)?"),
        choices=[(value, label) for value, label in EmergencyCall.choices if value != "unknown"],
        widget=forms.RadioSelect,
        required=False,
    )
    source = ModelChoiceField(
        queryset=ReferralSource.objects.none(),
        label=_("How do you know the person?"),
        required=False,
        empty_label=_("Would rather not say"),
    )
    referrer_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    referrer_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    referrer_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=150,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden from people by CSS, filled in by robots that fill in every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    FIELDSETS = [
        ("area", "", "", ["team"]),
        (
            "person",
            _("About the person"),
            _("The person may stay anonymous: a description and a place are enough."),
            ["alias", "appearance", "age_group", "place"],
        ),
        ("concern", "", "", ["concern"]),
        (
            "acute",
            _("Acute danger"),
            _("In acute danger to life or health, call 112 first, then send the form."),
            ["acute", "emergency_call"],
        ),
        (
            "referrer",
            _("About you"),
            _(
                "You may stay anonymous. If you leave your name and phone number or e-mail "
                "address, the team can contact you if they have questions."
            ),
            ["source", "referrer_name", "referrer_phone", "referrer_email"],
        ),
    ]

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        if len(self.teams) > 1:
            self.fields["team"].choices = [
                (str(team.pk), team.title) for team in sorted(self.teams, key=lambda t: t.title)
            ]
        else:
            del self.fields["team"]
        self.fields["source"].queryset = ReferralSource.objects.filter(active=True)
        self.fields["concern"].help_text = gettext(
            "Describe what you have seen or heard. At most %(count)s characters."
        ) % {"count": CONCERN_MAX_LENGTH}

    def clean(self):
        data = super().clean()
        described = ("alias", "appearance", "place")
        if not any(data.get(name) for name in described) and not any(
            name in self.errors for name in described
        ):
            self.add_error(
                "appearance",
                _(
                    "Describe the person: give a name or nickname, what they look like or "
                    "where they are usually met."
                ),
            )
        if data.get("acute") and not data.get("emergency_call"):
            self.add_error(
                "emergency_call",
                _(
                    "In acute danger, call 112 now (the police: 114). Then tell us whether "
                    "you called, and send the form."
                ),
            )
        return data

    def clean_team(self):
        return next(team for team in self.teams if str(team.pk) == self.cleaned_data["team"])

    def is_honeypot_filled(self):
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    @property
    def is_acute_unanswered(self):
        """Acute ticked without saying whether 112 or 114 was called: tell them to call."""
        return "emergency_call" in self.errors

    def fieldsets(self):
        """(key, legend, help, bound fields) in display order, without absent fields."""
        return [
            (key, legend, help_text, [self[name] for name in names if name in self.fields])
            for key, legend, help_text, names in self.FIELDSETS
            if any(name in self.fields for name in names)
        ]

    def error_links(self):
        """(anchor, label, message) for the error summary, in the order the fields appear."""
        links = []
        for _key, _legend, _help, fields in self.fieldsets():
            for bound in fields:
                anchor = f"{bound.auto_id}_0" if bound.use_fieldset else bound.auto_id
                links.extend((anchor, bound.label, error) for error in bound.errors)
        return links

    def service_arguments(self):
        """Keyword arguments for services.concern_register."""
        data = self.cleaned_data
        contact = " · ".join(v for v in (data["referrer_phone"], data["referrer_email"]) if v)
        return {
            "team": data.get("team") or self.teams[0],
            "alias": data["alias"],
            "appearance": data["appearance"],
            "place": data["place"],
            "age_group": data["age_group"] or AgeGroup.UNKNOWN,
            "concern": data["concern"],
            "acute": data["acute"],
            "emergency_call": data["emergency_call"] if data["acute"] else "",
            "source": data["source"],
            "referrer_name": data["referrer_name"],
            "referrer_contact": contact,
        }


def max_body_bytes():
    """The largest body a form within its max lengths can send, with room to spare.

    Every character counted as a percent-encoded four-byte UTF-8 sequence (12 bytes), plus
    room for field names, choices and the CSRF token.
    """
    characters = sum(
        getattr(field, "max_length", None) or 0 for field in ConcernForm.base_fields.values()
    )
    return characters * 12 + 4096
