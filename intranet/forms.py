"""Form pieces shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from .markup import quick_escape


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


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, answering a posted key too large for the database as an invalid choice.

    Django catches ValueError and TypeError, but SQLite raises OverflowError for a key of
    2**63 or more (pages' keys are one-to-one fields, which Django does not range-check).
    Shown as a QuickSelect.
    """

    widget = QuickSelect

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc
