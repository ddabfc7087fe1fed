"""rules_in_force: only published revisions govern, and the past keeps its own rules."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pages.models import StandardRedirect
from pages.rules import NoStandardInForce, RulesOverTime, rules_in_force, rules_of_revision

from .factories import PartnerPageFactory, StandardPageFactory

COPENHAGEN = dt.timezone(dt.timedelta(hours=1))


def moment(day, hour=12):
    return dt.datetime(2026, 3, day, hour, tzinfo=COPENHAGEN)


def publish_change(standard, **fields):
    for name, value in fields.items():
        setattr(standard, name, value)
    revision = standard.save_revision()
    revision.publish()
    return revision


def test_rules_are_the_published_numbers(db):
    standard = StandardPageFactory(
        first_contact_deadline_days=7, reassessment_interval_months=4, min_age=18, max_age=65
    )

    rules = rules_in_force()

    assert rules.standard_id == standard.pk
    assert rules.revision_id == standard.live_revision_id
    assert (rules.first_contact_deadline_days, rules.reassessment_interval_months) == (7, 4)
    assert (rules.min_age, rules.max_age) == (18, 65)
    assert rules.age_outside_range(17) == "under_age"
    assert rules.age_outside_range(66) == "over_age"
    assert rules.age_outside_range(None) is None


def test_a_draft_never_counts(db):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    live_revision_id = standard.live_revision_id
    standard.first_contact_deadline_days = 2
    standard.max_age = None
    standard.save_revision()

    rules = rules_in_force()

    assert rules.first_contact_deadline_days == 7
    assert rules.max_age == 65
    assert rules.revision_id == live_revision_id


def test_a_page_row_out_of_step_with_its_live_revision_does_not_count(db):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    # Code (or a mistaken data fix) writing a draft number straight into the live row.
    type(standard).objects.filter(pk=standard.pk).update(first_contact_deadline_days=1)

    assert rules_in_force().first_contact_deadline_days == 7


def test_an_unpublished_standard_does_not_govern(db):
    standard = StandardPageFactory()
    standard.unpublish()

    with pytest.raises(NoStandardInForce):
        rules_in_force()


def test_a_past_moment_gets_the_revision_published_last_before_it(db):
    with time_machine.travel(moment(1), tick=False):
        standard = StandardPageFactory(first_contact_deadline_days=7)
        first_revision_id = standard.live_revision_id
    with time_machine.travel(moment(10), tick=False):
        second = publish_change(standard, first_contact_deadline_days=5)
    with time_machine.travel(moment(20), tick=False):
        standard.first_contact_deadline_days = 3
        standard.save_revision()  # a draft after the last publication

    before_change = rules_in_force(at=moment(9))
    after_change = rules_in_force(at=moment(15))
    naive = rules_in_force(at=dt.datetime(2026, 3, 9, 12))

    assert (before_change.first_contact_deadline_days, before_change.revision_id) == (
        7,
        first_revision_id,
    )
    assert (after_change.first_contact_deadline_days, after_change.revision_id) == (5, second.pk)
    assert naive.first_contact_deadline_days == 7
    assert rules_in_force().first_contact_deadline_days == 5


def test_a_moment_before_the_first_publication_has_no_rules(db):
    with time_machine.travel(moment(10), tick=False):
        StandardPageFactory()

    with pytest.raises(NoStandardInForce):
        rules_in_force(at=moment(1))


def _revision_or_none(read, at):
    try:
        return read(at).revision_id
    except NoStandardInForce:
        return None


def test_rules_over_time_answer_as_rules_in_force_at_every_moment(
    team_a, django_assert_num_queries
):
    """The import's reader of many past moments (`RulesOverTime`) and `rules_in_force` are
    one rule: before the first publication, at a publication's very moment, between
    publications (two at the same moment: the last written), after the last, naive times."""
    with time_machine.travel(moment(5), tick=False):
        standard = StandardPageFactory(first_contact_deadline_days=7, delivering_teams=[team_a])
    with time_machine.travel(moment(10), tick=False):
        publish_change(standard, first_contact_deadline_days=5)
        same_moment = publish_change(standard, first_contact_deadline_days=4)
    with time_machine.travel(moment(20), tick=False):
        last = publish_change(standard, first_contact_deadline_days=3)
    moments = [
        moment(1),
        moment(5),
        moment(5, 11),
        moment(9, 23),
        moment(10),
        moment(15),
        moment(20),
        moment(25),
        dt.datetime(2026, 3, 15, 12),  # naive: Copenhagen time
    ]
    over_time = RulesOverTime(team=team_a)
    for at in moments:
        rules_of_revision.cache_clear()
        expected = _revision_or_none(lambda at: rules_in_force(team=team_a, at=at), at)
        assert _revision_or_none(over_time.at, at) == expected, at

    assert _revision_or_none(over_time.at, moment(1)) is None
    assert over_time.at(moment(9, 23)).first_contact_deadline_days == 7
    assert over_time.at(moment(15)).revision_id == same_moment.pk
    assert over_time.at(moment(25)).revision_id == last.pk
    # The publications were read once, above; each revision's rules once per process.
    with django_assert_num_queries(0):
        for at in moments:
            _revision_or_none(over_time.at, at)


def test_the_team_gets_the_standard_it_delivers(team_a, team_b):
    with time_machine.travel(timezone.now() - dt.timedelta(days=2)):
        StandardPageFactory(title="SKP Nord", delivering_teams=[team_a])
    StandardPageFactory(title="SKP Syd", delivering_teams=[team_b], first_contact_deadline_days=3)

    assert rules_in_force(team=team_a).title == "SKP Nord"
    assert rules_in_force(team=team_b.pk).first_contact_deadline_days == 3


def test_redirects_come_from_the_published_revision(db):
    shelter = PartnerPageFactory(kind="shelter")
    addiction = PartnerPageFactory(kind="addiction")
    standard = StandardPageFactory()
    standard.redirects = [StandardRedirect(reason="substance_abuse", destination=addiction)]
    standard.save_revision().publish()
    standard.redirects = [StandardRedirect(reason="substance_abuse", destination=shelter)]
    standard.save_revision()

    assert rules_in_force().redirects == {"substance_abuse": (addiction.pk,)}


def test_first_contact_is_due_the_deadline_days_after_the_local_day_of_receipt(db):
    StandardPageFactory(first_contact_deadline_days=7)
    rules = rules_in_force()
    # 23:30 UTC on 2 March is already 3 March in Copenhagen: the local day counts.
    late_evening = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)

    assert rules.first_contact_due(late_evening) == dt.date(2026, 3, 10)
    assert rules.first_contact_due(dt.date(2026, 3, 2)) == dt.date(2026, 3, 9)


def test_reassessment_is_due_the_interval_later_on_the_same_day_or_the_months_last(db):
    StandardPageFactory(reassessment_interval_months=4)
    rules = rules_in_force()

    assert rules.reassessment_due(moment(2)) == moment(2).replace(month=7)
    assert rules.reassessment_due(moment(2).replace(month=10, day=31)).date() == dt.date(
        2027, 2, 28
    )


def test_without_an_interval_no_reassessment_is_due(db):
    StandardPageFactory(reassessment_interval_months=None)

    assert rules_in_force().reassessment_due(moment(2)) is None


@pytest.mark.parametrize(
    ("min_age", "max_age", "outside"),
    [
        (None, None, {10: None, 17: None, 66: None, 99: None}),
        (18, None, {17: "under_age", 18: None, 99: None}),
        (None, 65, {10: None, 65: None, 66: "over_age"}),
        (18, 65, {17: "under_age", 18: None, 65: None, 66: "over_age"}),
    ],
)
def test_only_an_age_limit_the_standard_sets_puts_an_age_outside(db, min_age, max_age, outside):
    StandardPageFactory(min_age=min_age, max_age=max_age)
    rules = rules_in_force()

    assert {age: rules.age_outside_range(age) for age in outside} == outside


# --- First contact: each kind of promise ---------------------------------------------------


def first_contact_rules(rule, **numbers):
    StandardPageFactory(
        first_contact_rule=rule,
        first_contact_deadline_days=numbers.get("days"),
        first_contact_deadline_hours=numbers.get("hours"),
    )
    return rules_in_force()


def local(day, hour=0, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Maundy Thursday, Good Friday, the weekend and Easter Monday are no working days.
        (dt.date(2026, 4, 1), 2, dt.date(2026, 4, 8)),
        # Christmas Eve is not a public holiday; Christmas Day and the weekend after are not
        # working days.
        (dt.date(2026, 12, 23), 3, dt.date(2026, 12, 29)),
        # New Year's Day (a Friday) and the weekend after.
        (dt.date(2026, 12, 30), 2, dt.date(2027, 1, 4)),
        # Received on a Saturday: Monday is the first working day after it.
        (dt.date(2026, 3, 7), 1, dt.date(2026, 3, 9)),
    ],
)
def test_working_days_skip_weekends_and_danish_public_holidays(db, received, days, due):
    rules = first_contact_rules("working_days", days=days)

    assert rules.first_contact_due(local(received, 9)) == due
    assert rules.first_contact_deadline(local(received, 9)) == local(due + dt.timedelta(days=1))


def test_calendar_days_run_out_when_their_last_day_ends(db):
    rules = first_contact_rules("calendar_days", days=7)

    assert rules.first_contact_deadline(local(dt.date(2026, 3, 2), 9)) == local(
        dt.date(2026, 3, 10)
    )


def test_same_day_runs_out_at_midnight_after_the_day_of_receipt(db):
    rules = first_contact_rules("same_day")
    received = local(dt.date(2026, 3, 2), 23, 59)

    assert rules.first_contact_due(received) == dt.date(2026, 3, 2)
    assert rules.first_contact_deadline(received) == local(dt.date(2026, 3, 3))
    # 23:30 UTC on 2 March is already 3 March in Copenhagen: the local day counts.
    utc_late = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert rules.first_contact_due(utc_late) == dt.date(2026, 3, 3)


def test_hours_run_from_the_moment_of_receipt(db):
    rules = first_contact_rules("hours", hours=4)

    assert rules.first_contact_deadline(local(dt.date(2026, 3, 2), 10)) == local(
        dt.date(2026, 3, 2), 14
    )
    # Over midnight, the last day in time is the day the hours end.
    assert rules.first_contact_due(local(dt.date(2026, 3, 2), 22)) == dt.date(2026, 3, 3)


@pytest.mark.parametrize("rule", ["none", "asap"])
def test_none_stated_and_as_soon_as_possible_set_no_deadline(db, rule):
    rules = first_contact_rules(rule)

    assert rules.first_contact_deadline(moment(2)) is None
    assert rules.first_contact_due(moment(2)) is None
    assert rules.first_contact_as_soon_as_possible is (rule == "asap")


def test_a_revision_saved_before_first_contact_had_kinds_reads_as_calendar_days(db):
    standard = StandardPageFactory(first_contact_deadline_days=5)
    revision = standard.live_revision
    # A revision written before the field existed has no key for it.
    del revision.content["first_contact_rule"]
    del revision.content["first_contact_deadline_hours"]
    revision.save(update_fields=["content"])
    rules_of_revision.cache_clear()

    rules = rules_of_revision(revision.pk)

    assert (rules.first_contact_rule, rules.first_contact_deadline_days) == ("calendar_days", 5)
    assert rules.first_contact_due(dt.date(2026, 3, 2)) == dt.date(2026, 3, 7)


# --- Reassessment: each kind ---------------------------------------------------------------


def reassessment_rules(rule, months):
    StandardPageFactory(reassessment_rule=rule, reassessment_interval_months=months)
    return rules_in_force()


def test_once_after_4_months_is_due_after_the_first_period_and_never_again(db):
    rules = reassessment_rules("once", 4)

    assert rules.reassessment_due(moment(2)) == moment(2).replace(month=7)
    assert rules.reassessment_due(moment(2).replace(month=7), reassessed_before=True) is None
    assert not rules.reassessment_is_reminder


def test_every_4_months_is_due_after_each_period(db):
    rules = reassessment_rules("every", 4)

    later = moment(2).replace(month=7)
    assert rules.reassessment_due(later, reassessed_before=True) == later.replace(month=11)
    assert not rules.reassessment_is_reminder


def test_about_3_months_is_a_one_off_reminder(db):
    rules = reassessment_rules("about", 3)

    assert rules.reassessment_due(moment(2)) == moment(2).replace(month=6)
    assert rules.reassessment_due(moment(2), reassessed_before=True) is None
    assert rules.reassessment_is_reminder


def test_a_revision_saved_before_reassessment_had_kinds_reads_as_every_n_months_or_none(db):
    with_number = StandardPageFactory(reassessment_interval_months=4)
    without = StandardPageFactory(reassessment_interval_months=None)
    revisions = [with_number.live_revision, without.live_revision]
    for revision in revisions:
        del revision.content["reassessment_rule"]
        revision.save(update_fields=["content"])
    rules_of_revision.cache_clear()

    old_with, old_without = (rules_of_revision(revision.pk) for revision in revisions)

    assert old_with.reassessment_rule == "every"
    assert old_with.reassessment_due(moment(2), reassessed_before=True) == moment(2).replace(
        month=7
    )
    assert old_without.reassessment_rule == "none"
    assert old_without.reassessment_due(moment(2)) is None


def test_the_case_handling_deadline_is_its_own_rule_counted_from_the_local_day(db):
    StandardPageFactory(first_contact_deadline_days=7, case_handling_deadline_days=42)
    rules = rules_in_force()
    late_evening = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March in Copenhagen

    assert rules.case_handling_due(late_evening) == dt.date(2026, 4, 14)
    assert rules.first_contact_due(late_evening) == dt.date(2026, 3, 10)


def test_without_a_case_handling_deadline_none_is_due(db):
    StandardPageFactory()

    assert rules_in_force().case_handling_due(moment(2)) is None
