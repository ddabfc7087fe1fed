"""Public content rendered once and kept, until anything it may show changes.

A published standard's content (its sections, body, delivering teams' contact details and
redirect destinations) is the same for every visitor who passes the same view restrictions;
rendering it costs more than the rest of the page. It is kept in the `public_content` cache
under a key that holds the page's live revision and the token of the one
`PublishedContentVersion` row. Every save, publish, unpublish, move or deletion of a page, and
every change to a view restriction, site or document, replaces that token in the same
transaction, so the next request, in any process on any server, renders afresh: a team's new
phone number shows on the standard at once. The token is read from the database on each
request, so the cache itself can stay in each process's memory (intranet/settings.py): nothing
has to be purged, and a restarted process starts empty, with the templates it runs.

Previews (`request.is_preview`) never read or fill the cache: they show unsaved content.
"""

import uuid

from django.core.cache import caches
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail import signals as wagtail_signals

CACHE_ALIAS = "public_content"


def current_token():
    """The token cached content is keyed on; None (nothing cached) if the row is missing."""
    from .models import PublishedContentVersion

    return PublishedContentVersion.objects.values_list("token", flat=True).first()


def renew_token(**_signal_kwargs):
    """Give published content a new token: what was cached before is not read again."""
    from .models import PublishedContentVersion

    if not PublishedContentVersion.objects.update(token=uuid.uuid4()):
        PublishedContentVersion.objects.create()


def cached_html(request, key_parts, render):
    """`render()`'s HTML, kept under `key_parts` and the current token.

    `key_parts` must name everything the HTML depends on besides published content (the
    page's live revision, the language, the site, what the visitor may see). Outside a
    plain live request (a preview, or a request Wagtail did not serve) it is rendered afresh.
    """
    if getattr(request, "is_preview", True):
        return render()
    token = current_token()
    if token is None:
        return render()
    cache = caches[CACHE_ALIAS]
    key = ":".join(str(part) for part in (*key_parts, token))
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html)
    return html


def connect_signals():
    """Renew the token on every change cached content may show (PagesConfig.ready)."""
    from wagtail.documents import get_document_model
    from wagtail.models import Page, PageViewRestriction, Site, get_page_models

    from .models import StandardRedirect

    changing = [Page, *get_page_models(), PageViewRestriction, Site, StandardRedirect]
    for model in (*changing, get_document_model()):
        post_save.connect(renew_token, sender=model, dispatch_uid=f"renew-{model._meta.label}")
        post_delete.connect(renew_token, sender=model, dispatch_uid=f"renew-{model._meta.label}")
    m2m_changed.connect(
        renew_token, sender=PageViewRestriction.groups.through, dispatch_uid="renew-groups"
    )
    # Sent after a publish has saved the page's relations too (the delivering teams).
    for name in ("page_published", "page_unpublished", "post_page_move"):
        getattr(wagtail_signals, name).connect(renew_token, dispatch_uid=f"renew-{name}")
