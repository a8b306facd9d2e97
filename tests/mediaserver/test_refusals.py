"""Which calls the media server refuses before answering: not from the proxy, no such service, too many."""

import pytest

pytest.importorskip("pjsua2", reason="PJSIP (pjsua2-python) needs CPython 3.12")

from apps.mediaserver.server import MediaServer  # noqa: E402


def server(max_calls=2):
    return MediaServer("127.0.0.1", 5070, 30000, max_calls, {"127.0.0.1"})


def test_only_the_proxy_may_call():
    assert server().refusal("127.0.0.2", "deposit") == 403
    assert server().refusal("127.0.0.1", "deposit") == 0


def test_an_unknown_service_is_404():
    assert server().refusal("127.0.0.1", "fax") == 404
    assert server().refusal("127.0.0.1", "") == 404


def test_beyond_the_limit_is_busy():
    media = server(max_calls=2)
    media.calls = {1: object(), 2: object()}
    assert media.refusal("127.0.0.1", "conference") == 486


def test_no_trusted_list_trusts_everyone():
    assert MediaServer("127.0.0.1", 5070, 30000, 2, set()).refusal("192.0.2.9", "voicemail") == 0
