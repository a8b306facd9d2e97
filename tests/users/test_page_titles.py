"""Edit pages are titled from FormPage.noun and link to their delete page."""

def test_titles(client, admin_user, make_user):
    u = make_user("200")
    client.force_login(admin_user)
    assert b"New user" in client.get("/users/add/").content
    page = client.get(f"/users/{u.pk}/").content
    assert b"User 200" in page and f"/users/{u.pk}/delete/".encode() in page
    assert b"New phone" in client.get("/phones/add/").content
