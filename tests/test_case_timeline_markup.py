# ruff: noqa: E501 (the template below as it was, long lines and all)
"""The case timeline's entries, written in Python (workflows.views._timeline_items), are the
markup its template wrote before."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from workflows.services import TimelineEntry
from workflows.views import _timeline_items

# templates/workflows/includes/timeline.html as it was when it wrote each entry itself, with
# typed text in <bdi> since.
TEMPLATE = Template(
    """{% load i18n %}{% if timeline %}
<ol class="timeline">
  {% for entry in timeline %}
    <li class="timeline-{{ entry.kind }}">
      <time datetime="{{ entry.at|date:'c' }}">{{ entry.at|date:"SHORT_DATETIME_FORMAT" }}</time>
      <strong>{% if entry.kind == "contact" %}{% translate "Contact" %}: {% elif entry.kind == "goal" %}{% translate "Goal" %}: {% elif entry.kind == "consent" %}{% translate "Consent" %}: {% endif %}<bdi>{{ entry.title }}</bdi></strong>
      {% if entry.kind == "task" %}
        <span class="badge">{% if entry.status == "DONE" %}{% translate "done" %}{% elif entry.status == "CANCELED" %}{% translate "cancelled" %}{% elif entry.status == "SCHEDULED" %}{% translate "scheduled" %}{% elif entry.status == "ASSIGNED" %}{% translate "assigned" %}{% else %}{% translate "open" %}{% endif %}</span>
        {% if entry.detail %}<span class="meta">{% translate "Decision" %}: <bdi>{{ entry.detail }}</bdi></span>{% endif %}
      {% elif entry.kind == "contact" %}
        <span class="badge">{% if entry.status == "achieved" %}{% translate "contact achieved" %}{% else %}{% translate "attempt" %}{% endif %}</span>
      {% elif entry.status == "refused" %}<span class="badge danger">{% translate "refused" %}</span>{% endif %}
      {% if entry.who %}<span class="meta"><bdi>{{ entry.who.get_full_name|default:entry.who.username }}</bdi></span>{% endif %}
    </li>
  {% endfor %}
</ol>
{% else %}<p>{% translate "Nothing has happened yet." %}</p>{% endif %}
"""
)


class Person:
    def __init__(self, first, username):
        self.first, self.username = first, username

    def get_full_name(self):
        return self.first


AT = datetime(2026, 3, 29, 0, 30, 5, 123456, tzinfo=UTC)  # the night DST starts
WHO = Person("Mette <K> & co", "mk")
ENTRIES = [
    *(
        TimelineEntry(at=AT, kind="task", title="Visitér <b>", who=WHO, detail=d, status=s)
        for s in ("DONE", "CANCELED", "SCHEDULED", "ASSIGNED", "NEW", "")
        for d in ("", 'Accepteret & "videre"')
    ),
    TimelineEntry(at=AT, kind="task", title="Timer", who=None, status="SCHEDULED"),
    TimelineEntry(at=AT, kind="contact", title="Offentligt rum", who=WHO, status="achieved"),
    TimelineEntry(at=AT, kind="contact", title="Telefon", who=Person("", "u<1>"), status="failed"),
    TimelineEntry(at=AT, kind="goal", title="Bolig", who=WHO, detail="x", status="active"),
    TimelineEntry(at=AT, kind="consent", title="Familie & co", who=WHO, status="refused"),
    TimelineEntry(at=AT, kind="consent", title="Jobcenter", who=None, status=""),
    TimelineEntry(at=AT, kind="other", title="<i>", who=None, status="refused"),
]


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("entries", [ENTRIES, ENTRIES[:1], []])
def test_same_markup_as_the_template(language, entries):
    with translation.override(language):
        expected = TEMPLATE.render(Context({"timeline": entries}))
        ours = render_to_string(
            "workflows/includes/timeline.html", {"timeline": _timeline_items(entries)}
        )
    assert ours == expected
