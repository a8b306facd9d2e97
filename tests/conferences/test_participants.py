"""Who is in a conference room now: the rows the media server writes (services.join/leave), shown on the room's
admin and owner pages with Mute/Unmute/Remove buttons that only administrators and the owner may press; the media
server's side of the commands (flows/conference.apply) and its clean-up of an earlier process's rows."""

import pytest

from apps.conferences import services
from apps.conferences.models import Conference, Participant


@pytest.fixture
def team(alice):
    return Conference.objects.create(name="team", owner=alice, extension="8000", access_code="555")


@pytest.fixture
def bob_in(team):
    return services.join(team, "srv1", "7", "201", '"Bob" <sip:201@example.org>', False)


def test_join_leave_and_the_media_servers_commands(team):
    services.join(team, "srv1", "1", "200", "<sip:200@example.org>", True)
    row = services.join(team, "srv1", "2", "201", "<sip:201@example.org>", False)
    services.join(team, "old", "1", "202", "", False)
    services.set_muted(row, True)
    assert services.commands("srv1") == {"1": (False, False), "2": (True, False)}
    services.remove(row)
    assert services.commands("srv1")["2"] == (True, True)
    assert services.forget_other_servers("srv1") == 1  # a restarted media server's callers are gone
    services.leave("srv1", "2")
    assert list(Participant.objects.values_list("caller", flat=True)) == ["200"]


def test_admin_page_lists_and_mutes_unmutes_removes(admin_client, team, bob_in):
    html = admin_client.get(f"/conferences/{team.pk}/").content.decode()
    assert "In the room now" in html and "Bob" in html and ">Mute<" in html and "data-confirm" in html
    base = f"/conferences/{team.pk}/participants/{bob_in.pk}"
    response = admin_client.post(f"{base}/mute/")
    assert response.status_code == 302 and response["Location"] == f"/conferences/{team.pk}/"
    assert Participant.objects.get().muted
    assert ">Unmute<" in admin_client.get(f"/conferences/{team.pk}/").content.decode()
    admin_client.post(f"{base}/unmute/")
    assert not Participant.objects.get().muted
    admin_client.post(f"{base}/remove/")
    assert Participant.objects.get().removed
    assert "being removed" in admin_client.get(f"/conferences/{team.pk}/").content.decode()


def test_owner_moderates_from_the_portal(client, alice, team, bob_in):
    client.force_login(alice)
    assert "Bob" in client.get(f"/portal/conferences/{team.pk}/").content.decode()
    response = client.post(f"/portal/conferences/{team.pk}/participants/{bob_in.pk}/mute/")
    assert response.status_code == 302 and response["Location"] == f"/portal/conferences/{team.pk}/"
    assert Participant.objects.get().muted


def test_others_may_not_moderate(client, make_user, team, bob_in):
    url = f"/portal/conferences/{team.pk}/participants/{bob_in.pk}/mute/"
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(make_user("203"))
    assert client.post(url).status_code == 403
    assert client.post(f"/conferences/{team.pk}/participants/{bob_in.pk}/remove/").status_code == 403
    assert client.get(f"/portal/conferences/{team.pk}/").status_code == 404
    row = Participant.objects.get()
    assert not row.muted and not row.removed


def test_bad_requests(admin_client, team, bob_in):
    base = f"/conferences/{team.pk}/participants/{bob_in.pk}"
    assert admin_client.get(f"{base}/mute/").status_code == 405
    response = admin_client.post(f"{base}/shout/")
    assert response.status_code == 400 and b"use mute, unmute or remove" in response.content
    assert admin_client.post(f"/conferences/999/participants/{bob_in.pk}/mute/").status_code == 404
    services.leave("srv1", "7")
    response = admin_client.post(f"{base}/mute/", follow=True)
    assert b"has left the conference" in response.content


@pytest.mark.parametrize("rows", [3, 60])
def test_constant_queries_with_participants(client, alice, admin_user, team, rows, django_assert_max_num_queries):
    rooms = Conference.objects.bulk_create(
        [Conference(name=f"c{i}", owner=alice, extension=str(9000 + i)) for i in range(rows)]
    )
    for i, room in enumerate(rooms):
        services.join(room, "srv1", str(i), str(200 + i), "", False)
        services.join(team, "srv1", f"t{i}", str(300 + i), "", i % 2 == 0)
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        html = client.get("/portal/conferences/").content.decode()
    assert "<td>1</td>" in html  # c0's count (team is on a later page with 60 rooms)
    with django_assert_max_num_queries(8):
        assert client.get(f"/portal/conferences/{team.pk}/").status_code == 200
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        assert client.get("/conferences/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/conferences/{team.pk}/").status_code == 200


def test_the_media_server_applies_the_pages_commands():
    pytest.importorskip("pjsua2")
    from apps.mediaserver.flows import conference as flow

    class Ended:  # a call already gone: the bridge is left alone, the flags still change
        gone, audio = True, None

    member = flow.Member(Ended(), "5", "team", False)
    flow.ROOMS["team"] = {member}
    try:
        flow.apply({"5": (True, False)})
        assert member.muted and not member.removed
        flow.apply({"6": (False, True)})  # another call's row
        assert member.muted and not member.removed
        flow.apply({"5": (False, True)})
        assert not member.muted and member.removed
    finally:
        del flow.ROOMS["team"]
