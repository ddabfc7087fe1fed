"""Template access to the user's own tasks, for panels on pages owned by other apps."""

from django import template

from .. import services

register = template.Library()


@register.simple_tag
def my_task_rows(user, limit=10):
    """The user's open tasks as list rows (at most `limit`)."""
    if not user.is_authenticated:
        return []
    return services.task_rows(user, services.tasks_for_user(user)[:limit])


@register.simple_tag
def hidden_field_errors(form):
    """Errors of a form's hidden fields (such as a stale submission token), to show on top."""
    return [error for field in form.hidden_fields() for error in field.errors]
