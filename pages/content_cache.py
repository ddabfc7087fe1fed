"""When a standard's public content, kept rendered, must be rendered afresh.

A published standard's content (its text, responsible departments, public contact persons,
delivering teams' contact details and hours, and redirect destinations) is the same for
every visitor who passes the same view restrictions, and rendering it costs more than the
rest of the page. templates/pages/standard_page.html keeps it with Django's `{% cache %}` tag
in the `public_content` cache, varied on the page's live revision, the language, the site,
the restrictions the visitor fails, and the content *generation* below.

The generation is a token in the `shared` cache (intranet/settings.py: the database in
production, so every process on every server reads the same one). Every save, publish,
unpublish, move or deletion of a page, and every change to a view restriction, site, document,
redirect, contact person or staff directory entry, replaces it, so the next request renders
afresh and a team's new phone number shows on the standard at once. Nothing has to be purged:
entries kept under an old generation are never read again and expire. Previews never use the
kept content (the template renders them afresh): they show unsaved choices.
"""

import uuid

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail import signals as wagtail_signals

CACHE_ALIAS = "public_content"
_GENERATION_KEY = "public-content-generation"


def current_generation():
    """The token kept content is varied on; a new one if none is stored (or it was culled)."""
    shared = caches["shared"]
    generation = shared.get(_GENERATION_KEY)
    if generation is None:
        shared.add(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = shared.get(_GENERATION_KEY)
    return generation


def _new_generation():
    caches["shared"].set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def renew_generation(**_signal_kwargs):
    """Content kept before is not read again: at once, and again when the change commits.

    The second renewal covers a request that read the old content between the first and the
    commit: what it kept is under a generation no later request asks for.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def connect_signals():
    """Renew the generation on every change kept content may show (PagesConfig.ready)."""
    from wagtail.documents import get_document_model
    from wagtail.models import Page, PageViewRestriction, Site, get_page_models

    from .models import StaffMember, StandardContactPerson, StandardRedirect, TeamOpeningHours

    changing = [
        Page,
        *get_page_models(),
        PageViewRestriction,
        Site,
        StandardRedirect,
        StandardContactPerson,
        TeamOpeningHours,
        # A contact person's name, phone or "shown publicly" is their directory entry's.
        StaffMember,
    ]
    for model in (*changing, get_document_model()):
        uid = f"renew-{model._meta.label}"
        post_save.connect(renew_generation, sender=model, dispatch_uid=uid)
        post_delete.connect(renew_generation, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        renew_generation, sender=PageViewRestriction.groups.through, dispatch_uid="renew-groups"
    )
    # Sent after a publish has saved the page's relations too (the delivering teams).
    for name in ("page_published", "page_unpublished", "post_page_move"):
        getattr(wagtail_signals, name).connect(renew_generation, dispatch_uid=f"renew-{name}")
