"""Password change, throttled as logins are.

Django's password change checks the old password without django-axes, so a session left open
would let anyone guess the password there without limit. A wrong old password counts here as
a failed login for the account from the client's address (django-axes, AXES_FAILURE_LIMIT in
AXES_COOLOFF_TIME); once that account and address are locked out, the change is refused with
the login's lockout page, the right old password included, and so is logging in.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed

from .security import lockout_response


class PasswordChangeView(auth_views.PasswordChangeView):
    def credentials(self):
        return {"username": self.request.user.get_username()}

    def locked_out(self):
        return AxesProxyHandler.is_locked(self.request, self.credentials())

    def post(self, request, *args, **kwargs):
        if self.locked_out():
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user_login_failed.send(
                sender=__name__, credentials=self.credentials(), request=self.request
            )
            if self.locked_out():
                return lockout_response(self.request)
        return super().form_invalid(form)
