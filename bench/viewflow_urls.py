"""The benchmark's URLconf: ours, plus viewflow's own queue view for the referral flow.

Not used by the intranet. Viewflow's frontend is not mounted there: its view permission is
flow-wide (it would show every case to whoever may see one) and its pages have no Danish.
bench/run.py serves it here only to time its queue page side by side with our team queue,
on the same data.
"""

from django.urls import path, reverse
from django.utils.html import format_html
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow.views import FlowQueueListView

from intranet.urls import urlpatterns as intranet_patterns
from workflows.flows import ReferralFlow


class QueueView(FlowQueueListView):
    """Viewflow's queue view as it is, but for the link of its first column.

    Its own link goes to the node's task view, which our nodes do not have (their work is
    done on our task page); reversing it would fail. The link goes to our task page instead.
    """

    def task_id(self, task):
        return format_html(
            '<a href="{}">#{}/{}</a>',
            reverse("workflows:task", args=[task.pk]),
            task.process_id,
            task.pk,
        )

    task_id.short_description = "#"


class ReferralApp(FlowAppViewset):
    queue_view_class = QueueView


site = Site(title="Viewflow", viewsets=[ReferralApp(ReferralFlow, icon="assignment")])

QUEUE_URL = "/viewflow/referral/queue/"

urlpatterns = [path("viewflow/", site.urls), *intranet_patterns]
