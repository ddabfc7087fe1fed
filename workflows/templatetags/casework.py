"""Template helpers for the work screens."""

from django import template
from django.template import engines

register = template.Library()


@register.simple_tag
def hidden_field_errors(form):
    """Errors of a form's hidden fields (such as a stale submission token), to show on top."""
    return [error for field in form.hidden_fields() for error in field.errors]


@register.simple_tag(takes_context=True)
def include_jinja2(context, template_name, **values):
    """`{% include %}` of a template of the Jinja2 engine (settings.TEMPLATES: the long lists),
    given `values`, the request and the page's CSRF token.

    Jinja2 hands the rendered template over as markup it escaped itself (its template module's
    `__html__`), which Django's templates put in the page as it is.
    """
    template = engines["jinja2"].env.get_template(template_name)
    return template.make_module(
        {**values, "request": context.get("request"), "csrf_token": context.get("csrf_token")}
    )
