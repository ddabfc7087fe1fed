"""intranet.forms.QuickSelect writes the markup Django's Select renders from its templates."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from intranet.forms import QuickSelect

CHOICES = [
    ("", "---------"),
    ("a", "Alfa & <Omega>"),
    (2, gettext_lazy("Phone")),
    ("q\"'", mark_safe("<b>safe</b>")),
]
GROUPED = [
    ("", "Vælg"),
    ("Teams", [(1, "Nord"), (2, "Syd")]),
    ("Partnere <x>", [(3, "Kirkens Korshær")]),
]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, None, None),
        (CHOICES, "a", {"id": "id_kind", "required": True}),
        (CHOICES, 2, {"id": "x", "aria-describedby": 'h"elp', "disabled": False, "data-n": 0}),
        (GROUPED, 3, {"class": "wide"}),
        ([], None, None),
    ],
)
def test_same_markup_as_django_select(choices, value, attrs):
    django_html = forms.Select(choices=choices).render("field", value, attrs)
    ours = QuickSelect(choices=choices).render("field", value, attrs)
    assert ours == django_html


def test_same_markup_in_a_form_with_errors():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=CHOICES[1:], widget=forms.Select)
        quick = forms.ChoiceField(choices=CHOICES[1:], widget=QuickSelect)

    form = Form({"kind": "zzz", "quick": "zzz"})
    assert not form.is_valid()
    assert str(form["quick"]).replace("quick", "kind") == str(form["kind"])
