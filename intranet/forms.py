"""Form pieces shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from .markup import quick_escape
from .text import strip_invisible_controls


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


class QuickSelect(forms.Select):
    """Django's Select with the same markup, written here instead of by a template per
    option: the case page's five lists spent more time in Django's option and attribute
    templates than in the rest of their forms."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{quick_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{quick_escape(group_name)}">')
            for option in options:
                html.append(
                    f'\n  <option value="{quick_escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{quick_escape(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 (every value escaped above)


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, none for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{quick_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """django/forms/widgets/input.html."""
    value = widget["value"]
    value = "" if value is None else f' value="{quick_escape(value)}"'
    return (
        f'<input type="{quick_escape(widget["type"])}" name="{quick_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget):
    """django/forms/widgets/textarea.html."""
    value = quick_escape(widget["value"]) if widget["value"] else ""
    name = quick_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# Django's templates of the plain widgets (the inputs include input.html), in Python.
_INPUTS = "input checkbox color date datetime email hidden number password search tel text time url"
QUICK_WIDGETS = {f"django/forms/widgets/{kind}.html": _input for kind in _INPUTS.split()}
QUICK_WIDGETS["django/forms/widgets/textarea.html"] = _textarea


class QuickRenderer(DjangoTemplates):
    """Django's form renderer, writing the plain widgets (inputs and textareas) in Python
    the way QuickSelect writes a select: on the case page, a template render per widget cost
    more than the rest of its forms. Every other template (errors, radio buttons, ...) is
    Django's."""

    def render(self, template_name, context, request=None):
        write = QUICK_WIDGETS.get(template_name)
        if write is None:
            return super().render(template_name, context, request)
        return mark_safe(write(context["widget"]))  # noqa: S308 (every value escaped)


QUICK_RENDERER = QuickRenderer()


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
    Shown as a QuickSelect; its choices read by one plain query (ModelChoiceIterator).
    """

    widget = QuickSelect
    iterator = ModelChoiceIterator

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc
