"""sipxweb settings: everything comes from the environment, with a development default for each value
so that `make run` needs no configuration. `.env.example` lists every variable."""

import hmac
import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sipxweb.csp import POLICY as CSP_POLICY

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """The variable's value; unset or empty means the default (an empty line in .env is "not set")."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

# The key signs sessions, CSRF tokens and Digest nonces: a public one lets anyone forge them. Without SECRET_KEY,
# the installation's own random key from SECRET_KEY_FILE (`make run` creates it on first start, mode 0600,
# git-ignored); the fixed development key only for DEBUG=1 without that file (tests, a bare manage.py).
SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", str(BASE_DIR / ".secret_key")))
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY") or (SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.is_file() else "")
SECRET_KEY = SECRET_KEY or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set, {SECRET_KEY_FILE} does not exist and DEBUG is off: export SECRET_KEY to a long "
        "random string (python -c 'import secrets; print(secrets.token_urlsafe(50))') or run make run once."
    )

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
# The address gunicorn binds (gunicorn.conf.py) answers too when it is a specific one, not a wildcard.
if not env("ALLOWED_HOSTS") and env("BIND_HOST", "127.0.0.1") not in {"0.0.0.0", "::"}:
    _bind = env("BIND_HOST", "127.0.0.1")
    ALLOWED_HOSTS.append(f"[{_bind}]" if ":" in _bind else _bind)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Honour X-Forwarded-Proto / X-Forwarded-Host only when a reverse proxy we trust sets them.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# The PBX's SIP domain and authentication realm (sipXconfig's Domain.name / Domain.sipRealm).
SIPX_DOMAIN = env("SIPX_DOMAIN", "example.org")
SIPX_REALM = env("SIPX_REALM", SIPX_DOMAIN)

# Ports: the main web port and the click-to-call port (both served by the same gunicorn).
PORT = int(env("PORT", "8000"))
CALLCONTROL_PORT = int(env("CALLCONTROL_PORT", "6667"))

# The SIP call-control agent (`manage.py run_callcontrol`, apps/callcontrol): the address it listens on (UDP and
# TCP; port 0 = any free port) and the address it puts in Via/Contact, how often it polls for new attempts. The
# proxy it sends every out-of-dialog request to, SIPX_PROXY, is set below with the SIP proxy's settings.
CALLCONTROL_SIP_BIND = env("CALLCONTROL_SIP_BIND", "127.0.0.1")
CALLCONTROL_SIP_PORT = int(env("CALLCONTROL_SIP_PORT", "5180"))
CALLCONTROL_SIP_ADDRESS = env("CALLCONTROL_SIP_ADDRESS", "")
CALLCONTROL_POLL_MS = int(env("CALLCONTROL_POLL_MS", "20"))

# The SIP proxy and registrar (Kamailio, pbx/kamailio/, apps/sipproxy, docs/sipproxy.md): the address it listens
# on (UDP and TCP), the sipxweb URL it posts call events to, and its service credential (a Bearer token that
# may only post call-state events and ask for routes; by default derived from SECRET_KEY, so every host of
# an installation agrees on it). `manage.py kamailio_config` writes them to SIPPROXY_RUN_DIR for Kamailio.
PBX_SIP_HOST = env("PBX_SIP_HOST", "127.0.0.1")
PBX_SIP_PORT = int(env("PBX_SIP_PORT", "5060"))
# The agent's proxy (host:port[;transport=tcp]): SIPX_PROXY when it is set; else the bundled Kamailio at
# PBX_SIP_HOST:PBX_SIP_PORT when bin/run started it (bin/run starts Kamailio before the agent and exports
# PBX_SIP_RUNNING=1 to it only when it started Kamailio, so an agent never sends to a port nothing of ours holds);
# else the SIP domain on 5060, an external proxy as before.
_bundled_proxy = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(PBX_SIP_HOST) or (  # listening on all: loopback
    f"[{PBX_SIP_HOST}]" if ":" in PBX_SIP_HOST else PBX_SIP_HOST
)
SIPX_PROXY = env(
    "SIPX_PROXY",
    f"{_bundled_proxy}:{PBX_SIP_PORT}" if env("PBX_SIP_RUNNING", "") == "1" else f"{SIPX_DOMAIN}:5060",
)
_web_host = env("BIND_HOST", "127.0.0.1")
_web_host = "127.0.0.1" if _web_host in {"0.0.0.0", "::"} else _web_host
SIPPROXY_WEB_URL = env("SIPPROXY_WEB_URL", f"http://{f'[{_web_host}]' if ':' in _web_host else _web_host}:{PORT}")
SIPPROXY_TOKEN = env("SIPPROXY_TOKEN") or hmac.new(SECRET_KEY.encode(), b"sipxweb-sip-proxy", "sha256").hexdigest()
SIPPROXY_RUN_DIR = Path(env("SIPPROXY_RUN_DIR", str(BASE_DIR / "pbx" / "run")))
# Where calls leave the proxy (apps/sipproxy/routing.py): ring-list numbers that are no user go to SIPX_GATEWAY (a
# host, default the SIP domain); an unanswered call of a user with voicemail to SIPX_VOICEMAIL_URI ({user} is the
# user name, e.g. sip:{user}@media.example.org); conference, attendant and voicemail numbers to SIPX_MEDIA_URI
# ({number}, {app}, {service}, {target}: docs/sipproxy.md#routing). Empty: no voicemail / no media server.
# The media server (apps/mediaserver, `manage.py run_mediaserver`, docs/mediaserver.md): its SIP address, the first
# of its RTP ports, how many calls it takes at once (more are answered 486), the addresses it takes calls from (the
# proxy's), where the system prompts are spoken to (make_prompts) and in which espeak-ng voice, where converted
# greetings are kept, the longest message, and PJSIP's log level (0-6; above 3 it logs SIP messages, DTMF included).
MEDIA_SIP_HOST = env("MEDIA_SIP_HOST", "127.0.0.1")
MEDIA_SIP_PORT = int(env("MEDIA_SIP_PORT", "5070"))
MEDIA_RTP_PORT = int(env("MEDIA_RTP_PORT", "30000"))
MEDIA_MAX_CALLS = int(env("MEDIA_MAX_CALLS", "20"))
MEDIA_TRUSTED_ADDRESSES = [a for a in env("MEDIA_TRUSTED_ADDRESSES", _bundled_proxy.strip("[]")).split(",") if a]
MEDIA_PROMPTS_DIR = Path(env("MEDIA_PROMPTS_DIR", str(BASE_DIR / "pbx" / "prompts")))
MEDIA_PROMPTS_VOICE = env("MEDIA_PROMPTS_VOICE", "en-us")
MEDIA_CACHE_DIR = Path(env("MEDIA_CACHE_DIR", str(BASE_DIR / "pbx" / "media-cache")))
MEDIA_MAX_MESSAGE_SECONDS = int(env("MEDIA_MAX_MESSAGE_SECONDS", "300"))
MEDIA_PJSIP_LOG_LEVEL = int(env("MEDIA_PJSIP_LOG_LEVEL", "1"))
# The URIs the proxy sends calls to: by default the bundled media server when bin/run started it (it exports
# MEDIA_SERVER_RUNNING=1, as PBX_SIP_RUNNING above), else none.
_media = f"{'[' + MEDIA_SIP_HOST + ']' if ':' in MEDIA_SIP_HOST else MEDIA_SIP_HOST}:{MEDIA_SIP_PORT}"
_media_running = env("MEDIA_SERVER_RUNNING", "") == "1"
SIPX_GATEWAY = env("SIPX_GATEWAY", "")
SIPX_VOICEMAIL_URI = env(
    "SIPX_VOICEMAIL_URI", f"sip:{{user}}@{_media};service=deposit;target={{user}}" if _media_running else ""
)
SIPX_MEDIA_URI = env(
    "SIPX_MEDIA_URI", f"sip:{{number}}@{_media};service={{service}};target={{target}}" if _media_running else ""
)
# Who besides administrators may post call-state events (POST /cse): the proxy's service credential.
CSE_SERVICE_PERMISSION = "apps.sipproxy.permissions.IsSipProxy"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.audit",
    "apps.users",
    "apps.phones",
    "apps.attendants",
    "apps.phonebooks",
    "apps.voicemail",
    "apps.conferences",
    "apps.pbxdata",
    "apps.adminapi",
    "apps.cdrs",
    "apps.callcontrol",
    "apps.sipproxy",
    "apps.provisioning",
    "apps.mediaserver",
    "apps.dashboard",
]

MIDDLEWARE = [
    # First: refuses control characters, oversized paths/headers/bodies and cross-site REST writes before any
    # other middleware or view works on the request (sipxweb/bounds.py).
    "sipxweb.bounds.RequestBoundsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above everything that reads the database (sessions, users, messages): a database outage is a 503.
    "sipxweb.dbdown.DatabaseUnavailableMiddleware",
    "sipxweb.csp.HtmlContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages in the user's own time zone.
    "apps.users.middleware.UserTimeZoneMiddleware",
    # Pages in the user's (or the browser's) language; the APIs always in English.
    "apps.users.middleware.UserLanguageMiddleware",
    # Who acts, through which channel, from where: read by apps.audit when a service records a change.
    "apps.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sipxweb.urls"
WSGI_APPLICATION = "sipxweb.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        # A kept connection is tested (SELECT 1) before a request reuses it: after a database restart the
        # first request opens a new connection instead of failing on the dead one (sipxweb/dbdown.py).
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets gunicorn workers read while one writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["apps.users.backends.LoginNameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# The HTML login form (sipxweb.views.LoginView): the users app's, with the brute-force lockout (D7).
LOGIN_FORM = "apps.users.forms.LoginForm"
LOGOUT_REDIRECT_URL = "login"
# The portal PIN policy where Django asks for a password itself (createsuperuser); the pages and the APIs ask
# apps.users.services.pin_rule directly.
AUTH_PASSWORD_VALIDATORS = [{"NAME": "apps.users.validators.PinPolicyValidator"}]

# Shared state between workers and hosts (lockout counters): the database cache by default,
# Redis when REDIS_URL is set. `manage.py createcachetable` creates the table (make run does).
# CACHE_KEY_PREFIX keeps installations (or test runs) that share one Redis database apart.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "sipxweb.cache.LeanRedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "sipxweb.cache.LeanDatabaseCache",
            "LOCATION": "sipxweb_cache",
            "OPTIONS": {"MAX_ENTRIES": 100000},
        }
    }

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
# The pages speak English and German (locale/de); the REST APIs always answer in English, their sentences a contract.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# Content-Security-Policy of the HTML pages (sipxweb/csp.py): scripts and styles from /static/ or with the
# request's nonce, nothing from other origins, no framing.
SECURE_CSP = CSP_POLICY

SESSION_COOKIE_HTTPONLY = True
# 1 when the pages are served over HTTPS (as they should be: docs/operations.md): the session and CSRF
# cookies then never travel over plain HTTP (the call-controller port 6667 uses Digest, not cookies).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_HTTPONLY = False  # the portal's scripts read it to call the REST URIs with the session

# Requests per token (or per user without one) on the admin JSON API, counted in the shared cache; 0 = no limit.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "1200/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The key of a /private/{key}/... URL wins over any credentials sent with it (D9: an old key is 404).
        "apps.users.authentication.PrivateKeyAuthentication",
        "apps.users.authentication.BasicAuthentication",
        "apps.users.authentication.DigestAuthentication",
        # API tokens (apps/users/tokens.py): the admin JSON API, and a user's own /my URIs.
        "apps.users.tokens.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sipxweb.rest.permissions.IsPbxUser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "sipxweb.rest.negotiation.VariantNegotiation",
    "DEFAULT_RENDERER_CLASSES": [
        "sipxweb.rest.renderers.XStreamXMLRenderer",
        "sipxweb.rest.renderers.XStreamJSONRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["sipxweb.rest.parsers.XStreamJSONParser", "sipxweb.rest.parsers.XStreamXMLParser"],
    # A database outage is a 503 (sipxweb/dbdown.py); every other error goes to sipxweb.rest.errors (D1).
    "EXCEPTION_HANDLER": "sipxweb.dbdown.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # sipXconfig negotiates by Accept only (B.1.4): no ?format= override.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sipxweb — the sipXconfig-compatible REST API and the admin JSON API",
    "DESCRIPTION": (
        "Two APIs, paths relative to the server root. **/sipxconfig/rest/** is the sipXconfig 4.6 REST API as "
        "sipxweb serves it (XML or XStream JSON, Basic or Digest with a PIN). **/api/v1/** is the admin JSON API "
        "for integrations (docs/adminapi.md): plain JSON with the PBX data file's field names, a Bearer token "
        "(POST /api/v1/tokens), limit/offset pages, ETags and If-Match, bulk creation, per-token throttling (429 "
        "with Retry-After), and errors naming each refused field."
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sipxweb.rest.schema.add_error_responses",
        "sipxweb.rest.schema.describe_wire_roots",
        "sipxweb.rest.schema.link_private_entries",
        "sipxweb.rest.schema.close_strict_bodies",
        "sipxweb.rest.schema.storable_text",
        "sipxweb.rest.schema.single_entry_rules",
        "apps.adminapi.openapi.add_v1_error_responses",
    ],
    # "apiKey in path" is not valid OpenAPI for Swagger UI's try-out; the key is a path parameter anyway.
    "AUTHENTICATION_WHITELIST": [
        "apps.users.authentication.BasicAuthentication",
        "apps.users.authentication.DigestAuthentication",
        "apps.users.tokens.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

# Request bounds (sipxweb/bounds.py). Bodies: a REST URI accepts REST_MAX_BODY_BYTES unless its view declares
# more (the voicemail deposit takes a recording); HTML pages PAGE_MAX_BODY_BYTES (file imports, prompts,
# greetings). Larger bodies are 413 before they are read.
REST_MAX_BODY_BYTES = int(env("REST_MAX_BODY_BYTES", str(1024 * 1024)))
PAGE_MAX_BODY_BYTES = int(env("PAGE_MAX_BODY_BYTES", str(64 * 1024 * 1024)))
MAX_PATH_CHARS = int(env("MAX_PATH_CHARS", "2048"))
MAX_QUERY_CHARS = int(env("MAX_QUERY_CHARS", "4096"))
MAX_HEADER_BYTES = int(env("MAX_HEADER_BYTES", str(32 * 1024)))
# Refusals of that gate under these path prefixes use the API's own error layout, built by the named function
# (status, sentence) -> response; every other API prefix gets the JSON error body of D1.
API_ERROR_LAYOUTS = {
    "/callcontroller/": "apps.callcontrol.api.errors.processing_status_response",
    "/sipproxy/": "apps.sipproxy.api.views.error_response",  # the route Kamailio asks (docs/sipproxy.md)
    "/api/v1/": "apps.adminapi.errors.gate_refusal",  # the admin JSON API's error body, JSON as its answers
}

# The dial plan (sipxweb/dialplan.py): per app that hands out dialable names, the function that says which of
# some names it holds; a name one app holds may not be given out by another.
DIALPLAN_OWNERS = {
    "users": "apps.users.dialplan.owner_of",
    "conferences": "apps.conferences.dialplan.owner_of",
    "sipproxy": "apps.sipproxy.dialplan.owner_of",
}
# Which auto-attendant the dial plan's attendant numbers reach now (special mode decides): asked by the routing.
DIALPLAN_ATTENDANT = "apps.attendants.dialplan.playing_now"

# Brute-force protection (docs/compatibility.md D7).
LOCKOUT_WINDOW_SECONDS = int(env("LOCKOUT_WINDOW_SECONDS", "900"))
LOCKOUT_MAX_PER_NAME = int(env("LOCKOUT_MAX_PER_NAME", "10"))
LOCKOUT_MAX_PER_ADDRESS = int(env("LOCKOUT_MAX_PER_ADDRESS", "50"))
# The WWW-Authenticate value of every REST 401 (sipxweb/rest/errors.py): Digest with a server nonce, then Basic.
AUTH_CHALLENGE = "apps.users.authentication.challenge_value"
# Digest nonces (D8): HMAC-signed by the server, valid this long.
DIGEST_NONCE_SECONDS = int(env("DIGEST_NONCE_SECONDS", "300"))
# 1 restores sipXconfig 4.6's /private/{feed key}/... for every /my URI; by default the key, which every RSS
# link publishes, reads only the voicemail feed and its audio.
FEED_KEY_FULL_ACCESS = env_bool("FEED_KEY_FULL_ACCESS", False)

# Phone provisioning (apps/provisioning, docs/provisioning.md). PROVISIONING_URL: the absolute URL phones reach
# /provision/ at, written into their files (phonebook and firmware URLs); empty: the host and scheme of each
# request. PROVISIONING_SIP_PROXY: the outbound proxy the phones send to (host:port); by default the bundled
# Kamailio's PBX_SIP_HOST:PBX_SIP_PORT, or the SIP domain when Kamailio listens on every address. The registrar is
# SIPX_DOMAIN. The phones' time zone (an IANA name), NTP server and language (en, de, fr, es, it, nl, pt; another
# code gets English). PROVISIONING_UNKNOWN_MAX: how many unknown MAC addresses that asked are remembered.
PROVISIONING_URL = env("PROVISIONING_URL", "")
PROVISIONING_SIP_PROXY = env(
    "PROVISIONING_SIP_PROXY",
    f"{SIPX_DOMAIN if PBX_SIP_HOST in {'0.0.0.0', '::'} else _bundled_proxy}:{PBX_SIP_PORT}",
)
PHONE_TIME_ZONE = env("PHONE_TIME_ZONE", TIME_ZONE)
try:
    zoneinfo.ZoneInfo(PHONE_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f'PHONE_TIME_ZONE "{PHONE_TIME_ZONE}" is not a time zone name (such as Europe/Berlin or UTC).'
    ) from None
PHONE_NTP_SERVER = env("PHONE_NTP_SERVER", "pool.ntp.org")
PHONE_LANGUAGE = env("PHONE_LANGUAGE", "en").lower()
PROVISIONING_UNKNOWN_MAX = int(env("PROVISIONING_UNKNOWN_MAX", "1000"))
# The largest firmware image the admin may upload (bytes; images of today's phones are 20 to 150 MB).
PROVISIONING_FIRMWARE_MAX_BYTES = int(env("PROVISIONING_FIRMWARE_MAX_BYTES", str(256 * 1024 * 1024)))
# What other apps add to an admin's phone page (apps/phones/views.py): functions (request, phone) -> HTML, each a
# section of the page, named here so that the phones app imports none of them (provisioning: the files, Resync).
PHONE_PAGE_SECTIONS = ["apps.provisioning.phone_page.section"]
# What the admins' landing page (the user list) shows above the list: each a function(request) -> HTML.
ADMIN_HOME_SECTIONS = ["apps.mediaserver.status.section", "apps.callcontrol.status.section"]

# E-mail (voicemail to e-mail, apps/voicemail/email.py): through the SMTP server EMAIL_HOST when it is set, else
# printed on the console (make run). EMAIL_TIMEOUT bounds one attempt (seconds); DEFAULT_FROM_EMAIL is the sender.
_email_host = env("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": int(env("EMAIL_TIMEOUT", "30")),
        },
    }
    if _email_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"voicemail@{SIPX_DOMAIN}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "sipxweb.logredact.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
