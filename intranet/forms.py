"""Form pieces shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import Jinja2

from .text import strip_invisible_controls

# Django's form renderer with its Jinja2 widget templates, for forms on pages staff open all
# day: the case page's three forms and their choice lists render in about half the time of
# the Django template language's widget templates (same markup, but blank lines).
JINJA2_RENDERER = Jinja2()


def _strip(value):
    return strip_invisible_controls(value) if isinstance(value, str) else value


class PlainTextFormMixin:
    """Text typed into the form's text fields is kept without invisible direction and
    zero-width controls, before any validation sees it (a field of controls only is empty)."""

    def full_clean(self):
        if self.is_bound:
            data = self.data.copy()  # a QueryDict's copy can be changed
            for name, field in self.fields.items():
                key = self.add_prefix(name)
                if not isinstance(field, forms.CharField) or key not in data:
                    continue
                if hasattr(data, "setlist"):
                    data.setlist(key, [_strip(value) for value in data.getlist(key)])
                else:
                    data[key] = _strip(data[key])
            self.data = data
        super().full_clean()


class ModelChoiceIterator(forms.models.ModelChoiceIterator):
    """Django's choices of a model choice field, read by one plain query.

    Django reads them with `QuerySet.iterator()`, which on PostgreSQL is a server-side
    cursor: DECLARE, FETCH and CLOSE, three round trips where one will do for our short
    lists (a team's workers, the directory's pages)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, answering a posted key too large for the database as an invalid choice.

    Django catches ValueError and TypeError, but SQLite raises OverflowError for a key of
    2**63 or more (pages' keys are one-to-one fields, which Django does not range-check).
    Its choices are read by one plain query (ModelChoiceIterator).
    """

    iterator = ModelChoiceIterator

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc
