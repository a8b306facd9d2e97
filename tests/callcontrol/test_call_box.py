"""The portal's call box page (/cdrs/my/call/, apps/callcontrol/portal_views.py): the number as typed, cleaned like
PUT /my/call/{to}, queues one call attempt; a number that is no number queues nothing."""

from apps.callcontrol.models import CallAttempt


def test_call_box(client, make_user):
    client.force_login(make_user("200"))
    page = client.get("/cdrs/my/call/?number=201").content.decode()
    assert 'value="201"' in page
    # The navigation marks the page it is on (base.html matches the callcontrol namespace).
    assert '<a href="/cdrs/my/call/" aria-current="page">Call</a>' in page
    response = client.post("/cdrs/my/call/", {"number": "(555) 123-4567"})
    assert response.status_code == 302 and response["Location"] == "/cdrs/my/call/"
    assert CallAttempt.objects.get().called_uri == "sip:5551234567@example.org"
    response = client.post("/cdrs/my/call/", {"number": "123*we@sip"})
    assert response.status_code == 200 and b"Enter a phone number" in response.content
    assert CallAttempt.objects.count() == 1
