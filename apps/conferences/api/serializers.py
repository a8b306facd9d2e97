"""Wire form of the conference URIs (docs/compatibility.md B.3.11): sipXconfig 4.6's element names and order."""

from sipxweb.rest.xstream import XList

CONFERENCES_ROOT = "conferences"  # the XStream root alias of GET /my/conferences
# The model fields the wire reads: the list query loads only these.
WIRE_FIELDS = ("enabled", "name", "description", "extension", "access_code")


def conference_wire(conference) -> dict:
    """Wire order of 4.6: enabled, name, description, extension, accessCode; None is omitted."""
    return {
        "enabled": conference.enabled,
        "name": conference.name,
        "description": conference.description,
        "extension": conference.extension,
        "accessCode": conference.access_code,
    }


def conference_list(conferences) -> XList:
    """The `<conferences>` list: one `<conference>` per room, in the order given."""
    return XList("conference", [conference_wire(c) for c in conferences])
