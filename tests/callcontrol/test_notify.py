"""The agent's out-of-dialog NOTIFY (apps/callcontrol/notify.py, notifications.py) against a scripted proxy: the
request's shape, the proxy's 407 answered once with the user's own SIP password, the final response written back
(200, 480), no answer within Timer F, the queue's refusals and the rows no agent will ever answer. The same NOTIFY
through the real Kamailio to a SIPp phone is tests/sip/test_provisioning_kamailio.py."""

import asyncio
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.callcontrol import notifications, transactions
from apps.callcontrol.models import Notification
from apps.callcontrol.notifications import NotifyError
from apps.callcontrol.sip import parse_challenge, response_to
from tests.callcontrol.test_agent import FakePhone, with_agent

pytestmark = pytest.mark.django_db(transaction=True)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def challenging_proxy(final_status: int, final_reason: str):
    """407 to a NOTIFY without credentials; `final_status` to one whose Digest response is right for 201/s3cret."""

    def handler(msg, phone):
        if not msg.is_request or msg.method != "NOTIFY":
            return []
        auth = msg.get("proxy-authorization")
        if not auth:
            r = response_to(msg, 407, "Proxy Authentication Required", to_tag="px")
            r.add("Proxy-Authenticate", 'Digest realm="example.org", nonce="n0nce", qop="auth"')
            return [r]
        c = parse_challenge(auth)
        ha1 = md5(f"{c['username']}:example.org:s3cret")
        ha2 = md5(f"NOTIFY:{c['uri']}")
        expected = md5(f"{ha1}:n0nce:{c['nc']}:{c['cnonce']}:auth:{ha2}")
        if c["response"] != expected:
            return [response_to(msg, 403, "Forbidden", to_tag="px")]
        return [response_to(msg, final_status, final_reason, to_tag="ph")]

    return handler


def queued(make_user, **user_fields):
    user = make_user("201", sip_password="s3cret", **user_fields)
    [row] = notifications.queue([("phone:1", user, "check-sync")])
    return row


def run_agent_until_done(phone, row):
    """The agent's own loop (run()) claims the row and sends it; stops once the row is finished."""

    async def drive(agent):
        task = asyncio.create_task(agent.run())
        try:
            for _ in range(600):
                await asyncio.sleep(0.05)
                state = await agent.db(lambda: Notification.objects.get(pk=row.pk).state)
                if state in (Notification.State.DONE, Notification.State.FAILED):
                    return
            raise AssertionError("the agent did not finish the NOTIFY")
        finally:
            agent.stopping.set()
            await asyncio.wait_for(task, 20)

    async def main():
        await phone.start_udp()
        agent_run = with_agent(phone, drive)
        await agent_run

    asyncio.run(main())
    row.refresh_from_db()
    return row


def test_notify_goes_to_the_users_aor_through_the_proxy_and_answers_its_challenge(make_user, settings):
    settings.SIPX_DOMAIN = "example.org"
    row = queued(make_user)
    phone = FakePhone(challenging_proxy(200, "OK"))
    row = run_agent_until_done(phone, row)
    assert (row.state, row.status, row.reason) == (Notification.State.DONE, 200, "OK")
    first, second = phone.requests("NOTIFY")
    assert first.uri == "sip:201@example.org"
    assert first.get("event") == "check-sync"
    assert first.get("from").startswith("<sip:201@example.org>;tag=")
    assert first.get("to") == "<sip:201@example.org>"
    assert first.get("route") == f"<sip:127.0.0.1:{phone.port};lr>"
    assert first.get("subscription-state").startswith("terminated")
    # The challenge answered once, in the same dialog-less transaction chain: same Call-ID, next CSeq.
    assert second.call_id == first.call_id and second.cseq == first.cseq + 1
    assert 'username="201"' in second.get("proxy-authorization")
    assert "s3cret" not in second.encode().decode()


def test_the_proxys_final_response_is_kept_when_no_phone_is_registered(make_user, settings):
    settings.SIPX_DOMAIN = "example.org"
    row = queued(make_user)
    row = run_agent_until_done(FakePhone(challenging_proxy(480, "Temporarily Unavailable")), row)
    assert (row.state, row.status, row.reason) == (Notification.State.DONE, 480, "Temporarily Unavailable")


def test_no_answer_within_timer_f_is_a_failure_without_a_status(make_user, monkeypatch):
    monkeypatch.setattr(transactions, "T1", 0.01)  # Timer F = 64*T1
    row = queued(make_user)
    row = run_agent_until_done(FakePhone(lambda msg, phone: []), row)
    assert (row.state, row.status) == (Notification.State.FAILED, None)
    assert "no answer" in row.outcome


def test_queue_refuses_a_disabled_user_and_an_event_that_is_no_token(make_user):
    user = make_user("201", sip_password="s3cret")
    with pytest.raises(NotifyError, match="not a SIP event name"):
        notifications.queue([("phone:1", user, "check-sync\r\nX-Evil: 1")])
    user.is_active = False
    user.save()
    with pytest.raises(NotifyError, match="disabled"):
        notifications.queue([("phone:1", user, "check-sync")])
    assert not Notification.objects.exists()


def test_rows_no_agent_will_answer_are_closed_when_read(make_user):
    user = make_user("201", sip_password="s3cret")
    old, running, fresh = notifications.queue([("phone:1", user, "check-sync")] * 3)
    Notification.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(minutes=2))
    Notification.objects.filter(pk=running.pk).update(
        state=Notification.State.RUNNING, owner="gone", picked_up=timezone.now() - timedelta(minutes=2)
    )
    newest = notifications.latest(["phone:1", "phone:2"])
    assert list(newest) == ["phone:1"] and newest["phone:1"].pk == fresh.pk
    old.refresh_from_db(), running.refresh_from_db()
    assert (old.state, old.outcome) == (Notification.State.FAILED, notifications.NOT_SENT)
    assert (running.state, running.outcome) == (Notification.State.FAILED, notifications.ABANDONED)
    assert notifications.claim("me") == [{"id": fresh.pk, "user": "201", "password": "s3cret", "event": "check-sync"}]
    assert notifications.claim("other") == []  # claimed once
