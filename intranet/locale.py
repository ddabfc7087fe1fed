"""The interface language: Danish unless the user has chosen otherwise."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.timesince import TIME_STRINGS
from django.utils.timesince import timesince as django_timesince


class UserLanguageMiddleware:
    """Activate the language the user chose (the language cookie set by /sprog/), else Danish.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so staff
    with an English browser would get an English intranet without asking for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class _Unit:
    """One of `timesince`'s units ("%(num)d days"), translated once per language and number.

    Django's are lazy plural strings, looked up in the catalogue on every use: a task list
    shows an age for each of its rows, and those look-ups were a tenth of the page's time.
    """

    def __init__(self, lazy):
        self.lazy = lazy
        self.translated = {}

    def __mod__(self, values):
        key = (translation.get_language(), values["num"])
        if key not in self.translated:
            self.translated[key] = self.lazy % values
        return self.translated[key]


_UNITS = {name: _Unit(lazy) for name, lazy in TIME_STRINGS.items()}


def timesince(value, now=None):
    """Django's `timesince` (same words, same depth), with its units translated once."""
    return django_timesince(value, now, time_strings=_UNITS)
