"""Template helpers for the work screens."""

from django import template
from django.template.defaultfilters import date
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from intranet.markup import quick_escape

register = template.Library()


@register.simple_tag
def hidden_field_errors(form):
    """Errors of a form's hidden fields (such as a stale submission token), to show on top."""
    return [error for field in form.hidden_fields() for error in field.errors]


# The rows of a task table (templates/workflows/includes/task_table.html), written here
# rather than as template markup: a list of ~50 tasks spent most of its time resolving the
# ~40 tags and lookups of each row. The markup is the template's, blank lines included.
_ROW = """
    <tr class="{overdue_class}">
      <td><a href="{task_url}">{title}</a>
        <span class="meta">{opened}</span></td>
      <td>{person}
        <span class="meta">{case_label} {case_pk}{acute}</span></td>
      {team}
      <td>{due}</td>
      <td>{owner}</td>
      <td><div class="actions">
        {open}
        {claim}
        {unassign}
        {assign}
      </div></td>
    </tr>
  """
_FORM = """
          <form method="post" action="{action}" class="inline-form">{csrf}
            <input type="hidden" name="next" value="{next}">
            {fields}<button type="submit" class="{button_class}">{label}</button>
          </form>
        """
_ASSIGN_FIELDS = """<label class="visually-hidden" for="assign-{pk}">{label}</label>
            <select name="user" id="assign-{pk}">
              {options}
            </select>
            """


def _fill(markup, **values):
    """`format_html` for the row markup: every value escaped unless it is marked safe."""
    filled = markup.format(**{name: quick_escape(value) for name, value in values.items()})
    return mark_safe(filled)  # noqa: S308 (every value is escaped above)


@register.simple_tag(takes_context=True)
def task_table_rows(context, rows, show_team):
    """The `<tr>`s of a task table: one per `TaskRow` (with its links set)."""
    csrf = CsrfTokenNode().render(context)
    next_url = context["next"]
    labels = {
        "case": _("Case"),
        "acute": format_html(' · <span class="badge danger">{}</span>', _("acute")),
        "overdue": _("overdue"),
        "contact_made": format_html('<span class="meta">{}</span>', _("contact made")),
        "not_assigned": format_html('<span class="meta">{}</span>', _("Not assigned")),
        "open": _("Open"),
        "take": _("Take"),
        "put_back": _("Put back"),
        "assign_to": _("Assign to"),
        "assign": _("Assign"),
    }
    short_dates = {}

    def short_date(day):
        if day not in short_dates:
            short_dates[day] = date(day, "SHORT_DATE_FORMAT")
        return short_dates[day]

    def form(action, button_class, label, fields=""):
        return _fill(
            _FORM,
            action=action,
            csrf=csrf,
            next=next_url,
            fields=fields,
            button_class=button_class,
            label=label,
        )

    html = []
    for row in rows:
        case, links = row.case, row.links
        if row.is_handover:
            person = row.person
        else:
            person = _fill('<a href="{href}">{name}</a>', href=links["case"], name=row.person)
        due = case.first_contact_due
        if row.is_overdue:
            due_cell = _fill(
                '<span class="overdue">{day} · {overdue}</span>',
                day=short_date(due),
                overdue=labels["overdue"],
            )
        elif due and not case.first_contact_at:
            due_cell = short_date(due)
        else:
            due_cell = labels["contact_made"]
        assign = ""
        if row.colleagues:
            options = mark_safe(  # noqa: S308 (each option escaped by _fill)
                "".join(
                    _fill(
                        '<option value="{pk}">{name}</option>',
                        pk=localize(c.pk),
                        name=c.get_full_name() or c.username,
                    )
                    for c in row.colleagues
                )
            )
            fields = _fill(
                _ASSIGN_FIELDS, pk=localize(row.task.pk), label=labels["assign_to"], options=options
            )
            assign = form(
                links["assign"], "button-compact button-secondary", labels["assign"], fields
            )
        html.append(
            _fill(
                _ROW,
                overdue_class="row-overdue" if row.is_overdue else "",
                task_url=links["task"],
                title=row.title,
                opened=row.opened,
                person=person,
                case_label=labels["case"],
                case_pk=localize(case.pk),
                acute=labels["acute"] if row.is_acute else "",
                team=_fill("<td>{title}</td>", title=row.team_title) if show_team else "",
                due=due_cell,
                owner=row.owner_name or labels["not_assigned"],
                open=(
                    _fill(
                        '<a class="button-link" href="{href}">{label}</a>',
                        href=links["task"],
                        label=labels["open"],
                    )
                    if row.can_execute
                    else ""
                ),
                claim=form(links["claim"], "button-compact", labels["take"])
                if row.can_claim
                else "",
                unassign=(
                    form(links["unassign"], "button-compact button-secondary", labels["put_back"])
                    if row.can_unassign
                    else ""
                ),
                assign=assign,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every row filled by _fill)
