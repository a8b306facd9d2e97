"""The writers every SIP value goes through (issue 9, header injection): the URI builder, quoted-strings,
name-addrs, the encoder's CR/LF guard, party parsing at the REST boundary and the agent's From header."""

import pytest

from apps.callcontrol.services import BadParty, clean_target, parse_party, sip_uri
from apps.callcontrol.sip import (
    SipMessage,
    SipUri,
    digest_credentials,
    name_addr,
    parse,
    parse_challenge,
    quoted_string,
    unescape,
    via_value,
)

INJECTION = 'x"\r\nP-Asserted-Identity: <sip:200@example.org>\r\nX-Injected: yes\r\nX: "'


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Alice Smith", '"Alice Smith"'),
        ('Bo "the" b', '"Bo \\"the\\" b"'),
        ("back\\slash", '"back\\\\slash"'),
        ("tab\there\x00nul\x7fdel\x85nel\u2028ls", '"tab here nul del nel ls"'),
        ("Jürgen 日本", '"Jürgen 日本"'),
        ('\\"', '"\\\\\\""'),
    ],
)
def test_quoted_string_escapes_quotes_and_backslashes_and_drops_controls(text, quoted):
    assert quoted_string(text) == quoted


def test_an_injected_display_name_stays_inside_one_from_header():
    value = name_addr(SipUri("201", "example.org"), "Bob " + INJECTION)
    msg = SipMessage("INVITE sip:201@example.org SIP/2.0", [["From", value + ";tag=1"], ["Call-ID", "c"]])
    wire = msg.encode()
    assert wire.count(b"\r\n") == 5  # first line, From, Call-ID, Content-Length, blank line
    back = parse(wire)
    assert [name for name, _ in back.headers] == ["From", "Call-ID", "Content-Length"]
    assert back.get("from").endswith('\\"" <sip:201@example.org>;tag=1')
    assert not back.get_all("P-Asserted-Identity") and not back.get_all("X-Injected")


def test_encode_refuses_cr_lf_nul_in_any_header_or_the_first_line():
    for headers, first in (
        ([["Subject", "a\r\nX-Injected: yes"]], "INVITE sip:a@b SIP/2.0"),
        ([["X\nY", "1"]], "INVITE sip:a@b SIP/2.0"),
        ([], "INVITE sip:a@b\r\nX: y SIP/2.0"),
        ([["Subject", "a\x00b"]], "INVITE sip:a@b SIP/2.0"),
    ):
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            SipMessage(first, headers).encode()


@pytest.mark.parametrize(
    ("uri", "text"),
    [
        (SipUri("201", "example.org"), "sip:201@example.org"),
        (
            SipUri("201?X-Evil=injected&Call-ID=fixed", "example.org"),
            "sip:201%3FX-Evil=injected&Call-ID=fixed@example.org",
        ),
        (SipUri('a;b@c d#"<>', "h.example"), "sip:a%3Bb%40c%20d%23%22%3C%3E@h.example"),
        (SipUri("*86'(x)+$,/&=", "h"), "sip:*86'(x)+$,/&=@h"),
        (SipUri("jürgen", "h"), "sip:j%C3%BCrgen@h"),
        (SipUri(None, "10.0.0.1", 5060, (("lr", None),)), "sip:10.0.0.1:5060;lr"),
        (SipUri("u", "[::1]", 5070, (("transport", "tcp"),)), "sip:u@[::1]:5070;transport=tcp"),
        (SipUri("u", "h").with_params(("p", "a;b=c")), "sip:u@h;p=a%3Bb%3Dc"),
        (SipUri("u", "h").with_headers(("X-ConfPin", "12#4"), ("B", "a&b")), "sip:u@h?X-ConfPin=12%234&B=a%26b"),
    ],
)
def test_uri_builder_escapes_every_part_and_parse_reads_it_back(uri, text):
    assert str(uri) == text
    assert SipUri.parse(text) == uri


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user": "u", "host": "evil.example>\r\nX: y"},
        {"user": "u", "host": "a b"},
        {"user": "u", "host": ""},
        {"user": "u", "host": "[not-v6]"},
        {"user": "u", "host": "h", "port": 70000},
        {"user": "", "host": "h"},
        {"user": "u", "host": "h", "params": (("a=b", None),)},
        {"user": "u", "host": "h", "headers": (("X\r\nY", "1"),)},
        {"user": "u", "host": "h", "scheme": "tel"},
    ],
)
def test_uri_builder_refuses_bad_hosts_ports_names(kwargs):
    with pytest.raises(ValueError):
        SipUri(**kwargs)


@pytest.mark.parametrize(
    "text", ["sip:a b@h", "sip:<a>@h", "sip:a@b@h", 'sip:a"@h', "tel:123", "sip:a@h:x", "sip:%zz@h", "sip:a@h\r\n"]
)
def test_uri_parse_refuses_what_is_not_a_sip_uri(text):
    with pytest.raises(ValueError):
        SipUri.parse(text)


def test_unescape_decodes_utf8_and_refuses_a_lone_percent():
    assert unescape("a%3Fb%C3%BC") == "a?bü"
    for bad in ("100%", "%g1", "%C3"):
        with pytest.raises(ValueError):
            unescape(bad)


@pytest.mark.parametrize(
    ("party", "uri"),
    [
        ("200", "sip:200@example.org"),
        ("alice", "sip:alice@example.org"),
        ("200@pbx.example.com", "sip:200@pbx.example.com"),
        ("sip:200@10.1.2.3:5070", "sip:200@10.1.2.3:5070"),
        ("SIPS:200@example.org", "sips:200@example.org"),
        ("a%2Fb", "sip:a/b@example.org"),
        ("100%25", "sip:100%25@example.org"),
    ],
)
def test_parse_party_good(party, uri):
    assert str(parse_party(party)) == uri == sip_uri(party)


@pytest.mark.parametrize(
    "party",
    [
        "201?X-Evil=injected&Call-ID=fixed",
        "201%3FX-Evil=injected",
        "201;transport=tcp",
        "sip:201@example.org;lr",
        "a@b@example.org",
        "201%40evil.example",
        "two words",
        "a\r\nb",
        "<sip:x>",
        'a"b',
        "sip:@example.org",
        "201@bad host",
        "201@example.org:99999",
        "50%",
        "",
    ],
)
def test_parse_party_refuses_what_a_sip_user_part_cannot_carry(party):
    with pytest.raises(BadParty):
        parse_party(party)


@pytest.mark.parametrize("target", ["201?X=1", "201;a=b", "201%3F", "a@b.example.org", "20\t1"])
def test_clean_target_refuses_headers_params_and_hosts(target):
    assert clean_target(target) is None


def test_digest_credentials_quote_the_user_name():
    value = digest_credentials('Digest realm="example.org", nonce="n1", qop="auth"', "INVITE", "sip:a@h", 'x"y', "pw")
    assert 'username="x\\"y"' in value and "\r" not in value
    assert parse_challenge(value)["realm"] == "example.org"


def test_via_value_validates_host_and_branch():
    assert via_value("UDP", "127.0.0.1", 5180, "z9hG4bKabc") == "SIP/2.0/UDP 127.0.0.1:5180;branch=z9hG4bKabc;rport"
    with pytest.raises(ValueError):
        via_value("UDP", "1.2.3.4\r\nX: y", 5180, "z9hG4bKabc")
    with pytest.raises(ValueError):
        via_value("UDP", "h", 5180, "z9hG4bK;x=y")
