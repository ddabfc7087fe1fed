"""Template helpers for the account pages (templates/registration/)."""

from django import template
from django.contrib.auth.password_validation import password_validators_help_texts

register = template.Library()


@register.simple_tag
def password_rules():
    """The configured password validators' rules as a list of texts, for the template to show
    as a list (the field's own help text is HTML built in Python)."""
    return password_validators_help_texts()
