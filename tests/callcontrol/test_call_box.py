"""The portal's call box page (/cdrs/my/call/, apps/callcontrol/portal_views.py): the number as typed, cleaned like
PUT /my/call/{to}, queues one call attempt and the page then follows it; a number that is no number queues nothing
and the page says why, in the words of the REST answer."""

import json

from apps.callcontrol.models import CallAttempt
from tests.conftest import REST, basic


def test_call_box(client, make_user, agent_running):
    client.force_login(make_user("200"))
    page = client.get("/cdrs/my/call/?number=201").content.decode()
    assert 'value="201"' in page
    # The navigation marks the page it is on (base.html matches the callcontrol namespace).
    assert '<a href="/cdrs/my/call/" aria-current="page">Call</a>' in page
    response = client.post("/cdrs/my/call/", {"number": "(555) 123-4567"})
    assert response.status_code == 302 and response["Location"] == "/cdrs/my/call/?calling=5551234567"
    assert CallAttempt.objects.get().called_uri == "sip:5551234567@example.org"
    page = client.get(response["Location"]).content.decode()
    assert 'data-follow="5551234567"' in page and 'data-progress-url="/cdrs/my/call/progress/"' in page
    assert "js/calls.js" in page
    response = client.post("/cdrs/my/call/", {"number": "123*we@sip"})
    assert response.status_code == 200
    assert "&#x27;123*we@sip&#x27; is not a phone number or user name to call" in response.content.decode()
    assert CallAttempt.objects.count() == 1


def test_call_box_takes_numbers_with_spaces(client, make_user, agent_running):
    client.force_login(make_user("200"))
    response = client.post("/cdrs/my/call/", {"number": "+39 02 5550 9999"})
    assert response.status_code == 302 and response["Location"] == "/cdrs/my/call/?calling=%2B390255509999"
    assert CallAttempt.objects.get().called_uri == "sip:+390255509999@example.org"


def test_the_call_box_and_the_rest_answer_give_the_same_reason(client, make_user):
    client.force_login(make_user("200"))
    page = client.post("/cdrs/my/call/", {"number": "a;b"}).content.decode()
    rest = client.put(REST + "/my/call/a;b", **basic("200", "1234"))
    reason = json.loads(rest.content)["error"]
    assert rest.status_code == 400 and reason.replace("'", "&#x27;") in page
    assert not CallAttempt.objects.exists()
