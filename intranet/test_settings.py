"""Settings for the test suite: the real settings, a fast hasher and no https redirect."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# One process: the concern form's rate limit in its memory (a test switches to the database
# cache production uses, tests/test_concern_form.py).
os.environ.setdefault("DJANGO_SHARED_CACHE", "memory")

from intranet.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Lockout is tested on its own (tests/test_security.py switches it on).
AXES_ENABLED = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "intranet.test_postgresql"  # noqa: F405
