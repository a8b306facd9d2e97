"""The SIP message layer: parsing (compact forms, folding, commas), URIs, responses, Digest answers."""

import hashlib

import pytest

from apps.callcontrol.services import clean_target, sip_uri
from apps.callcontrol.sip import (
    digest_credentials,
    host_port,
    param,
    parse,
    parse_challenge,
    response_to,
    split_commas,
    uri_in,
)

INVITE = (
    b"INVITE sip:201@example.org SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n"
    b'f: "Al, ice" <sip:200@example.org>;tag=x\r\n'
    b"t: <sip:201@example.org>\r\n"
    b"i: abc@h\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Subject: a long\r\n  folded subject\r\n"
    b"l: 4\r\n\r\nbodyEXTRA"
)


def test_parse_compact_forms_folding_and_body_length():
    msg = parse(INVITE)
    assert msg.is_request and msg.method == "INVITE" and msg.uri == "sip:201@example.org"
    assert msg.get_all("via") == [
        "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport",
        "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb",
    ]
    assert msg.branch == "z9hG4bKa" and msg.call_id == "abc@h" and msg.cseq == 7
    assert msg.get("subject") == "a long folded subject"
    assert msg.body == b"body"
    assert param(msg.get("from"), "tag") == "x" and uri_in(msg.get("from")) == "sip:200@example.org"


def test_response_copies_the_transaction_headers_and_adds_a_tag():
    response = response_to(parse(INVITE), 180, "Ringing", to_tag="me")
    data = response.encode()
    assert data.startswith(b"SIP/2.0 180 Ringing\r\n")
    again = parse(data)
    assert again.status == 180 and again.cseq_method == "INVITE" and param(again.get("to"), "tag") == "me"
    assert len(again.get_all("via")) == 2 and data.endswith(b"Content-Length: 0\r\n\r\n")


@pytest.mark.parametrize("data", [b"", b"HTTP/1.1 200 OK\r\n\r\n", b"INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n"])
def test_parse_refuses_what_is_not_sip(data):
    with pytest.raises(ValueError):
        parse(data)


def test_uris_and_commas():
    assert host_port("sip:201@127.0.0.1:5071;transport=UDP") == ("127.0.0.1", 5071, "udp")
    assert host_port("sip:pbx.example.org;lr;transport=tcp") == ("pbx.example.org", 5060, "tcp")
    assert host_port("sip:[::1]:5062") == ("::1", 5062, "udp")
    assert split_commas('"a, b" <sip:x>, <sip:y;p=1,2>') == ['"a, b" <sip:x>', " <sip:y;p=1,2>"]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


@pytest.mark.parametrize("qop", ['qop="auth,auth-int", ', ""])
def test_digest_answer_with_password_and_with_ha1(qop):
    challenge = f'Digest realm="example.org", nonce="n1", {qop}algorithm=MD5, opaque="op"'
    c = parse_challenge(challenge)
    assert c["realm"] == "example.org" and c["nonce"] == "n1" and c["opaque"] == "op"
    by_password = digest_credentials(challenge, "INVITE", "sip:201@example.org", "201", password="s3cret")
    p = parse_challenge(by_password)
    ha1, ha2 = md5("201:example.org:s3cret"), md5("INVITE:sip:201@example.org")
    if qop:
        expected = md5(f"{ha1}:n1:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        assert p["qop"] == "auth"
    else:
        expected = md5(f"{ha1}:n1:{ha2}")
        assert "qop" not in p
    assert p["response"] == expected and p["opaque"] == "op" and p["username"] == "201"
    by_ha1 = parse_challenge(digest_credentials(challenge, "INVITE", "sip:201@example.org", "201", ha1=ha1))
    if not qop:
        assert by_ha1["response"] == expected


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("9.9-86(406)9[99]", "9986406999"),
        ("{200}", "200"),
        ("*77", "*77"),
        ("+4930123", "+4930123"),
        ("alice", "alice"),
        ("123*we@sip", None),
        ("a@example.org", None),
        ("", None),
        ("()", None),
        # Spaces are what people put in numbers (issue 15): dropped like ( ) - . ; other whitespace is refused.
        ("+1 (617) 555-0142", "+16175550142"),
        ("+39 02 5550 9999", "+390255509999"),
        ("+39\u00a002\u202f5550\u20099999", "+390255509999"),
        ("a b", "ab"),
        ("20\t1", None),
        ("20\n1", None),
        ("   ", None),
        ("+" + "1" * 150, None),
        ('a"b', None),
        ("ä", None),
    ],
)
def test_b31_number_clean_up(raw, cleaned):
    assert clean_target(raw) == cleaned


def test_sip_uri_fix(settings):
    settings.SIPX_DOMAIN = "example.org"
    assert sip_uri("9986406999") == "sip:9986406999@example.org"
    assert sip_uri("202@pbx.example.net") == "sip:202@pbx.example.net"
    assert sip_uri("sip:x@y") == "sip:x@y"
