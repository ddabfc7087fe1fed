"""Template helpers for the work screens."""

from django import template

register = template.Library()


@register.simple_tag
def hidden_field_errors(form):
    """Errors of a form's hidden fields (such as a stale submission token), to show on top."""
    return [error for field in form.hidden_fields() for error in field.errors]
