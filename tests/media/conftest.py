"""The media server's end-to-end rig: real gunicorn, Kamailio and `manage.py run_mediaserver` on loopback ports,
sharing one database (SQLite, or a fresh PostgreSQL database when the suite runs with a PostgreSQL DATABASE_URL), and
pjsua2 phones (tests/media/phone.py) registered as the users. The proxy reaches the media server through the
defaults bin/run uses (MEDIA_SERVER_RUNNING=1 and MEDIA_SIP_PORT), so the tests also check those.

Skipped where PJSIP (the CPython 3.12 wheel), Kamailio, espeak-ng or SoX is missing."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest

from tests.server.live import LiveServer
from tests.sip.conftest import (  # noqa: F401 (database_url: the fixture, used by name)
    KAMAILIO,
    SECRET_KEY,
    Kamailio,
    LoggedProcess,
    database_url,
    free_udp_port,
    set_sip_passwords,
    udp_port_bound,
)

try:
    import pjsua2  # noqa: F401

    HAVE_PJSIP = True
except ImportError:
    HAVE_PJSIP = False

WITH_MEDIA = [
    pytest.mark.sip,
    pytest.mark.media,
    pytest.mark.skipif(not HAVE_PJSIP, reason="PJSIP (pjsua2-python) needs CPython 3.12"),
    pytest.mark.skipif(not KAMAILIO, reason="Kamailio is not installed (apt-get install kamailio ...)"),
    pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng and sox needed"),
]

USERS = [("200", "1234", ["alice"]), ("201", "1234", ["bob"]), ("202", "1234", ["carol"]), ("203", "1234", [])]
SIP_PASSWORDS = {"200": "alicesip200", "201": "bobsip201", "202": "carolsip202", "203": "davesip203"}
DOMAIN = "example.org"


class MediaServerProcess(LoggedProcess):
    """`manage.py run_mediaserver` on the rig's database, ready once its SIP port is bound."""

    stop_timeout = 15

    def __init__(self, env: dict, tmp: Path, port: int):
        self.port = port
        super().__init__(
            [sys.executable, "manage.py", "run_mediaserver"],
            tmp / f"mediaserver-{port}.log",
            env,
            "the media server",
            lambda: udp_port_bound(port),
        )


class MediaPbx:
    """gunicorn + Kamailio + the media server on one database, with USERS and their SIP passwords."""

    def __init__(self, tmp: Path, database: str | None, **env: str):
        self.tmp = tmp
        self.media_port = free_udp_port()
        extra = {
            "SIPX_DOMAIN": DOMAIN,
            "MEDIA_SERVER_RUNNING": "1",
            "MEDIA_SIP_PORT": str(self.media_port),
            # Below Linux's ephemeral ports (32768-60999), where the phones' RTP ports are: a phone never gets a port
            # a media server was just using.
            "MEDIA_RTP_PORT": str(random.randrange(20000, 32000, 2)),
            "MEDIA_CACHE_DIR": str(tmp / "media-cache"),
            **env,
        }
        extra.update({"DATABASE_URL": database} if database else {})
        self.server = LiveServer(secret_key=SECRET_KEY, users=USERS, workers=2, extra_env=extra)
        self.server.start()
        set_sip_passwords(self.server, SIP_PASSWORDS)
        self.server.manage("make_prompts")
        self.kamailio = Kamailio(self.server, tmp)
        self.media = MediaServerProcess(self.server.env, tmp, self.media_port)

    @property
    def proxy(self) -> str:
        return f"127.0.0.1:{self.kamailio.port}"

    def shell(self, code: str) -> str:
        return self.server.manage("shell", "-c", code)

    def logs(self) -> str:
        return f"--- media server\n{self.media.output()[-3000:]}\n--- kamailio\n{self.kamailio.output()[-3000:]}"

    def stop(self) -> None:
        self.media.stop()
        self.kamailio.stop()
        self.server.stop()


@pytest.fixture(scope="module")
def media_pbx(tmp_path_factory, database_url):  # noqa: F811
    pbx = MediaPbx(tmp_path_factory.mktemp("media"), database_url)
    yield pbx
    pbx.stop()


@pytest.fixture(scope="session")
def phones():
    """The test process's pjsua2 endpoint (one per process: PJSIP allows one)."""
    from tests.media.phone import Phones

    endpoint = Phones(DOMAIN)
    yield endpoint
    endpoint.close()


@pytest.fixture
def phone_of(phones, media_pbx):
    """phone_of("200") -> that user's phone, registered at the rig's Kamailio; hung up after the test."""
    made = {}

    def make(user: str, auto_answer: bool = True):
        if user not in made:
            made[user] = phones.phone(user, SIP_PASSWORDS[user], media_pbx.proxy, auto_answer=auto_answer)
        return made[user]

    yield make
    phones.forget(list(made.values()))
