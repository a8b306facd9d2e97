"""Edit pages are titled from FormPage.noun and link to their delete page."""


def test_titles(client, admin_user, make_user):
    u = make_user("200")
    client.force_login(admin_user)
    assert b"New user" in client.get("/users/add/").content
    page = client.get(f"/users/{u.pk}/").content
    assert b"User 200" in page and f"/users/{u.pk}/delete/".encode() in page
    assert b"New phone" in client.get("/phones/add/").content


def test_search_with_a_nul_byte_is_not_an_error(client, admin_user):
    client.force_login(admin_user)
    for url in ("/users/", "/users/groups/", "/phones/", "/conferences/"):
        assert client.get(url, {"q": "a\x00b"}).status_code == 200, url
