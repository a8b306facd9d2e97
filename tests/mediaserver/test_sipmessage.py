"""What the media server reads from an INVITE: the service and target the proxy's route wrote, and the caller."""

from apps.mediaserver.sipmessage import parse_invite

INVITE = (
    "INVITE sip:101@127.0.0.1:5070;service=voicemail;target=a%20b SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
    'f: "Alice Smith" <sip:200@example.org>;tag=abc\r\n'
    "To: <sip:101@example.org>\r\n"
    "\r\n"
    "v=0\r\nFrom: <sip:evil@example.org>\r\n"
)


def test_the_request_uri_parameters_are_unescaped():
    invite = parse_invite(INVITE)
    assert invite.number == "101"
    assert invite.params == {"service": "voicemail", "target": "a b"}


def test_the_caller_is_the_from_header_compact_or_not_never_the_body():
    invite = parse_invite(INVITE)
    assert (invite.caller, invite.caller_uri) == ("200", "sip:200@example.org")
    assert invite.caller_from == '"Alice Smith" <sip:200@example.org>'


def test_a_message_without_from_has_no_caller():
    invite = parse_invite("INVITE sip:x@h;service=deposit SIP/2.0\r\n\r\n")
    assert invite.caller == "" and invite.caller_from == "" and invite.params == {"service": "deposit"}


def test_the_phones_address_is_the_via_below_the_proxys():
    invite = parse_invite(
        "INVITE sip:101@127.0.0.1:5070;service=voicemail SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy\r\n"
        "v: SIP/2.0/UDP 10.0.0.7:5062;rport=5062;received=192.0.2.44;branch=z9hG4bKphone\r\n"
        "From: <sip:200@example.org>;tag=1\r\n\r\n"
    )
    assert invite.source == "192.0.2.44"


def test_without_received_the_sent_by_host_and_vias_in_one_header():
    invite = parse_invite(
        "INVITE sip:101@h;service=voicemail SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP [2001:db8::5]:5060;branch=z9hG4bKb\r\n\r\n"
    )
    assert invite.source == "2001:db8::5"
