"""Password reset by e-mail, limited per client address and per account.

Django's reset already answers alike whether or not an account has the e-mail address. On top
of that: an address that asks too often is refused with a message (it counts every request,
so the refusal says nothing about accounts); an e-mail address asked for too often gets the
same "sent" answer with no mail, so a mailbox cannot be flooded. The mail leaves in the
background, so the answer does not take a mail server's time longer when the account exists.
Wagtail's own reset under /admin/ is switched off (WAGTAIL_PASSWORD_RESET_ENABLED): this is
the one door.
"""

import logging
import threading
import unicodedata

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import connections
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .throttle import Limit, client_limit_key

logger = logging.getLogger(__name__)

# Generous per address: a town hall's staff may share one address.
PER_ADDRESS = Limit("password-reset-address", limit=20, window_seconds=60 * 60)
PER_ACCOUNT = Limit("password-reset-account", limit=3, window_seconds=60 * 60)
MAIL_THREAD_NAME = "password-reset-mail"


def _account_key(email: str) -> str:
    # The forms Django itself treats as one address (PasswordResetForm.get_users).
    return unicodedata.normalize("NFKC", email).casefold()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form; at most PER_ACCOUNT.limit mails an hour per e-mail address asked for,
    counted whether or not an account has it."""

    def save(self, **kwargs):
        account = _account_key(self.cleaned_data["email"])
        if not PER_ACCOUNT.admit(account):
            return
        super().save(**kwargs)

    def send_mail(self, *args, **kwargs):
        """Hand the mail to a background thread: the answer must not wait for the mail server
        only when the account exists. Django's send_mail logs a failure itself."""
        language = translation.get_language()
        script_prefix = get_script_prefix()
        send = super().send_mail

        def deliver():
            set_script_prefix(script_prefix)
            try:
                with translation.override(language):
                    send(*args, **kwargs)
            finally:
                connections.close_all()  # this thread's own, if the rendering opened one

        threading.Thread(target=deliver, name=MAIL_THREAD_NAME).start()


class PasswordResetView(auth_views.PasswordResetView):
    """/konto/password_reset/ with the limits above."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"

    def form_valid(self, form):
        address = client_limit_key(self.request) or "unknown"
        if not PER_ADDRESS.admit(address):
            form.add_error(
                None,
                _(
                    "Too many password resets have been asked for from your network. Try again "
                    "in an hour, or ask your IT support to reset your password."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
