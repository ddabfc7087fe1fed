"""Our copies of Wagtail admin templates differ from Wagtail's only where Wagtail hard-codes
English, so a Wagtail upgrade that changes one of them fails here instead of silently losing
its changes (copy the new template again and redo the edits listed below).

Wagtail writes a few texts into its templates without gettext (``aria-label="Actions"``, a
visually hidden ``value="Search"``, booleans and missing users printed as "True" and
"None"); no catalogue can translate those, so templates/wagtailadmin/ overrides the
templates (our template directory comes before the apps' ones) and
tests/test_translations_admin.py finds any new ones.
"""

from pathlib import Path

import pytest
import wagtail
from django.conf import settings
from django.template.loader import get_template

WAGTAIL_TEMPLATES = Path(wagtail.__file__).parent / "admin" / "templates"
OUR_TEMPLATES = Path(settings.BASE_DIR) / "templates"

SEARCH_BUTTON = (
    '<input type="submit" value="Search" class="button" />',
    '<input type="submit" value="{% translate "Search" %}" class="button" />',
)
# template: the (Wagtail's text, our text) edits that make our copy.
OVERRIDES = {
    "wagtailadmin/home.html": [SEARCH_BUTTON],
    "wagtailadmin/shared/header.html": [SEARCH_BUTTON],
    "wagtailadmin/shared/headers/_actions.html": [
        ("{# Actions divider #}", "{% load i18n %}{# Actions divider #}"),
        ('aria-label="Actions"', 'aria-label="{% translate "Actions" %}"'),
    ],
    # A page published by no user (demo data, an import) printed "None" in the aging report.
    "wagtailadmin/shared/user_avatar.html": [
        ("{{ user }}", '{{ user|default_if_none:"" }}'),
    ],
    "wagtailadmin/tables/boolean_cell.html": [
        ("{% load wagtailadmin_tags %}", "{% load wagtailadmin_tags i18n %}"),
        (
            """{% icon title=value|stringformat:'s' name="help\"""",
            """{% translate "Unknown" as title %}{% icon title=title name="help\"""",
        ),
        (
            """{% icon title=value|stringformat:'s' name="check\"""",
            """{% translate "Yes" as title %}{% icon title=title name="check\"""",
        ),
        (
            """{% icon title=value|stringformat:'s' name="cross\"""",
            """{% translate "No" as title %}{% icon title=title name="cross\"""",
        ),
    ],
}


@pytest.mark.parametrize("name", OVERRIDES)
def test_our_copy_is_wagtails_template_with_only_the_translations_added(name):
    upstream = (WAGTAIL_TEMPLATES / name).read_text(encoding="utf-8")
    expected = upstream
    for wagtails, ours in OVERRIDES[name]:
        assert upstream.count(wagtails) == 1, (
            f"Wagtail's {name} changed: {wagtails!r} is no longer there once; copy it again "
            "and redo the edits"
        )
        expected = expected.replace(wagtails, ours)

    assert (OUR_TEMPLATES / name).read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("name", OVERRIDES)
def test_our_copy_is_the_one_django_loads(name):
    assert Path(get_template(name).origin.name) == OUR_TEMPLATES / name


def test_every_wagtail_template_we_override_is_listed():
    ours = {
        str(path.relative_to(OUR_TEMPLATES))
        for path in (OUR_TEMPLATES / "wagtailadmin").rglob("*.html")
    }
    assert ours == set(OVERRIDES)
