"""The work screens' HTML: forms shown side by side keep their ids, and labels, apart."""

import re
from collections import Counter

from django.urls import reverse

from .factories import accept, finish_outreach, log_contact, open_task, register_case, task_url

ID = re.compile(r'\sid="([^"]+)"')


def _duplicate_ids(response):
    assert response.status_code == 200
    counts = Counter(ID.findall(response.content.decode()))
    return sorted(value for value, count in counts.items() if count > 1)


def test_the_contact_log_beside_a_decision_form_has_ids_of_its_own(
    client, skp_standard, team_a, coordinator_a, worker_a
):
    """Both forms have a note: the contact form's label must not lead to the decision's."""
    case = register_case(team=team_a, registered_by=worker_a)
    accept(client, coordinator_a, case, worker_a)
    client.force_login(worker_a)

    outreach = client.get(task_url(open_task(case, "outreach")))

    assert _duplicate_ids(outreach) == []
    html = outreach.content.decode()
    assert 'for="id_contact_note"' in html and 'id="id_contact_note"' in html
    assert 'for="id_note"' in html and 'id="id_note"' in html

    log_contact(client, worker_a, case, achieved=True)
    assert finish_outreach(client, worker_a, case, "contact_made").status_code == 302

    assert _duplicate_ids(client.get(task_url(open_task(case, "end_support")))) == []
    assert _duplicate_ids(client.get(reverse("workflows:case_detail", args=[case.pk]))) == []
    assert case.contacts.get().note == "Mødt ved bænken."
