"""The landing pages (issue 15): an administrator's overview of the PBX (counts, active calls, recent failures) and a
user's home (new voicemail, missed calls, forwarding, the call box), each at a number of SQL queries that does not
grow with the PBX."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.callcontrol.models import CallAttempt
from apps.cdrs.models import Cdr, Termination
from apps.users import services
from apps.users.models import User
from apps.voicemail.models import Folder, Message
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def failures(agents: list[User], n: int, start: int = 0):
    """n failed click-to-call attempts by the agents in turn, n failed calls, n changes by a data file import."""
    now = timezone.now()
    CallAttempt.objects.bulk_create(
        CallAttempt(
            key=f"k{i}",
            agent=agents[i % len(agents)],
            calling_uri="sip:200@example.org",
            called_uri=f"sip:{5550100 + i}@example.org",
            state=CallAttempt.State.FAILED,
            outcome="486 Busy Here",
        )
        for i in range(start, start + n)
    )
    Cdr.objects.bulk_create(
        Cdr(
            call_id=f"f{i}",
            caller_aor="<sip:200@example.org>",
            callee_aor=f"<sip:{300 + i}@example.org>",
            start_time=now - timedelta(minutes=i + 1),
            end_time=now - timedelta(minutes=i),
            termination=Termination.FAILED,
        )
        for i in range(start, start + n)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(actor="root", channel=AuditEntry.Channel.IMPORT, kind="user", key=str(700 + i), action="create")
        for i in range(start, start + n)
    )


def test_admin_lands_on_the_overview(admin_client, alice):
    failures([alice], 1)
    response = admin_client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "The PBX at a glance" in page
    assert '<span class="stat-value">2</span> <span class="stat-label">Users</span>' in page  # superadmin, alice
    assert 'Alice Smith: 200@example.org → 5550100@example.org <span class="muted">(486 Busy Here)</span>' in page
    assert "root created" in page
    assert '<span class="stat-value">1</span> <span class="stat-label">Failed call in the last 24 hours' in page


def test_the_overview_costs_the_same_queries_for_any_pbx(admin_client, alice, make_user):
    failures([alice], 1)
    few = count_queries(admin_client.get, "/")
    agents = [make_user(str(500 + i)) for i in range(6)]
    User.objects.bulk_create(User(username=f"bulk{i}") for i in range(200))
    failures(agents, 40, start=1)
    many = count_queries(admin_client.get, "/")
    assert few == many
    assert "bulk" not in text(admin_client.get("/"))  # counted, not listed


def missed(user: str, n: int, start: int = 0):
    now = timezone.now()
    Cdr.objects.bulk_create(
        Cdr(
            call_id=f"m{i}",
            caller_aor=f"<sip:{400 + i}@example.org>",
            caller_name=f"Caller {i}",
            caller_user=str(400 + i),
            callee_aor=f"<sip:{user}@example.org>",
            callee_user=user,
            start_time=now - timedelta(hours=i + 1),
            end_time=now - timedelta(hours=i + 1) + timedelta(seconds=20),
            termination=Termination.FAILED,
        )
        for i in range(start, start + n)
    )


def messages(user: User, n: int, start: int = 0):
    Message.objects.bulk_create(
        Message(user=user, message_id=f"{1000000000 + i}", received=timezone.now(), folder=Folder.INBOX)
        for i in range(start, start + n)
    )


def test_a_users_home_says_what_matters_now(client, alice):
    missed("200", 2)
    messages(alice, 3)
    Cdr.objects.create(  # answered: not missed
        call_id="ok",
        caller_aor="<sip:201@example.org>",
        callee_aor="<sip:200@example.org>",
        callee_user="200",
        start_time=timezone.now(),
        connect_time=timezone.now(),
        termination=Termination.COMPLETED,
    )
    client.force_login(alice)
    page = text(client.get("/portal/"))
    assert '<span class="stat-value">3</span> <span class="stat-label">New voicemail messages' in page
    assert '<span class="stat-value">2</span> <span class="stat-label">Missed calls in the last 7 days' in page
    assert "Caller 0 (400)" in page and "Caller 1 (401)" in page
    assert '<span class="stat-value">On</span> <span class="stat-label">Call forwarding' in page
    assert "then <strong>5551234</strong>" in page  # alice's enabled ring
    assert 'href="/cdrs/my/call/"' in page


def test_forwarding_off_and_voicemail_off(client, make_user):
    dave = make_user("203", aliases=["dave"], perm_voicemail=False)
    client.force_login(dave)
    page = text(client.get("/portal/"))
    assert "Voicemail is not enabled for you" in page
    assert '<span class="stat-value">Off</span> <span class="stat-label">Call forwarding' in page
    assert "Off: only your phones ring (20 s)." in page


def test_a_users_home_costs_the_same_queries_for_any_history(client, alice):
    missed("200", 1)
    messages(alice, 1)
    client.force_login(alice)
    few = count_queries(client.get, "/portal/")
    missed("200", 60, start=1)
    messages(alice, 60, start=1)
    services.set_forwarding(alice, 20, [services.RingData(f"55500{i}", 20, "If no response", True) for i in range(5)])
    many = count_queries(client.get, "/portal/")
    assert few == many
    page = text(client.get("/portal/"))
    assert '<span class="stat-value">5+</span>' in page and "Caller 5" not in page  # the five latest, and "more"
