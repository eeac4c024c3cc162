"""ActionLab settings: one module, configured through environment variables only.

Every variable read here is documented in the README's configuration table.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
# Folders the app writes to on this machine (the SQLite file's, the filesystem broker's,
# STATIC_ROOT): made when Django starts (core/apps.py), not when settings are read.
LOCAL_FOLDERS: list[Path] = []

# Lets generic Django classes (ModelForm[Program], QuerySet[...]) be subscripted at run time.
django_stubs_ext.monkeypatch()


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable. Anything but 1/0, true/false, yes/no or on/off (any case) stops
    the start: a typo such as MFA_REQUIRED_FOR_STAFF=required must not turn a protection
    off without a word."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of 1/0, true/false, yes/no, on/off."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people reach the site at; links in emails and calendar files start with it.
# Unset, it is the address `make run` serves: http://127.0.0.1 on PORT.
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 14)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on per organisation (programs/sso.py): each organisation's provider is
    # one SocialApp row, configured by its admins in the app.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_htmx",
    "core",
    "programs",
    "teams",
    "projects",
    "reflections",
    "coaching",
    "notifications",
    "dashboards",
]
# The development tools (devtools/: the demo and scale seeds, the benchmarks' commands) are
# installed when DEBUG is on or DEVTOOLS says so; production leaves them out.
DEVTOOLS = env_bool("DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No response of the application is stored by a browser or proxy (core/middleware.py).
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Dates and times on the signed-in person's own clock.
    "core.timezones.PersonTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Security: record refused requests; end idle and old sessions; send staff without a
    # second factor to its set-up.
    "core.security.SecurityEventMiddleware",
    "core.sessions.SessionTimeoutMiddleware",
    "programs.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that its 400 passes through every middleware above (CSP, security log): a NUL
    # character anywhere in a request is refused with a page that says so.
    "core.middleware.RejectNulMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "programs.context_processors.navigation",
            ],
        },
    },
]

# Every form renders its fields and errors with the shared templates in templates/forms/.
FORM_RENDERER = "core.forms.FormRenderer"

# Database: SQLite file by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'actionlab.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DATABASE_POOL", False):
        # psycopg's pool replaces persistent connections; Django requires CONN_MAX_AGE=0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN", 2),
                "max_size": env_int("DATABASE_POOL_MAX", 10),
                "timeout": 10,
            }
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    LOCAL_FOLDERS.append(BASE_DIR / "var")
    # The web process and the worker write to one file. WAL lets readers go on while one
    # writes; every transaction takes the write lock when it begins (IMMEDIATE), so it waits
    # for another writer (up to the timeout, in seconds) instead of failing with "database
    # is locked" halfway, after it has read or sent something.
    DATABASES["default"]["OPTIONS"] = DATABASES["default"].get("OPTIONS", {}) | {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker and cache when REDIS_URL is set; otherwise everything runs without a server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "actionlab",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # kombu's filesystem transport: a broker that is a folder, shared by the web process
    # and the worker that `make run` starts beside it.
    CELERY_QUEUE_DIR = Path(os.environ.get("CELERY_QUEUE_DIR", BASE_DIR / "var" / "celery"))
    LOCAL_FOLDERS += [CELERY_QUEUE_DIR / f for f in ("out", "processed", "results", "control")]
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "out"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"

# Parts of pages kept rendered between visits (core/page_cache.py): only with a cache that
# every process shares, so that a worker's writes retire what the web process kept.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django support closes the database connection before and after every task
# unless told to keep it for a number of tasks: a new PostgreSQL connection (a new server
# process) for each batch of 50 emails cost more than the batch's queries. The connection
# is kept for this many tasks; `core.tasks` checks it before each task as Django does
# before each request (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Weekly reminders: how often beat plans them and sweeps every delivery, and the lease: how
# long any delivery may stay queued or claimed before the sweeper hands it out again.
REMINDERS_TICK_SECONDS = env_int("REMINDERS_TICK_SECONDS", 300)
REMINDERS_SWEEP_SECONDS = env_int("REMINDERS_SWEEP_SECONDS", 300)
REMINDERS_STUCK_AFTER_SECONDS = env_int("REMINDERS_STUCK_AFTER_SECONDS", 15 * 60)
# Each entry is keyed by its task's name ("<app>.<action>") with dashes.
CELERY_BEAT_SCHEDULE = {
    "reminders-tick": {"task": "reminders.tick", "schedule": float(REMINDERS_TICK_SECONDS)},
    # Coach digests are planned on the reminders' beat (REMINDERS_TICK_SECONDS).
    "digests-tick": {"task": "digests.tick", "schedule": float(REMINDERS_TICK_SECONDS)},
    "notifications-digest-tick": {"task": "notifications.digest_tick", "schedule": 300.0},
    # The delivery pipeline's one sweeper: event emails, daily digests, reminders, coach
    # digests and partner notes idle past their lease go to a worker again.
    "notifications-sweep": {
        "task": "notifications.sweep",
        "schedule": float(REMINDERS_SWEEP_SECONDS),
    },
    # Owners hear of actions due tomorrow or overdue in their own morning (hourly, so
    # that every zone's morning comes round; each notice goes once).
    "notifications-action-deadlines": {
        "task": "notifications.action_deadlines",
        "schedule": 60 * 60.0,
    },
    "reflections-purge-deleted": {
        "task": "reflections.purge_deleted",
        "schedule": 24 * 60 * 60.0,
    },
    "core-purge-security-events": {
        "task": "core.purge_security_events",
        "schedule": 24 * 60 * 60.0,
    },
    "core-heartbeat": {
        "task": "core.heartbeat",
        "schedule": float(env_int("CELERY_HEARTBEAT_SECONDS", 60)),
    },
}

# Email through Django's MAILERS: printed to the console unless SMTP is configured.
EMAIL_URL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_URL_HOST:
    MAILERS = {
        "default": {
            # Django's SMTP backend with SMTPUTF8 for addresses like jörg@example.org.
            "BACKEND": "core.email_addresses.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_URL_HOST,
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Another backend by its dotted path, e.g. the local-memory one the reminder benchmark gives
# its workers.
if os.environ.get("EMAIL_BACKEND"):
    MAILERS = {"default": {"BACKEND": os.environ["EMAIL_BACKEND"]}}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "ActionLab <noreply@actionlab.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts: django-allauth, email as the login.
AUTH_USER_MODEL = "programs.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "programs.adapters.AccountAdapter"
ACCOUNT_ALLOW_SIGNUP = env_bool("ACCOUNT_ALLOW_SIGNUP", False)
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = os.environ.get(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# The code request refuses addresses whose organisation requires single sign-on.
ACCOUNT_FORMS = {"request_login_code": "programs.sso_forms.RequestLoginCodeForm"}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# allauth's rate limits (amount/period/per ip, user or key, i.e. the email) run on the
# shared cache: Redis when REDIS_URL is set, so every web process counts together. A 6th
# wrong password for one account within five minutes is refused. "invite" is ours: the
# program admins' invitation and resend views use it through allauth's helper.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "invite": "30/m/user,200/h/user,300/h/ip",
}
# X-Forwarded-For is ignored unless this many proxies in front of bin/web are trusted;
# rate limits and the security log then take the client address from it.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ActionLab] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Single sign-on (programs/sso.py, programs/sso_adapter.py). An organisation's provider
# signs a person in to the account made for their address (an invitation, an import) when
# the address is in the organisation's domains and the provider vouches for it; a new
# account is made only where the organisation lets anyone from its domains join a program.
SOCIALACCOUNT_ADAPTER = "programs.sso_adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_QUERY_EMAIL = True
# Access and refresh tokens are used once, to read who signed in, and never kept.
SOCIALACCOUNT_STORE_TOKENS = False
# The provider is reached only from a POST of our own pages (a GET would let any site
# start a sign-in on a visitor's behalf).
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# An organisation's identity provider (OpenID Connect issuer, SAML metadata and sign-in
# URLs) is reached over https only, at a public address: the server fetches these URLs, so
# one pointing into its own network is refused. Plain http and local addresses are for
# development and the tests' local providers.
SSO_ALLOW_LOCAL_PROVIDERS = DEBUG
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ActionLab"
# Program admins, coaches and site admins must add a TOTP authenticator (programs/mfa.py).
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", not DEBUG)

# A signed-in session ends after SESSION_IDLE_TIMEOUT seconds without a request and
# SESSION_ABSOLUTE_LIFETIME seconds after sign-in (core/sessions.py); the cookie's age is
# the absolute lifetime.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
# How long the security event log keeps an event (core/security.py); purged daily by beat.
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 400)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security headers; production (DEBUG off) gets secure cookies, HTTPS redirect and HSTS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe /healthz over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Anonymous callers of /healthz see only "ok" or "down"; a probe sending this value in the
# X-Healthz-Token header (and staff) also sees which part is down and the last heartbeat.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds every subdomain of the organisation's
# domain; that is the domain owner's decision, so it is off until SECURE_HSTS_PRELOAD says.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# How much a request may carry. The largest form (a reflection, a team reflection, a coach
# note or a charter section: 20,000 characters) is at most about 240 KB as a browser sends
# it, so a pasted megabyte still reaches its form, which names the limit and shows the text
# again. Past DATA_UPLOAD_MAX_MEMORY_SIZE of form data, DATA_UPLOAD_MAX_NUMBER_FIELDS fields
# or MAX_UPLOAD_SIZE in all (files included, checked before the body is read), the request
# gets templates/400.html, which says so (core/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# The only upload is a people file (teams/people_import.py: at most 2 MB, refused by the
# import page with its size beyond that): it is read in memory, a larger one from a
# temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
LOCAL_FOLDERS.append(STATIC_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", not DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No secret from a path (an invitation's or a calendar feed's token) reaches the log.
    "filters": {"redact_secrets": {"()": "core.access_log.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    # The development server's request log (`make run`) through the same filter.
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
