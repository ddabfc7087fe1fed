"""The Jinja2 environment (settings.TEMPLATES) of the long lists the Django template language
renders too slowly: Django's translations, `url`, `static` and Django's `date` filter."""

from django.template.defaultfilters import date as django_date
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import Environment


def date(value, format=None):
    """Django's `date` filter, in the current time zone as Django's templates show times."""
    return django_date(template_localtime(value), format)


def url(name, *args):
    """Django's `{% url %}`."""
    return reverse(name, args=args)


def environment(**options):
    options.pop("autoescape", None)  # always on: every value escaped, as in Django's templates
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    # Not "newstyle": a translation is escaped on output, as Django's {% translate %} does.
    env.install_gettext_translations(translation, newstyle=False)
    env.globals.update(url=url, static=static)
    env.filters["date"] = date
    return env
