"""The one XML escaping of the documents sipxweb writes by hand (XStream responses, the voicemail feed, the phones
result, the phonebook DOM layout, the call-controller status, the avatar picture).

`&` and `<` are always escaped, and `>` too unless a layout left it alone in attributes. Beyond that each wire
layout escaped what its Java writer escaped, and clients compare bytes: XStream writes `'` as `&apos;` and a
carriage return as `&#xd;`, JDOM writes `&#xD;`, the DOM serializer leaves `>` in attributes. So a layout builds
its translation table here once, naming the characters its writer escaped, and the rest of it calls
`text()`/`attribute()` or translates with its table."""

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def table(characters: str = "&<>", cr: str | None = None) -> dict[int, str]:
    """A `str.translate` table escaping `characters` (some of `&<>"'`) as entities and, with `cr`, a carriage
    return as that character reference (`&#xd;` or `&#xD;`, a line end XML would otherwise normalise away)."""
    if "&" not in characters or "<" not in characters:
        raise ValueError("an XML escaping must escape & and <")
    entities = {character: _ENTITIES[character] for character in characters}
    if cr is not None:
        entities["\r"] = cr
    return str.maketrans(entities)


TEXT = table("&<>")
ATTRIBUTE = table('&<>"')


def text(value: str) -> str:
    """Element content."""
    return value.translate(TEXT)


def attribute(value: str) -> str:
    """A double-quoted attribute value."""
    return value.translate(ATTRIBUTE)
