"""Django settings, read from the environment.

LINKWELL_ENV=development (the default) gives safe local defaults: DEBUG on, a throwaway
secret key, an SQLite database under var/. LINKWELL_ENV=production turns DEBUG off, demands
SECRET_KEY and ALLOWED_HOSTS, and turns on HTTPS-only cookies, HSTS and the SSL redirect,
so `linkwell check --deploy` is clean.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from linkwell.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = os.environ.get("LINKWELL_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("LINKWELL_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when LINKWELL_ENV=production")
    SECRET_KEY = "development-only-key-not-for-production-" + "x" * 20  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when LINKWELL_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "linkwell.accounts",
    "linkwell.people",
    "linkwell.cases",
    "linkwell.operations",
    "linkwell.portal",
    *["linkwell.geo", "linkwell.directory"],  # postcode centroids, then the service directory
    *["linkwell.outcomes", "linkwell.interop"],  # outcome measures; FHIR read-out
    *["django_tasks", "django_tasks_db", "linkwell.connections"],  # onward referrals, reminders
    "linkwell.standards",  # PRSB social prescribing standard: completeness, message back
    "linkwell.reporting",  # dashboards and exports for managers, with disclosure control
    "linkwell.checkins",  # asking the person whether they got to a service
    "linkwell.delivery",  # the outbox: MESH to GP practices, GOV.UK Notify to people
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "linkwell.accounts.middleware.AuditContextMiddleware",
    "linkwell.accounts.middleware.RefusalAuditMiddleware",
    "linkwell.logs.RequestLogMiddleware",
    "linkwell.nul.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linkwell.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "linkwell.urls"
WSGI_APPLICATION = "linkwell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linkwell" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linkwell.accounts.context_processors.roles",
                "linkwell.inbox.header_count",
            ],
        },
    },
]

DATA_DIR = Path(os.environ.get("LINKWELL_DATA_DIR", BASE_DIR / "var"))
if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'linkwell.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests (and the task worker) write at once: wait for the lock, not fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id first: new and re-saved passwords are hashed with it (OWASP's first choice).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lock-out: this many failures for one username within the window locks it for the window.
OTP_TOTP_ISSUER = "Linkwell"

LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# Single sign-on with OpenID Connect (linkwell/accounts/single_sign_on.py), off unless a client
# id is set: NHS Care Identity Service 2 or Microsoft Entra ID; see docs/operations.md.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "linkwell.accounts.single_sign_on.SingleSignOnBackend",
]
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "NHS Care Identity Service 2")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_EMAIL_CLAIM = os.environ.get("OIDC_EMAIL_CLAIM", "email")
OIDC_CLOCK_LEEWAY_SECONDS = 60
OIDC_TIMEOUT = 10
OIDC_CREATE_USER = False  # never: an identity must match an account an admin invited
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# One lock-out for wrong passwords and wrong codes alike (linkwell.accounts.services), so
# django-otp's own per-device throttle, timed differently, is off.
OTP_TOTP_THROTTLE_FACTOR = 0
# Staff accounts' single-use emailed links: invitations, password resets, two-factor set-up.
INVITATION_LINK_DAYS = int(os.environ.get("INVITATION_LINK_DAYS", "7"))
ACCOUNT_LINK_HOURS = int(os.environ.get("ACCOUNT_LINK_HOURS", "2"))

# Idle expiry: the session lasts SESSION_IDLE_MINUTES after the last request, and ends with the
# browser. Saving on every request is what makes the expiry sliding.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

X_FRAME_OPTIONS = "DENY"
# Strict Content-Security-Policy: only our own scripts, styles and images, no inline code.
# Templates carry no inline <script> or style attributes (tests/test_security.py checks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "en-gb"
# Staff pages are English; person-facing pages and messages use the person's language where a
# translation ships (linkwell/portal/languages.py). Welsh wants review by a Welsh speaker.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "linkwell" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "linkwell" / "static"]
# collectstatic writes here in production; locally WhiteNoise serves from the app folders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

# JSON lines on stdout, identifiers masked (linkwell/logs.py); one INFO line per request.
LOGGING = logging_config(
    root_level=os.environ.get("LOG_LEVEL", "WARNING"),
    loggers={
        "linkwell.request": {"level": os.environ.get("LOG_REQUESTS_LEVEL", "INFO")},
        # runserver's own request lines carry the query string; the line above replaces them.
        "django.server": {"level": "CRITICAL"},
    },
)

# Years after a person's last case closes before their record is anonymised
# (`linkwell people apply-retention`); see linkwell/people/subject_access.py.
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "8"))

# Directory services not verified for this many days are flagged for review (about 6 months).
DIRECTORY_STALE_AFTER_DAYS = int(os.environ.get("DIRECTORY_STALE_AFTER_DAYS", "183"))

# Public self-referral form: accepted submissions per client address per hour.
SELF_REFERRALS_PER_HOUR = int(os.environ.get("SELF_REFERRALS_PER_HOUR", "5"))
# The reverse proxies whose X-Forwarded-For is believed (linkwell/client_address.py): their
# addresses or networks, and/or how many stand in front of the app. Neither: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Refused requests (401, 403) written to the audit log per client address per minute.
REFUSALS_AUDITED_PER_MINUTE = int(os.environ.get("REFUSALS_AUDITED_PER_MINUTE", "30"))

# Limits on free text, so a pasted document cannot swamp a record.
MAX_NOTE_LENGTH = 5000

# Background tasks (django-tasks, database backend; `linkwell worker` runs them): provider
# nudges and reminders, enqueued in the same transaction as the change that causes them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# FHIR canonical URLs (Questionnaire.url, its answer code systems): fixed, not the host a request
# came in on, because a canonical names the definition wherever it is read (FHIR R4
# resource.html#canonical). Change it only with a new version of every Questionnaire.
FHIR_CANONICAL_BASE = os.environ.get("FHIR_CANONICAL_BASE", "https://linkwell.example/fhir").rstrip(
    "/"
)
# Onward referrals (linkwell.connections): links in emails, nudges, reminders, text messages.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Linkwell <no-reply@linkwell.invalid>")
# Console in development; real mail (EMAIL_HOST, EMAIL_PORT, … as in Django) in production,
# where printing messages with their single-use links to the log would leak them.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
# The outbox (linkwell.delivery, docs/operations.md): each channel's backend. Development prints
# texts and letters and sends email through EMAIL_BACKEND (the console); production defaults to
# GOV.UK Notify and `linkwell check --deploy` refuses the console and memory backends there.
_NOTIFY = "linkwell.delivery.notify.NotifyBackend"
_CONSOLE = "linkwell.delivery.backends.ConsoleBackend"
DELIVERY_BACKENDS = {
    "text": os.environ.get("TEXT_BACKEND", _NOTIFY if PRODUCTION else _CONSOLE),
    "email": os.environ.get(
        "EMAIL_DELIVERY_BACKEND",
        _NOTIFY if PRODUCTION else "linkwell.delivery.backends.DjangoMailBackend",
    ),
    "letter": os.environ.get("LETTER_BACKEND", _NOTIFY if PRODUCTION else _CONSOLE),
    "mesh": os.environ.get("MESH_BACKEND", "linkwell.delivery.mesh.MeshBackend"),
}
# Retries: the n-th failed try waits DELIVERY_RETRY_SECONDS × 2^(n-1), at most
# DELIVERY_RETRY_MAX_SECONDS; after DELIVERY_MAX_ATTEMPTS the message fails, visibly. A claim
# older than DELIVERY_CLAIM_SECONDS is a worker that died mid-send (`linkwell delivery send-due`).
DELIVERY_RETRY_SECONDS = int(os.environ.get("DELIVERY_RETRY_SECONDS", "60"))
DELIVERY_RETRY_MAX_SECONDS = int(os.environ.get("DELIVERY_RETRY_MAX_SECONDS", "21600"))
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "12"))
DELIVERY_CLAIM_SECONDS = int(os.environ.get("DELIVERY_CLAIM_SECONDS", "600"))
# Keys sealing queued messages' text at rest (Fernet keys, comma-separated, newest first;
# linkwell/delivery/sealing.py). Development derives one from SECRET_KEY when empty.
DELIVERY_KEYS = env_list("DELIVERY_KEYS", [])
# GOV.UK Notify: the API key (from the service's API integration page), one template per
# channel, and the bearer token Notify sends to our delivery-receipt callback.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATES = {
    "text": os.environ.get("NOTIFY_TEMPLATE_TEXT", ""),
    "email": os.environ.get("NOTIFY_TEMPLATE_EMAIL", ""),
    "letter": os.environ.get("NOTIFY_TEMPLATE_LETTER", ""),
}
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
# MESH: our mailbox, its password and the environment's shared key (from the MESH onboarding),
# the client certificate for the live and integration endpoints, and the workflow ID GP
# systems file documents under (linkwell/delivery/mesh.py cites it).
MESH_URL = os.environ.get("MESH_URL", "")
MESH_MAILBOX = os.environ.get("MESH_MAILBOX", "")
MESH_PASSWORD = os.environ.get("MESH_PASSWORD", "")
MESH_SHARED_KEY = os.environ.get("MESH_SHARED_KEY", "")
MESH_CLIENT_CERT = os.environ.get("MESH_CLIENT_CERT", "")
MESH_CLIENT_KEY = os.environ.get("MESH_CLIENT_KEY", "")
MESH_CA_CERT = os.environ.get("MESH_CA_CERT", "")
MESH_TIMEOUT_SECONDS = int(os.environ.get("MESH_TIMEOUT_SECONDS", "60"))
MESH_WORKFLOW_ID = os.environ.get("MESH_WORKFLOW_ID", "GPFED_CONSULT_REPORT")
# Hours after sending a message back by MESH before the practice's missing business
# acknowledgement is chased (the case, Today, the outbox: GP Connect Send Document GPCM-SD-095).
MESH_ACK_CHASE_HOURS = int(os.environ.get("MESH_ACK_CHASE_HOURS", "48"))
CONNECTION_NUDGE_AFTER_DAYS = int(os.environ.get("CONNECTION_NUDGE_AFTER_DAYS", "5"))
PROVIDER_LINK_DAYS = int(os.environ.get("PROVIDER_LINK_DAYS", "14"))
SESSION_REMINDER_HOURS = int(os.environ.get("SESSION_REMINDER_HOURS", "24"))
# Check-ins (linkwell.checkins): asking the person whether they got to a service.
CHECKIN_AFTER_DAYS = int(os.environ.get("CHECKIN_AFTER_DAYS", "7"))
CHECKIN_AGAIN_AFTER_DAYS = int(os.environ.get("CHECKIN_AGAIN_AFTER_DAYS", "7"))
CHECKIN_LINK_DAYS = int(os.environ.get("CHECKIN_LINK_DAYS", "14"))
# The person's own page (linkwell.portal): the emailed link, and the session it is exchanged for.
PERSON_PAGE_LINK_DAYS = int(os.environ.get("PERSON_PAGE_LINK_DAYS", "7"))
PERSON_PAGE_MINUTES = int(os.environ.get("PERSON_PAGE_MINUTES", "30"))

# Reporting (linkwell.reporting, docs/reporting.md). Disclosure control: counts of 1 to
# REPORTING_SUPPRESS_UP_TO are hidden, others rounded to the nearest REPORTING_ROUND_TO (NHS
# England's rule by default). The engine: "database" (aggregates in this database) or "duckdb"
# (DuckDB over the Parquet snapshot `linkwell reporting snapshot` writes, for large deployments).
REPORTING_SUPPRESS_UP_TO = int(os.environ.get("REPORTING_SUPPRESS_UP_TO", "7"))
REPORTING_ROUND_TO = int(os.environ.get("REPORTING_ROUND_TO", "5"))
REPORTING_ENGINE = os.environ.get("REPORTING_ENGINE", "database")
REPORTING_SNAPSHOT_DIR = Path(
    os.environ.get("REPORTING_SNAPSHOT_DIR", DATA_DIR / "reporting-snapshot")
)
