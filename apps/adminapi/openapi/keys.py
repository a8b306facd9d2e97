"""An object's key in a path: one segment, whatever the key holds (apps/adminapi/keypaths.py serves keys with "/").
What the Resource description and the views that describe themselves with extend_schema (a phonebook's entries and
import, an attendant's prompt, the mailboxes) say of it."""

from drf_spectacular.utils import OpenApiParameter

# A key that a URL can name: no control character (the request gate refuses those in a path, sipxweb.bounds), not "."
# or ".." (which clients resolve away), and storable text. A "/" is allowed: the segment carries it as %2F.
KEY_PATTERN = r"^(?!\.\.?$)[^\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]+$"
IN_ONE_SEGMENT = 'A "/" in it is sent as %2F, the key staying one segment.'


def key_parameter(name: str, what: str) -> OpenApiParameter:
    """The path parameter `name` that is an object's key, for extend_schema (`what`: "The attendant's name")."""
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": KEY_PATTERN},
        OpenApiParameter.PATH,
        description=f"{what}. {IN_ONE_SEGMENT}",
    )
