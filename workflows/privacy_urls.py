"""The data protection officer's screens under /databeskyttelse/."""

from django.urls import path

from . import privacy_views as views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("person/<int:pk>/", views.person_log, name="person_log"),
    path("person/<int:pk>/csv/", views.person_log_csv, name="person_log_csv"),
    path("person/<int:pk>/indsigt/", views.insight, name="insight"),
    path("bruger/<int:pk>/", views.user_log, name="user_log"),
    path("bruger/<int:pk>/csv/", views.user_log_csv, name="user_log_csv"),
    path("stikproeve/", views.sample, name="sample"),
    path("noedadgang/", views.emergency_accesses, name="emergency_accesses"),
    path("noedadgang/<int:pk>/", views.emergency_review, name="emergency_review"),
]
