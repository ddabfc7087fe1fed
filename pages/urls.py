"""Search over the site's pages and the staff directory under /sog/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.search, name="search"),
]
