"""The staff home under /personale/."""

from django.urls import path

from . import home_views

urlpatterns = [
    path("", home_views.staff_home, name="staff_home"),
]
