"""Template helpers for the work screens."""

from django import template
from django.template.defaultfilters import date
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import localize
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
# A row's form around its action URL: the head is the same for every form.
_FORM_HEAD, _FORM_TAIL = _FORM.split("{action}")
_ASSIGN_FIELDS = """<label class="visually-hidden" for="assign-{pk}">{label}</label>
            <select name="user" id="assign-{pk}">
              {options}
            </select>
            """


def _fill(markup, **values):
    """`format_html` for the row markup: every value escaped unless it is marked safe."""
    filled = markup.format(**{name: quick_escape(value) for name, value in values.items()})
    return mark_safe(filled)  # noqa: S308 (every value is escaped above)


class _Memo(dict):
    """Values a task table repeats from row to row (a node's title, a team, a date, a
    colleague list), made and escaped once per table."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


@register.simple_tag(takes_context=True)
def task_table_rows(context, rows, show_team):
    """The `<tr>`s of a task table: one per `TaskRow` (with its links set).

    What is the same for every row (labels, the form markup around a link) is filled in and
    escaped once; each row then only escapes its own values.
    """
    esc = quick_escape
    csrf = CsrfTokenNode().render(context)
    next_url = context["next"]
    acute = _fill(' · <span class="badge danger">{label}</span>', label=_("acute"))
    contact_made = _fill('<span class="meta">{label}</span>', label=_("contact made"))
    no_deadline = _fill(
        '<span class="badge">{label}</span>', label=_("No quality standard in force – no deadline")
    )
    not_assigned = _fill('<span class="meta">{label}</span>', label=_("Not assigned"))
    case_label, overdue_label = esc(_("Case")), esc(_("overdue"))

    def form_tail(button_class, label, fields=""):
        """A row form's markup after its action URL."""
        return str(
            _fill(
                _FORM_TAIL,
                csrf=csrf,
                next=next_url,
                fields=fields,
                button_class=button_class,
                label=label,
            )
        )

    def form(action, tail):
        return _FORM_HEAD + esc(action) + tail

    claim_tail = form_tail("button-compact", _("Take"))
    unassign_tail = form_tail("button-compact button-secondary", _("Put back"))
    # gettext outside the f-string: xgettext does not read inside one.
    open_label = esc(_("Open"))
    open_link = ('<a class="button-link" href="', f'">{open_label}</a>')
    assign_to, assign_label = _("Assign to"), _("Assign")
    titles = _Memo(lambda node: esc(node.task_title))
    team_cells = _Memo(lambda title: _fill("<td>{title}</td>", title=title))
    short_dates = _Memo(lambda day: esc(date(day, "SHORT_DATE_FORMAT")))
    options = _Memo(
        lambda colleagues: "".join(
            _fill(
                '<option value="{pk}">{name}</option>',
                pk=localize(c.pk),
                name=c.get_full_name() or c.username,
            )
            for c in colleagues
        )
    )

    html = []
    for row in rows:
        case, links = row.case, row.links
        person = f"<bdi>{esc(row.person)}</bdi>"  # a name cannot turn the row around
        if not row.is_handover:
            person = f'<a href="{esc(links["case"])}">{person}</a>'
        due = case.first_contact_due
        if row.is_overdue:
            due_cell = f'<span class="overdue">{short_dates[due]} · {overdue_label}</span>'
        elif due and not case.first_contact_at:
            due_cell = short_dates[due]
        elif not case.first_contact_at:
            due_cell = no_deadline
        else:
            due_cell = contact_made
        assign = ""
        if row.colleagues:
            fields = _fill(
                _ASSIGN_FIELDS,
                pk=localize(row.task.pk),
                label=assign_to,
                options=mark_safe(options[tuple(row.colleagues)]),  # noqa: S308 (escaped)
            )
            assign = form(
                links["assign"], form_tail("button-compact button-secondary", assign_label, fields)
            )
        task_url = esc(links["task"])
        owner = row.owner_name
        html.append(
            _ROW.format(
                overdue_class="row-overdue" if row.is_overdue else "",
                task_url=task_url,
                title=titles[row.task.flow_task],
                opened=esc(row.opened),
                person=person,
                case_label=case_label,
                case_pk=esc(localize(case.pk)),
                acute=acute if row.is_acute else "",
                team=team_cells[row.team_title] if show_team else "",
                due=due_cell,
                owner=esc(owner) if owner else not_assigned,
                open=task_url.join(open_link) if row.can_execute else "",
                claim=form(links["claim"], claim_tail) if row.can_claim else "",
                unassign=form(links["unassign"], unassign_tail) if row.can_unassign else "",
                assign=assign,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)
