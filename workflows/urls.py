"""Work screens under /sager/."""

from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("koe/", views.team_queue, name="team_queue"),
    path("overblik/", views.overview, name="overview"),
    path("ny/", views.referral_register, name="referral_register"),
    path("opgave/<int:task_pk>/", views.task_detail, name="task"),
    path("opgave/<int:task_pk>/tag/", views.task_claim, name="task_claim"),
    path("opgave/<int:task_pk>/tildel/", views.task_assign, name="task_assign"),
    path("opgave/<int:task_pk>/frigiv/", views.task_unassign, name="task_unassign"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/noedadgang/", views.emergency_access, name="emergency_access"),
    path("<int:pk>/overdragelse/", views.handover_summary, name="handover_summary"),
    path("<int:pk>/person/", views.person_edit, name="person_edit"),
    path("<int:pk>/kontakt/", views.contact_add, name="contact_add"),
    path("<int:pk>/maal/", views.goal_add, name="goal_add"),
    path("<int:pk>/maal/<int:goal_pk>/status/", views.goal_status, name="goal_status"),
    path("<int:pk>/samtykke/", views.consent_add, name="consent_add"),
    path(
        "<int:pk>/samtykke/<int:consent_pk>/tilbagekald/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:pk>/genaabn/", views.case_reopen, name="case_reopen"),
]
