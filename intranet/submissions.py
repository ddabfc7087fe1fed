"""Once-only form submissions: a double submit creates exactly one record.

A form that creates something (a referral, a contact) mixes in `OnceOnlyFormMixin`: every
rendering carries a new random token in a hidden field, and redisplaying the form after an
error keeps it. The view runs its work through `submit_once`, which records the token in the
same transaction as the work. A second submit with the same token waits for the first (the
token is a primary key) and then gets `AlreadySubmitted` with the address of what the first
one created; if the first failed and rolled back, the second is carried out normally.
"""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SubmissionToken

FIELD = "submission_token"
KEEP_FOR = datetime.timedelta(days=30)


class AlreadySubmitted(Exception):
    """This form was already submitted; `result_url` shows what the first submit made."""

    def __init__(self, result_url):
        super().__init__(result_url)
        self.result_url = result_url


class OnceOnlyFormMixin(forms.Form):
    submission_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        initial=uuid.uuid4,
        error_messages={"invalid": _("The form is out of date. Reload the page and try again.")},
    )


def submit_once(
    token: uuid.UUID | None, user, work: Callable[[], Any], result_url: Callable[[Any], str]
):
    """Run `work()` unless `token` was used before; returns what `work()` returns.

    Without a token (a client that did not render our form) the work simply runs.
    """
    if token is None:
        return work()
    with transaction.atomic():
        try:
            with transaction.atomic():
                SubmissionToken.objects.create(token=token, user=user)
        except IntegrityError:
            earlier = SubmissionToken.objects.filter(token=token, user=user).first()
            raise AlreadySubmitted(earlier.result_url if earlier else "") from None
        result = work()
        SubmissionToken.objects.filter(token=token).update(result_url=result_url(result))
    return result


def earlier_result(token: uuid.UUID | None, user) -> str | None:
    """The result address of an earlier, completed submit of this form; None if none yet.

    For views that do more than the work before it (such as a duplicate check): a form
    sent again goes straight to what the first submit made.
    """
    if token is None:
        return None
    return (
        SubmissionToken.objects.filter(token=token, user=user)
        .values_list("result_url", flat=True)
        .first()
    )


def prune(now=None) -> int:
    """Forget tokens older than `KEEP_FOR` (nobody resubmits a month-old form)."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _counts = SubmissionToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted
