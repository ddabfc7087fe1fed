"""One referral through the whole process, in the browser, by the people who do each step.

A team member registers it, the coordinator triages it, the primary contact person makes
contact, records the citizen's consent and hands the case over, and the receiving team
acknowledges the handover, reading the summary and nothing else of the case.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.danish]

ALIAS = "Kasketten fra vaskeriet"
WHEREABOUTS = "Møntvaskeriet på Vestergade, om aftenen."
CONCERN = "Sover i opgangen over møntvaskeriet og virker meget afkræftet. Vil ikke ringe selv."
SUMMARY = "Ønsker behandling for alkohol. Træffes i møntvaskeriet om aftenen; vil have følgeskab."
RECEIVER = "Rusmiddelcenteret"


def _local(moment):
    """A moment as a datetime-local input wants it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _current_stage(page):
    return page.locator(".process-stages [aria-current=step]")


def _queue_row(page, alias):
    return page.locator("table.task-table tbody tr").filter(has_text=alias)


def _log_contact(page, *, kind, achieved, at, note):
    # By the labels: the task's decision form beside it has a note field of its own.
    form = page.locator("form[action$='/kontakt/']")
    form.get_by_label("Hvornår").fill(_local(at))
    form.get_by_label("Type").select_option(label=kind)
    form.get_by_label("Kontakt opnået").set_checked(achieved)
    form.get_by_label("Bemærkning").fill(note)
    form.get_by_role("button", name="Registrér kontakt").click()
    expect(page.locator(".messages")).to_contain_text("Kontakten er registreret.")


def test_a_referral_goes_from_intake_to_handover(demo_site, logged_in, screenshot):
    now = timezone.now()

    # 1. A team member registers a concern about an anonymous person.
    worker = logged_in("skp_nord_1")
    worker.goto("/sager/")
    worker.locator("main").get_by_role("link", name="Ny henvendelse").click()
    expect(worker).to_have_url(re.compile(r"/sager/ny/$"))
    expect(worker.locator("h1")).to_have_text("Ny henvendelse")
    expect(worker.locator("#id_referral-team")).to_have_value(re.compile(r"\d+"))
    worker.locator("#id_referral-received_at").fill(_local(now - timedelta(days=1)))
    worker.locator("#id_referral-channel").select_option(label="Telefon")
    worker.locator("#id_referral-source").select_option(label="Boligselskab")
    worker.locator("#id_referral-concern").fill(CONCERN)
    worker.locator("#id_person-alias").fill(ALIAS)
    worker.locator("#id_person-whereabouts").fill(WHEREABOUTS)
    screenshot(worker, "1-register")
    worker.get_by_role("button", name="Registrér henvendelse").click()

    expect(worker).to_have_url(re.compile(r"/sager/\d+/$"))
    case_url = worker.url
    case_pk = re.search(r"/sager/(\d+)/$", case_url).group(1)
    expect(worker.locator(".messages")).to_contain_text(
        "Henvendelsen er registreret og venter på visitering i køen."
    )
    expect(worker.locator("h1")).to_have_text(f"Sag {case_pk}: {ALIAS}")
    expect(_current_stage(worker)).to_contain_text("Visitering")
    referral = worker.locator("section[aria-labelledby=referral-heading]")
    expect(referral).to_contain_text("Telefon")
    expect(referral).to_contain_text("Boligselskab")
    expect(referral).to_contain_text("Anonym")
    expect(referral).to_contain_text(CONCERN)
    expect(worker.locator("section[aria-labelledby=open-tasks-heading]")).to_contain_text(
        "Visitér henvendelsen"
    )

    # 2. The coordinator finds the triage task in the team's queue, takes it and accepts.
    coordinator = logged_in("koordinator_nord")
    coordinator.goto("/sager/koe/")
    expect(coordinator.locator("h1")).to_have_text("Kø for Udekørende team Nord")
    row = _queue_row(coordinator, ALIAS)
    expect(row).to_contain_text("Visitér henvendelsen")
    expect(row).to_contain_text("Ikke tildelt")
    row.get_by_role("button", name="Tag").click()
    expect(coordinator.locator(".messages")).to_contain_text("Opgaven er din.")
    row = _queue_row(coordinator, ALIAS)
    expect(row).to_contain_text("Birgitte Holmskov")
    row.get_by_role("link", name="Åbn").click()

    expect(coordinator).to_have_url(re.compile(r"/sager/opgave/\d+/$"))
    expect(coordinator.locator("h1")).to_have_text("Visitér henvendelsen")
    expect(_current_stage(coordinator)).to_contain_text("Visitering")
    primary = coordinator.locator("#id_primary_worker")
    expect(primary).to_be_hidden()  # shown once the decision is to accept
    coordinator.get_by_label("Acceptér: teamet tager sagen").check()
    expect(primary).to_be_visible()
    primary.select_option(label="Mette Kragelund")
    screenshot(coordinator, "2-triage")
    coordinator.get_by_role("button", name="Gem visiteringsafgørelsen").click()

    expect(coordinator).to_have_url(case_url)
    expect(coordinator.locator(".messages")).to_contain_text("“Visitér henvendelsen” er udført.")
    expect(_current_stage(coordinator)).to_contain_text("Opsøgende kontakt")
    expect(coordinator.locator(".page-head .meta")).to_contain_text(
        "Primær kontaktperson: Mette Kragelund"
    )

    # 3. The primary contact person has the outreach task: one failed attempt, then contact.
    worker.goto("/sager/")
    todo = worker.locator("section[aria-labelledby=todo-heading]")
    row = todo.locator("tbody tr").filter(has_text=ALIAS)
    expect(row).to_contain_text("Opsøgende kontakt: opnå kontakt")
    expect(row).to_contain_text("Mette Kragelund")
    row.get_by_role("link", name="Opsøgende kontakt: opnå kontakt").click()
    expect(worker.locator("h1")).to_have_text("Opsøgende kontakt: opnå kontakt")
    outreach_url = worker.url

    _log_contact(
        worker,
        kind="Offentligt rum",
        achieved=False,
        at=now - timedelta(hours=3),
        note="Ikke i vaskeriet. Efterlod et kort hos ejeren.",
    )
    expect(worker).to_have_url(outreach_url)
    contacts = worker.locator("section[aria-labelledby=contacts-heading] table")
    expect(contacts.locator("tbody tr")).to_have_count(1)
    expect(contacts).to_contain_text("Nej, forsøg")

    # Support cannot start on a failed attempt alone.
    worker.get_by_label("Kontakt opnået: støtteforløbet starter").check()
    worker.get_by_role("button", name="Afslut opsøgende kontakt").click()
    expect(worker.locator(".field-result .errorlist")).to_have_text(
        "Registrér kontakten først: der er endnu ikke registreret nogen opnået kontakt."
    )
    screenshot(worker, "3-outreach-attempt")

    _log_contact(
        worker,
        kind="Offentligt rum",
        achieved=True,
        at=now - timedelta(hours=2),
        note="Mødt i vaskeriet. Vil gerne tale om hjælp til at stoppe med at drikke.",
    )
    expect(contacts.locator("tbody tr")).to_have_count(2)
    expect(contacts.locator("tbody tr").first).to_contain_text("Ja")
    worker.get_by_label("Kontakt opnået: støtteforløbet starter").check()
    screenshot(worker, "4-outreach-contact")
    worker.get_by_role("button", name="Afslut opsøgende kontakt").click()

    expect(worker).to_have_url(case_url)
    expect(_current_stage(worker)).to_contain_text("Støtteforløb")
    expect(worker.locator("section[aria-labelledby=open-tasks-heading]")).to_contain_text(
        "Støtteforløb i gang"
    )

    # 4. The citizen consents to sharing with the addiction centre; support ends in a handover.
    worker.get_by_text("Registrér et samtykke", exact=True).click()
    consent = worker.locator("form[action$='/samtykke/']")
    consent.locator("#id_receiver").select_option(label=RECEIVER)
    consent.locator("#id_information").fill("Forbrug, behandlingsønsker og kontaktoplysninger.")
    consent.locator("#id_form").select_option(label="Skriftligt")
    consent.get_by_role("button", name="Registrér samtykke").click()
    expect(worker).to_have_url(case_url)
    expect(worker.locator(".messages")).to_contain_text("Samtykket er registreret.")
    consents = worker.locator("section[aria-labelledby=consent-heading] li").filter(
        has_text=RECEIVER
    )
    expect(consents.locator(".badge")).to_have_text("gyldigt")

    worker.locator("section[aria-labelledby=open-tasks-heading]").get_by_role(
        "link", name="Støtteforløb i gang"
    ).click()
    expect(worker.locator("h1")).to_have_text("Støtteforløb i gang")
    worker.get_by_label("Overdrag til et andet tilbud").check()
    worker.get_by_role("button", name="Afslut støtteforløbet").click()
    expect(worker).to_have_url(case_url)
    expect(_current_stage(worker)).to_contain_text("Overdragelse")

    worker.locator("section[aria-labelledby=open-tasks-heading]").get_by_role(
        "link", name="Overdrag til et andet tilbud"
    ).click()
    expect(worker.locator("h1")).to_have_text("Overdrag til et andet tilbud")
    expect(worker.get_by_label("Send overdragelsen")).to_be_checked()
    worker.locator("#id_receiving_team").select_option(label=RECEIVER)
    worker.locator("#id_summary").fill(SUMMARY)
    worker.get_by_label("Borgerens samtykke").check()
    screenshot(worker, "5-hand-over")
    worker.get_by_role("button", name="Gem").click()

    expect(worker).to_have_url(case_url)
    handover = worker.locator("section[aria-labelledby=handover-heading]")
    expect(handover).to_contain_text(f"Sendt til {RECEIVER}")
    expect(handover).to_contain_text("Endnu ikke kvitteret.")
    expect(_current_stage(worker)).to_contain_text("Overdragelse")
    screenshot(worker, "6-handover-sent")

    # 5. The receiving team acknowledges from its own queue and sees the summary only.
    receiver = logged_in("modtager_rusmiddel")
    receiver.goto("/sager/koe/")
    expect(receiver.locator("h1")).to_have_text(f"Kø for {RECEIVER}")
    row = _queue_row(receiver, ALIAS)
    expect(row).to_contain_text("Kvittér for overdragelsen")
    expect(row.get_by_role("link", name=ALIAS)).to_have_count(0)  # the case is not theirs
    row.get_by_role("button", name="Tag").click()
    _queue_row(receiver, ALIAS).get_by_role("link", name="Åbn").click()

    expect(receiver.locator("h1")).to_have_text("Kvittér for overdragelsen")
    facts = receiver.locator("section[aria-labelledby=handover-facts-heading]")
    expect(facts).to_contain_text("Fra Udekørende team Nord")
    expect(facts).to_contain_text(SUMMARY)
    expect(receiver.locator("main")).not_to_contain_text(CONCERN)
    expect(receiver.locator("main")).not_to_contain_text("Efterlod et kort hos ejeren")
    screenshot(receiver, "7-acknowledge")
    receiver.get_by_role("button", name="Kvittér for overdragelsen").click()

    expect(receiver).to_have_url(f"{case_url}overdragelse/")
    expect(receiver.locator(".messages")).to_contain_text("“Kvittér for overdragelsen” er udført.")
    expect(receiver.locator("h1")).to_have_text("Overdragelsesresumé")
    expect(receiver.locator("main")).to_contain_text(SUMMARY)
    expect(receiver.locator("main")).to_contain_text("Kvitteret")
    expect(receiver.locator("main")).not_to_contain_text(CONCERN)
    screenshot(receiver, "8-summary")
    assert receiver.goto(case_url).status == 404
    receiver.goto("/sager/koe/")
    expect(_queue_row(receiver, ALIAS)).to_have_count(0)

    # The case is closed as handed over, and its timeline tells the story in order.
    worker.goto(case_url)
    expect(_current_stage(worker)).to_contain_text("Afsluttet")
    closed = worker.locator("section[aria-labelledby=closed-heading]")
    expect(closed).to_contain_text("Overdraget til et etableret tilbud")
    expect(closed.get_by_role("link", name=RECEIVER)).to_be_visible()
    expect(worker.locator("section[aria-labelledby=open-tasks-heading]")).to_have_count(0)
    timeline = worker.locator("section[aria-labelledby=timeline-heading] li")
    expect(timeline).to_contain_text(
        [
            "Kontakt: Offentligt rum",
            "Kontakt: Offentligt rum",
            "Visitér henvendelsen",
            "Opsøgende kontakt: opnå kontakt",
            "Samtykke: " + RECEIVER,
            "Støtteforløb i gang",
            "Overdrag til et andet tilbud",
            "Kvittér for overdragelsen",
        ]
    )
    expect(timeline.filter(has_text="Visitér henvendelsen")).to_contain_text("Accepteret")
    expect(timeline.filter(has_text="Overdrag til et andet tilbud")).to_contain_text(
        "Overdragelse sendt"
    )
    expect(timeline.filter(has_text="Kvittér for overdragelsen")).to_contain_text(
        "Overdragelse kvitteret"
    )
    screenshot(worker, "9-case-closed")


def test_a_handover_without_consent_for_the_receiver_is_refused(demo_site, logged_in, screenshot):
    # Jens's consent covers the housing team only, not the addiction centre.
    worker = logged_in("skp_nord_2")
    worker.goto("/sager/")
    ongoing = worker.locator("section[aria-labelledby=ongoing-heading]")
    ongoing.locator("tbody tr").filter(has_text="Jens Ravnsborg").get_by_role(
        "link", name="Støtteforløb i gang"
    ).click()
    worker.get_by_label("Overdrag til et andet tilbud").check()
    worker.get_by_role("button", name="Afslut støtteforløbet").click()
    worker.locator("section[aria-labelledby=open-tasks-heading]").get_by_role(
        "link", name="Overdrag til et andet tilbud"
    ).click()
    task_url = worker.url

    worker.locator("#id_receiving_team").select_option(label=RECEIVER)
    worker.locator("#id_summary").fill("Ønsker hjælp til at stoppe med at drikke.")
    worker.get_by_label("Borgerens samtykke").check()
    worker.get_by_role("button", name="Gem").click()

    expect(worker).to_have_url(task_url)
    expect(worker.locator(".error-summary")).to_contain_text(
        "Overdragelsen er afvist: der er ikke registreret noget samtykke fra borgeren til "
        f"at dele oplysninger med {RECEIVER}."
    )
    expect(worker.locator("#id_summary")).to_have_value("Ønsker hjælp til at stoppe med at drikke.")
    expect(_current_stage(worker)).to_contain_text("Overdragelse")
    screenshot(worker, "refused")

    worker.get_by_role("link", name="Åbn hele sagen").click()
    expect(worker.locator("section[aria-labelledby=handover-heading]")).to_have_count(0)
