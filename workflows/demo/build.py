"""Builds the demo Bækkeby Kommune (workflows.demo.data) through the page models and services.

Idempotent: what exists (pages by slug, users by username, cases by the person's alias) is
left as it is, so edits made while trying the demo survive the next `./dev serve`; only what
is missing is created.
"""

import functools
import string
from dataclasses import dataclass
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from wagtail.models import Page, Site

from intranet.roles import ROLES
from pages.models import (
    ConcernFormPage,
    DepartmentPage,
    DirectoryPage,
    EmergencyNumbers,
    HomePage,
    PartnerPage,
    StaffMember,
    StandardContactPerson,
    StandardIndexPage,
    StandardPage,
    StandardRedirect,
    TeamOpeningHours,
    TeamPage,
)
from pages.rules import rules_of_revision

from .. import services
from ..flows import ReferralFlow
from ..models import Case, Channel, Person, ReferralSource
from . import data


def rich_text(blocks, links=None):
    """Rich text (Wagtail's storage format) from data blocks: a string is a paragraph, a list
    of strings a bulleted list; `{key}` stands for `links[key]` (a page becomes a link)."""

    def segments(text):
        for literal, key, _spec, _conversion in string.Formatter().parse(text):
            if literal:
                yield {"text": literal}
            if key is not None:
                value = links[key]
                yield {"page": value} if isinstance(value, Page) else {"text": value}

    context = [
        {"bullets": [list(segments(item)) for item in block]}
        if isinstance(block, list)
        else {"paragraph": list(segments(block))}
        for block in blocks
    ]
    return render_to_string("workflows/demo/rich_text.html", {"blocks": context}).strip()


# --- Pages ---------------------------------------------------------------------------------


def publish_child(parent, model, slug, *, user, **fields):
    """The child `slug` of `parent`; created and published (with a revision) if missing."""
    existing = Page.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        existing = existing.specific
        if not isinstance(existing, model):
            raise CommandError(
                f"{existing.url_path} is a {type(existing).__name__}, expected {model.__name__}."
            )
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True).publish(user=user)
    return model.objects.get(pk=page.pk)


def create_site(*, user):
    """A HomePage as the default site's root, in place of Wagtail's welcome page."""
    root = Page.get_first_root_node()
    if root is None:
        raise CommandError("Wagtail's root page is missing: run `manage.py migrate` first.")
    home = HomePage.objects.first()
    if home is None:
        home = publish_child(
            root,
            HomePage,
            data.HOME["slug"],
            user=user,
            title=data.HOME["title"],
            intro=rich_text(data.HOME["intro"]),
            body=[
                {
                    "type": "callout",
                    "value": {
                        "heading": data.HOME["callout_heading"],
                        "text": rich_text(data.HOME["callout_text"]),
                    },
                }
            ],
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=data.MUNICIPALITY,
        )
    elif site.root_page_id != home.pk or site.site_name != data.MUNICIPALITY:
        site.root_page = home
        site.site_name = data.MUNICIPALITY
        site.save()
    # Wagtail's "Welcome to your new Wagtail site!" page, now that no site uses it.
    Page.objects.filter(
        depth=2,
        slug="home",
        content_type__app_label="wagtailcore",
        content_type__model="page",
        numchild=0,
        sites_rooted_here__isnull=True,
    ).delete()
    site = Site.objects.get(is_default_site=True)
    EmergencyNumbers.objects.get_or_create(site=site)
    return home


@dataclass
class Directory:
    """The pages the rest of the demo refers to, by a short key."""

    departments: dict
    teams: dict
    partners: dict

    def links(self):
        """What a text's `{key}` may stand for: a team's or partner's page, or the outreach
        teams' contact details (`{nord_phone}`)."""
        links = {**self.teams, **self.partners}
        for key in data.OUTREACH_TEAMS:
            team = self.teams[key]
            links |= {
                f"{key}_phone": team.phone,
                f"{key}_email": team.email,
                f"{key}_secure_email": team.secure_email,
            }
        return links


def _department(directory, key, *, user):
    title, slug, description, phone, address = data.DEPARTMENTS[key]
    return publish_child(
        directory,
        DepartmentPage,
        slug,
        user=user,
        title=title,
        description=rich_text([description]),
        phone=phone,
        email=f"{slug}@{data.MAIL}",
        address=address,
        opening_hours=data.OFFICE_HOURS,
    )


def _team(departments, key, *, user):
    department, title, slug, phone, mailbox, address, description = data.TEAMS[key]
    if key in data.OUTREACH_TEAMS:
        capacity_min, capacity_max = data.OUTREACH_CAPACITY[key]
        hours = {
            "opening_hours": data.OUTREACH_HOURS_NOTE,
            "hours": [
                TeamOpeningHours(
                    first_day=first,
                    last_day=last,
                    opens=time.fromisoformat(opens),
                    closes=time.fromisoformat(closes),
                )
                for first, last, opens, closes in data.OUTREACH_HOURS
            ],
            "capacity_min": capacity_min,
            "capacity_max": capacity_max,
        }
    else:
        hours = {"opening_hours": data.OFFICE_HOURS}
    return publish_child(
        departments[department],
        TeamPage,
        slug,
        user=user,
        title=title,
        description=rich_text([description]),
        phone=phone,
        email=f"{mailbox}@{data.MAIL}",
        secure_email=f"{mailbox}.sikkerpost@{data.MAIL}",
        address=address,
        internal_notes=rich_text(data.TEAM_NOTES),
        notification_email=f"{mailbox}.opgaver@{data.MAIL}",
        **hours,
    )


def _partner(directory, key, *, user):
    title, slug, kind, phone, email, address, hours, description = data.PARTNERS[key]
    return publish_child(
        directory,
        PartnerPage,
        slug,
        user=user,
        title=title,
        kind=kind,
        phone=phone,
        email=email,
        address=address,
        opening_hours=hours,
        description=rich_text([description]),
    )


def create_directory(home, *, user):
    """The contact directory: departments with their teams, and the external partners."""
    directory = publish_child(
        home,
        DirectoryPage,
        data.DIRECTORY["slug"],
        user=user,
        title=data.DIRECTORY["title"],
        intro=rich_text(data.DIRECTORY["intro"]),
    )
    departments = {key: _department(directory, key, user=user) for key in data.DEPARTMENTS}
    teams = {key: _team(departments, key, user=user) for key in data.TEAMS}
    partners = {key: _partner(directory, key, user=user) for key in data.PARTNERS}
    return Directory(departments, teams, partners)


# --- Quality standards ---------------------------------------------------------------------


def _years_later(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _standard(index, spec, directory, approval, *, user, **fields):
    links = directory.links()
    return publish_child(
        index,
        StandardPage,
        spec["slug"],
        user=user,
        title=spec["title"],
        responsible_departments=[directory.departments[key] for key in spec["departments"]],
        contact_persons=[
            StandardContactPerson(person=StaffMember.objects.get(user__username=username))
            for username in spec.get("contact_persons", [])
        ],
        approval_body=data.APPROVAL_BODY,
        approval_date=approval,
        next_review_date=_years_later(approval, 2),
        **spec["rules"],
        body=[*_standard_text(spec["sections"], links), *fields.pop("body", [])],
        **fields,
    )


def _standard_text(entries, links):
    """A standard's text as body blocks, in the spec's order: a section of a usual `kind`,
    a section with an own `heading`, or (with neither) text without a heading."""
    for entry in entries:
        text = rich_text(entry["text"], links)
        if "kind" in entry or "heading" in entry:
            value = {
                "kind": entry.get("kind", ""),
                "heading": entry.get("heading", ""),
                "text": text,
            }
            yield {"type": "section", "value": value}
        else:
            yield {"type": "paragraph", "value": text}


def create_standards(home, directory, *, user):
    """The SKP standard (§ 99) with its rules and redirects, plus an older § 85 one overdue
    for review that team Nord delivers too, and one written the other way (no first-contact
    deadline, one reassessment, no age limit)."""
    index = publish_child(
        home,
        StandardIndexPage,
        data.STANDARD_INDEX["slug"],
        user=user,
        title=data.STANDARD_INDEX["title"],
        intro=rich_text(data.STANDARD_INDEX["intro"]),
    )
    today = timezone.localdate()
    # Created first, so the SKP standard stays the most recently published one.
    older_spec, skp_spec = data.OLDER_STANDARD, data.SKP_STANDARD
    older_approval = _years_later(today, -older_spec["approved_years_ago"])
    older = _standard(
        index,
        older_spec,
        directory,
        older_approval,
        user=user,
        delivering_teams=[directory.teams[key] for key in older_spec["delivering_teams"]],
    )
    street_spec = data.STREET_STANDARD
    street_approval = today - timedelta(days=street_spec["approved_days_ago"])
    _standard(index, street_spec, directory, street_approval, user=user)
    pages = {**directory.teams, **directory.partners, "older": older}
    return _standard(
        index,
        skp_spec,
        directory,
        today - timedelta(days=skp_spec["approved_days_ago"]),
        user=user,
        delivering_teams=[directory.teams[key] for key in skp_spec["delivering_teams"]],
        redirects=[
            StandardRedirect(reason=reason, reason_text=text, destination=pages[key], note=note)
            for reason, text, key, note in skp_spec["redirects"]
        ],
        body=[
            {
                "type": "links",
                "value": {
                    "heading": skp_spec["see_also_heading"],
                    "links": [{"page": pages[key].pk, "label": ""} for key in skp_spec["see_also"]],
                },
            }
        ],
    )


def create_concern_form(home, standard, *, user):
    """The public form where anyone can tell the outreach teams about a person they worry about."""
    return publish_child(
        home,
        ConcernFormPage,
        data.CONCERN_FORM["slug"],
        user=user,
        title=data.CONCERN_FORM["title"],
        intro=rich_text(data.CONCERN_FORM["intro"]),
        thank_you_text=rich_text(data.CONCERN_FORM["thank_you_text"]),
        standard=standard,
    )


# --- Staff ---------------------------------------------------------------------------------


def create_admin_user():
    """The administrator first: the pages' revisions are recorded as theirs."""
    return _user("administrator")


@functools.cache
def _demo_password_hash():
    # One hash for all demo users: hashing is slow by design, and they share the password.
    return make_password(data.DEMO_PASSWORD)


def _user(username):
    first_name, last_name, _title, role_keys, _teams = data.STAFF[username]
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username.replace('_', '.')}@{data.MAIL}",
            "is_staff": username in data.SUPERUSERS,
            "is_superuser": username in data.SUPERUSERS,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    wanted = Group.objects.filter(name__in=[ROLES[key].group_name for key in role_keys])
    missing = wanted.exclude(pk__in=user.groups.values("pk"))
    if missing.exists():
        user.groups.add(*missing)
    return user


def create_staff(directory):
    """A user and a directory entry for every demo persona, linked to their teams."""
    users = {}
    for number, (username, (first, last, title, _roles, team_keys)) in enumerate(
        data.STAFF.items(), start=1
    ):
        user = _user(username)
        member, _created = StaffMember.objects.get_or_create(
            user=user,
            defaults={
                "name": f"{first} {last}",
                "job_title": title,
                "work_phone": f"70 00 99 {number:02d}",
                "mobile": f"20 00 99 {number:02d}",
                "email": user.email,
                "is_public": username in data.PUBLIC_STAFF,
            },
        )
        teams = {directory.teams[key].pk for key in team_keys}
        if set(member.teams.values_list("pk", flat=True)) != teams:
            member.teams.set(teams)
            member.save()
        users[username] = user
    return users


# --- Referral cases ------------------------------------------------------------------------


@dataclass
class _Demo:
    """What a case's steps refer to by key: the staff, the teams and the case's own data."""

    users: dict
    teams: dict
    spec: dict


def _days_ago(days):
    return timezone.now() - timedelta(days=days)


def _open_task(case, name):
    return (
        Task.objects.filter(
            process_id=case.process_id,
            flow_task=getattr(ReferralFlow, name),
            status__in=services.tasks.OPEN_STATUSES,
        )
        .order_by("-pk")
        .first()
    )


def _complete(case, name, user, decision, work):
    """Take the open task `name` (if nobody has) and complete it as the work screens do."""
    task = _open_task(case, name)
    if task.owner_id is None:
        services.task_claim(task=task, user=user)
        task.refresh_from_db()
    services.task_complete(task=task, user=user, work=work, decision=decision)
    case.refresh_from_db()
    return case


def _register(demo):
    spec = demo.spec
    person = dict(spec["person"])
    if "age" in person:
        person["birth_year"] = timezone.localdate().year - person.pop("age")
    referral = dict(spec["referral"])
    return services.referral_register(
        team=demo.teams[spec["team"]],
        person=Person(alias=spec["alias"], **person),
        concern=spec["concern"],
        channel=referral.pop("channel", Channel.PHONE),
        received_at=_days_ago(spec["days_ago"]),
        source=ReferralSource.objects.filter(name=spec["source"]).first(),
        registered_by=demo.users[spec["registered_by"]],
        **referral,
    )


def _accept(case, demo, *, coordinator, worker, second=None):
    coordinator, users = demo.users[coordinator], demo.users
    return _complete(
        case,
        "triage",
        coordinator,
        "accept",
        lambda c: services.referral_accept(
            case=c,
            primary_worker=users[worker],
            second_worker=users[second] if second else None,
            triaged_by=coordinator,
        ),
    )


def _contact(case, demo, *, worker, achieved, kind, days_ago, note):
    services.contact_log_add(
        case=case,
        worker=demo.users[worker],
        kind=kind,
        achieved=achieved,
        occurred_at=_days_ago(days_ago),
        duration_minutes=30 if achieved else 10,
        note=note,
    )
    return case


def _finish_outreach(case, demo, *, worker, result, note=""):
    worker = demo.users[worker]
    return _complete(
        case,
        "outreach",
        worker,
        result,
        lambda c: services.outreach_finish(case=c, result=result, note=note, by=worker),
    )


def _into_support(case, demo, *, coordinator, worker, second=None):
    """Accepted, a failed and an achieved contact, and the outreach finished: in support."""
    _accept(case, demo, coordinator=coordinator, worker=worker, second=second)
    for attempt in data.ATTEMPTS_BEFORE_SUPPORT:
        _contact(
            case,
            demo,
            worker=worker,
            achieved=attempt["achieved"],
            kind=attempt["kind"],
            days_ago=demo.spec["days_ago"] - attempt["days_after"],
            note=attempt["note"],
        )
    return _finish_outreach(case, demo, worker=worker, result=services.OutreachResult.CONTACT_MADE)


def _declined(case, demo, *, worker, note):
    return _finish_outreach(
        case, demo, worker=worker, result=services.OutreachResult.DECLINED, note=note
    )


def _goal(case, demo, *, by, area, description):
    services.goal_add(case=case, area=area, description=description, by=demo.users[by])
    return case


def _consent(case, demo, *, by, receiver, information, form):
    services.consent_record(
        case=case,
        receiver=demo.teams[receiver],
        information=information,
        form=form,
        by=demo.users[by],
    )
    return case


def _end_support_for_handover(case, demo, *, by):
    by, hand_over = demo.users[by], services.SupportNext.HAND_OVER
    return _complete(
        case,
        "end_support",
        by,
        hand_over,
        lambda c: services.support_end(case=c, next_step=hand_over, by=by),
    )


def _hand_over(case, demo, *, by, receiving_team, summary, basis):
    by = demo.users[by]
    return _complete(
        case,
        "hand_over",
        by,
        "sent",
        lambda c: services.case_hand_over(
            case=c, receiving_team=demo.teams[receiving_team], summary=summary, basis=basis, by=by
        ),
    )


def _redirect(case, demo, *, coordinator, reason, note):
    coordinator = demo.users[coordinator]
    return _complete(
        case,
        "triage",
        coordinator,
        "redirect",
        lambda c: services.referral_redirect(
            case=c, reason=reason, note=note, triaged_by=coordinator
        ),
    )


def _reassessment_due(case, demo, *, support_started_days_ago):
    """Backdate a case's support period and fire its timer, as `workflow_timers` would.

    Demo only: it puts a case at the reassessment step today instead of months from now,
    at the date its own standard's rule gives.
    """
    support_started = _days_ago(support_started_days_ago)
    due = rules_of_revision(case.standard_revision_id).reassessment_due(support_started)
    Case.objects.filter(pk=case.pk).update(
        support_started_at=support_started, reassessment_due_at=due
    )
    timer = Task.objects.get(
        process_id=case.process_id,
        flow_task=ReferralFlow.wait_for_reassessment,
        status=STATUS.SCHEDULED,
    )
    Task.objects.filter(pk=timer.pk).update(scheduled=due)
    timer.refresh_from_db()
    with timer.activation() as activation:
        activation.start()
        activation.execute()
    case.refresh_from_db()
    return case


# The steps a case in data.CASES may name.
STEPS = {
    "accept": _accept,
    "contact": _contact,
    "into_support": _into_support,
    "declined": _declined,
    "goal": _goal,
    "consent": _consent,
    "end_support_for_handover": _end_support_for_handover,
    "hand_over": _hand_over,
    "redirect": _redirect,
    "reassessment_due": _reassessment_due,
}


def create_demo_cases(*, directory, users):
    """A referral case at every step of the process, and two closed ones.

    Found again by the person's alias, so a second run adds nothing.
    """
    existing = set(Person.objects.values_list("alias", flat=True))
    for spec in data.CASES:
        if spec["alias"] in existing:
            continue
        demo = _Demo(users=users, teams=directory.teams, spec=spec)
        case = _register(demo)
        for step, arguments in spec["steps"]:
            case = STEPS[step](case, demo, **arguments)


def build_demo():
    """The whole demo, missing parts only; returns the demo users by username."""
    admin = create_admin_user()
    home = create_site(user=admin)
    directory = create_directory(home, user=admin)
    users = create_staff(directory)  # before the standards, which name contact persons
    standard = create_standards(home, directory, user=admin)
    create_concern_form(home, standard, user=admin)
    create_demo_cases(directory=directory, users=users)
    return users
