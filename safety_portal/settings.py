"""Safety Portal settings: twelve-factor, from environment variables.

Defaults give a local demo (SQLite under var/, eager tasks, console email).
Production sets DEBUG=false and the variables listed in README.md.
"""

import datetime
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from safety_portal.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent
config = Config()

# Decided by the test runner only: an environment variable must never be able to relax production.
TESTING = "pytest" in sys.modules

DEBUG = config.bool("DEBUG", False)
# Off by default: a server started without configuration must not run in debug mode.
PRODUCTION = not DEBUG and not TESTING
SECRET_KEY = config.secret("SECRET_KEY", required=PRODUCTION) or "insecure-local-development-key"
ALLOWED_HOSTS = config.list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    config._fail("ALLOWED_HOSTS", "is required when DEBUG is off (comma-separated host names)")

SITE_URL = config.url("SITE_URL", None if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION and not SITE_URL:
    # Links in emails are built from it; a wrong default would send parents to localhost.
    config._fail("SITE_URL", "is required when DEBUG is off (e.g. https://portal.your-school.example)")
CSRF_TRUSTED_ORIGINS = config.list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "safety_portal.school",
    "safety_portal.signin",
    "safety_portal.audit",
    "safety_portal.outbox",
    "incidents",
    "agreements",
    "consent",
    "policies",
    "safety_portal.privacy",
    # Last: its demo loader, registered in ready(), reports on the other apps' demo data.
    "safety_portal.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safety_portal.middleware.SecurityHeaders",
    "safety_portal.middleware.RequestSizeLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Privileged roles are signed out when idle; then nobody half signed in gets past the code page.
    "safety_portal.signin.middleware.IdleSignOutMiddleware",
    "safety_portal.signin.middleware.SecondFactorMiddleware",
    "safety_portal.middleware.NoStoreWhenSignedIn",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A device handed to pupils or visitors reaches only their signing pages.
    "agreements.middleware.DeviceSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a sign-in refused for repeated failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safety_portal.urls"
WSGI_APPLICATION = "safety_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safety_portal.school.context_processors.portal",
                "agreements.context_processors.agreements_to_sign_prompt",
            ],
        },
    },
]

DATABASES = {
    "default": config.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query it guesses is costly; for the portal's sub-second queries
    # compiling cost more than it saved (about 145 ms a request on the compliance and consent
    # pages at secondary-school size: bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent requests wait their turn
    # instead of failing with "database is locked" (PostgreSQL needs nothing of the kind).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "school.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: a locked-out account or address is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "safety_portal.signin.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failed passwords or codes for one account, or 50 from one address (a whole school
# usually shares one), then 15 minutes' wait (or an administrator unlocks it on the Sign-in
# security page). Each is counted separately; signin/lockout.py applies the two limits.
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 50  # the portal's own setting, read by LockoutHandler
AXES_HANDLER = "safety_portal.signin.lockout.LockoutHandler"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "safety_portal.signin.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "safety_portal.audit.services.client_ip"
AXES_LOCKOUT_CALLABLE = "safety_portal.signin.lockout.lockout_response"
# Failures are cleared by a completed sign-in (password and any code), not by the password alone:
# otherwise someone with the password could try codes for ever, signing in again every four.
AXES_RESET_ON_SUCCESS = False
# The audit trail records sign-ins; typed codes are never kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Failed codes count towards the lockout above, so django-otp's own growing delay is off: it
# would also refuse a right code typed a second after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "Safety Portal"

LANGUAGES = [("en-gb", _("English"))]
LANGUAGE_CODE = config.choice("LANGUAGE_CODE", "en-gb", [code for code, _name in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.time_zone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(config.str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Manifest storage needs collectstatic, which tests and runserver skip.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if not PRODUCTION
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis: the Celery broker and the shared cache. Without it tasks run in-process.
REDIS_URL = config.url("REDIS_URL", None, schemes=("redis", "rediss"))
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Tests in parallel processes (pytest -n): each process gets its own Redis database, so a test
    # that empties the cache or reads the broker's queue never touches another process's keys.
    _worker_number = int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{_worker_number + 1}").geturl()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "portal-test" if TESTING else "portal"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
# With acks_late a task whose worker dies unacknowledged is delivered again, so every task is
# idempotent. A task that kills its own worker process (out of memory) is not requeued: it
# would kill the next one too; the outbox sweep and the next scheduled run pick up its work.
CELERY_TASK_REJECT_ON_WORKER_LOST = False
# A stuck task is stopped: the soft limit raises inside it (it can tidy up), the hard one kills.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 150
# A broker that is down must not hang the request that queued a task: fail within a second or
# two (on_commit(robust=True) swallows the error) and leave the work to the outbox sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.2}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs live in code, not in the database, so they are reviewed like code.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "safety_portal.outbox.tasks.outbox_sweep",
        "schedule": 60.0,
    },
    "mis-import-expire": {"task": "safety_portal.school.tasks.mis_import_expire", "schedule": 3600.0},
    "incidents-overdue-digest": {
        "task": "incidents.tasks.incidents_overdue_digest",
        "schedule": 24 * 3600.0,  # once a day; DigestMention keeps it to one mention a day
    },
    "agreement-reminders": {
        # Every six hours: each parent link and each member of staff is reminded at most once a
        # week however often this runs, so a missed run costs hours, not a week.
        "task": "agreements.tasks.agreement_reminders",
        "schedule": 6 * 3600.0,
    },
    "policy-review-reminders": {
        # Daily at 7 a.m. school time, so "due today" arrives before the school day. Each policy's
        # reminder for a review date and milestone (30, 14, 7 days before, on the day, weekly
        # overdue) is sent once however often this runs, even on two workers at once.
        "task": "policies.tasks.review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "governor-report-term-end": {
        # Daily: a draft report for each term that ended a week ago (within 60 days), for the DSL
        # to check and finalise; once per term however often this runs.
        "task": "safety_portal.reports.tasks.term_end_reports",
        "schedule": crontab(hour=6, minute=0),
    },
    "consent-leavers-digest": {
        # Weekly; each leaver is named in one digest only however often this runs.
        "task": "consent.tasks.leavers_digest",
        "schedule": 7 * 24 * 3600.0,
    },
}

# How long a parent's personal signing link works, in days.
AGREEMENT_LINK_DAYS = config.int("AGREEMENT_LINK_DAYS", 30)
if not 1 <= AGREEMENT_LINK_DAYS <= 365:
    config._fail("AGREEMENT_LINK_DAYS", "must be between 1 and 365")

if PRODUCTION and not config.str("EMAIL_URL"):
    # The console backend would silently drop password resets and incident alerts.
    config._fail("EMAIL_URL", "is required when DEBUG is off (e.g. smtp+tls://user:password@smtp.example:587)")
EMAIL_CONFIG = config.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = EMAIL_CONFIG.get("EMAIL_FILE_PATH") or None
# A hung mail server must not hold a worker (and the outbox row's lock) for ever.
EMAIL_TIMEOUT = config.int("EMAIL_TIMEOUT", 30)
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = config.email_address("DEFAULT_FROM_EMAIL", "Safety Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Security: production runs behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Record the client address from the last X-Forwarded-For entry (set by our own proxy).
# Only turn on behind a proxy that appends it, or browsers could choose their address.
TRUST_X_FORWARDED_FOR = config.bool("TRUST_X_FORWARDED_FOR", False)
SESSION_COOKIE_HTTPONLY = True
# Reset links are for someone at their inbox now: an hour, and each works once.
PASSWORD_RESET_TIMEOUT = 60 * 60
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent by safety_portal.middleware.SecurityHeaders. No 'unsafe-inline' anywhere: scripts and
# styles are files under static/ (README, "Security headers and uploads").
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# The largest request body accepted at all (a 20 MB policy document plus its form); larger is
# refused with a 413 page before it is read. Each upload point has its own smaller limit.
MAX_REQUEST_BYTES = 25 * 1024 * 1024
# Form fields without files; uploads above this go to a temporary file, not memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
if PRODUCTION:
    SECURE_SSL_REDIRECT = config.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = config.int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Checked here: logging's own error for a bad level does not name the variable.
    "root": {"handlers": ["console"],
             "level": config.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO: noise in the worker's log.
        "weasyprint.progress": {"level": "WARNING"},
        # 403s and 404s are normal here (outsiders get 404 by design); only errors are logged.
        "django.request": {"level": "ERROR"},
    },
}
