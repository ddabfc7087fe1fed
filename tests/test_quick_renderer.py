"""intranet.forms.QuickRenderer writes the plain widgets as Django's templates do, and the case
page's forms look the same through it."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from intranet.forms import QUICK_RENDERER, QUICK_WIDGETS
from workflows import forms as workflow_forms

from .factories import register_case

DJANGO = DjangoTemplates()

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"placeholder": gettext_lazy("Phone"), "autocomplete": "off"}),
    forms.NumberInput(attrs={"min": 0, "step": 1}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.Textarea(attrs={"rows": 3}),
]
VALUES = [
    None,
    "",
    "Alfa & <Omega> \"q\" 'x'",
    mark_safe("<b>safe</b>"),
    0,
    42,
    True,
    False,
    datetime.date(2026, 11, 23),
    datetime.datetime(2026, 11, 23, 12, 5),
]
ATTRS = [None, {"id": "id_x", "required": True, "disabled": False, "aria-describedby": 'h"elp'}]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("attrs", ATTRS)
def test_same_markup_as_django_templates(widget, attrs):
    for value in VALUES:
        ours = widget.render("field", value, attrs, renderer=QUICK_RENDERER)
        assert ours == widget.render("field", value, attrs, renderer=DJANGO), value


def test_each_quick_template_is_one_django_writes_with_input_html():
    # A template Django changes or drops shows up here, not as different markup.
    for name in QUICK_WIDGETS:
        source = DJANGO.get_template(name).template.source.strip()
        if name.endswith(("input.html", "textarea.html")):
            assert source.startswith(("<input", "<textarea")), name
        else:
            assert source == '{% include "django/forms/widgets/input.html" %}', name


def test_other_templates_are_djangos():
    widget = forms.RadioSelect(choices=[("a", "A <b>"), ("b", "B")])
    assert widget.render("r", "a", renderer=QUICK_RENDERER) == widget.render(
        "r", "a", renderer=DJANGO
    )


def _same_through_django(form_class, *args, **kwargs):
    ours = form_class(*args, **kwargs)
    theirs = form_class(*args, renderer=DJANGO, **kwargs)
    assert ours.renderer is QUICK_RENDERER
    if "submission_token" in ours.fields:  # a new token each form: the same for both here
        ours.initial["submission_token"] = theirs.initial["submission_token"] = "token"
    for name in ours.fields:
        assert str(ours[name]) == str(theirs[name]), name
        assert ours[name].as_hidden() == theirs[name].as_hidden(), name


@pytest.fixture
def case(team_a, worker_a, skp_standard):
    return register_case(team=team_a, registered_by=worker_a)


def test_case_page_forms_look_the_same(case, worker_a):
    worker = worker_a
    _same_through_django(workflow_forms.ContactLogForm, case=case, user=worker)
    _same_through_django(
        workflow_forms.ContactLogForm,
        {"occurred_at": "x", "note": "<script>", "duration_minutes": "-1", "kind": "zz"},
        case=case,
        user=worker,
    )
    _same_through_django(workflow_forms.GoalForm)
    _same_through_django(workflow_forms.GoalForm, {"description": "a & b"})
    _same_through_django(workflow_forms.ConsentForm)
    _same_through_django(
        workflow_forms.ConsentForm,
        {"information": "<i>", "given_on": "2026-01-01", "refused": "on"},
    )


def test_model_choices_read_by_one_plain_query(case, worker_a, django_assert_num_queries):
    worker = worker_a
    form = workflow_forms.ContactLogForm(case=case, user=worker)
    with django_assert_num_queries(1) as queries:
        html = str(form["worker"])
    assert "DECLARE" not in queries.captured_queries[0]["sql"]
    assert f'<option value="{worker.pk}" selected>' in html
