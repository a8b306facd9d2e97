"""The installation's values Kamailio needs, and the file that hands them over (docs/sipproxy.md).

The configuration itself is pbx/kamailio/kamailio.cfg, kept in the repository; `kamailio_config()` writes a
small top-level file beside the running installation (SIPPROXY_RUN_DIR/kamailio.cfg, mode 0600: it holds the
service credential and the database password) that #!defines the values and includes the repository's file."""

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from apps.sipproxy import dbviews

REPO_CONFIG = Path(settings.BASE_DIR) / "pbx" / "kamailio" / "kamailio.cfg"
MODULES_DIR = os.environ.get("KAMAILIO_MODULES", "/usr/lib/x86_64-linux-gnu/kamailio/modules")


class ConfigProblem(ValueError):
    """A value Kamailio cannot be given (said in one sentence)."""


@dataclass(frozen=True)
class ProxyConfig:
    domain: str
    realm: str
    host: str
    port: int
    db_driver: str  # "sqlite" or "postgres": which db module the configuration loads
    db_url: str
    web_url: str
    token: str


def database_url() -> tuple[str, str]:
    """(driver, Kamailio db_url) for sipxweb's default database."""
    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        path = str(Path(db["NAME"]).resolve())
        return "sqlite", f"sqlite://{path}"
    if engine in ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"):
        user = quote(db.get("USER") or "", safe="")
        password = db.get("PASSWORD") or ""
        if password and re.search(r"[@:/]", password):
            # Kamailio's URL parser does not decode %-escapes: such a password cannot be written in its db_url.
            raise ConfigProblem("Kamailio cannot use a database password containing '@', ':' or '/'.")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or "5432"
        return "postgres", f"postgres://{credentials}{host}:{port}/{db['NAME']}"
    raise ConfigProblem(f"Kamailio can read SQLite or PostgreSQL, not {engine}.")


def current() -> ProxyConfig:
    driver, url = database_url()
    for name, value in (("SIPX_DOMAIN", settings.SIPX_DOMAIN), ("PBX_SIP_HOST", settings.PBX_SIP_HOST)):
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", value):
            raise ConfigProblem(f"{name} must be a host name or an IP address, not {value!r}.")
    if not 0 < settings.PBX_SIP_PORT < 65536:
        raise ConfigProblem(f"PBX_SIP_PORT must be a port number (1-65535), not {settings.PBX_SIP_PORT}.")
    if not re.fullmatch(r"https?://[^\s\"]+", settings.SIPPROXY_WEB_URL):
        raise ConfigProblem("SIPPROXY_WEB_URL must be an http:// or https:// URL.")
    return ProxyConfig(
        domain=settings.SIPX_DOMAIN,
        realm=settings.SIPX_REALM,
        host=settings.PBX_SIP_HOST,
        port=settings.PBX_SIP_PORT,
        db_driver=driver,
        db_url=url,
        web_url=settings.SIPPROXY_WEB_URL.rstrip("/"),
        token=settings.SIPPROXY_TOKEN,
    )


def port_problem(config: ProxyConfig) -> str | None:
    """Why Kamailio could not listen on the configured address (UDP and TCP), or None when it can."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    for kind, name in ((socket.SOCK_DGRAM, "UDP"), (socket.SOCK_STREAM, "TCP")):
        with socket.socket(family, kind) as probe:
            if kind == socket.SOCK_STREAM:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((config.host.strip("[]"), config.port))
            except OSError as exc:
                return f"{name} {config.host}:{config.port} is not free ({exc.strerror or exc})"
    return None


def _quoted(value: str) -> str:
    if '"' in value or "\\" in value or "\n" in value:
        raise ConfigProblem(f"A Kamailio value may not contain quotes, backslashes or line breaks: {value!r}.")
    return f'"{value}"'


def render(config: ProxyConfig, run_dir: Path) -> str:
    host = f"[{config.host}]" if ":" in config.host and not config.host.startswith("[") else config.host
    defines = {
        "SIP_DOMAIN": _quoted(config.domain),
        "REALM": _quoted(config.realm),
        "LISTEN_UDP": f"udp:{host}:{config.port}",
        "LISTEN_TCP": f"tcp:{host}:{config.port}",
        "DBURL": _quoted(config.db_url),
        "WEB_URL": _quoted(config.web_url),
        "SERVICE_AUTH": _quoted(f"Authorization: Bearer {config.token}"),
        "MODULES_DIR": _quoted(MODULES_DIR),
        "RUN_DIR": _quoted(str(run_dir)),
        f"WITH_{config.db_driver.upper()}": "",
    }
    lines = [
        "#!KAMAILIO",
        "# Written by `manage.py kamailio_config` for this installation; run it again instead of editing.",
        "# The configuration is the repository's pbx/kamailio/kamailio.cfg, included below.",
        *(f"#!define {name} {value}".rstrip() for name, value in defines.items()),
        f"include_file {_quoted(str(REPO_CONFIG))}",
        "",
    ]
    return "\n".join(lines)


def write_config(run_dir: Path | None = None, check_port: bool = False) -> Path:
    """Writes SIPPROXY_RUN_DIR/kamailio.cfg (mode 0600) and points the views at SIPX_DOMAIN; returns the path.
    With `check_port`, a port another process holds is a ConfigProblem (said before Kamailio is started)."""
    run_dir = Path(run_dir or settings.SIPPROXY_RUN_DIR).resolve()
    config = current()
    if check_port and (problem := port_problem(config)):
        raise ConfigProblem(problem)
    text = render(config, run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "kamailio.cfg"
    temporary = run_dir / f".kamailio.cfg.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(temporary, target)
    dbviews.create(connection)
    return target
