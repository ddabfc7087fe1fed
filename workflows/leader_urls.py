"""Leaders' screens under /ledelse/."""

from django.urls import path

from . import leader_views

app_name = "leader"

urlpatterns = [
    path("", leader_views.dashboard, name="dashboard"),
    path("frister/<slug:kind>/", leader_views.breaches, name="breaches"),
    path("statusrapport/", leader_views.annual_report, name="status_report"),
    path("import/", leader_views.import_cases, name="import_cases"),
    path("import/skabelon.csv", leader_views.import_template, name="import_template"),
    path("import/skabelon.xlsx", leader_views.import_template_xlsx, name="import_template_xlsx"),
    path("import/<uuid:import_id>/", leader_views.import_job, name="import_job"),
    path(
        "import/<uuid:import_id>/status/", leader_views.import_job_status, name="import_job_status"
    ),
]
