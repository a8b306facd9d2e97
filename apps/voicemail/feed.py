"""The voicemail RSS 2.0 feed of docs/compatibility.md B.3.4, on Django's feed generator.

sipXconfig wrote the feed with ROME and JDOM's pretty format: an XML declaration, two-space indentation,
CRLF line ends, attributes in document order (`xmlns:dc` before `version`, `url` before `type`), empty
elements as `<enclosure ... />`. Django's `Rss201rev2Feed` writes one long line with sorted attributes,
Atom links and a `lastBuildDate`; the two subclasses below keep its structure (write -> root elements ->
items) and change only what the original wrote differently."""

import re
from datetime import UTC
from email.utils import format_datetime

from django.utils import timezone
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

from apps.users.availability import user_zone
from sipxweb import xmltext

DC_NS = "http://purl.org/dc/elements/1.1/"
# Characters XML 1.0 cannot carry: dropped from feed text (data imported from elsewhere may hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = xmltext.table("&<>", cr="&#xD;")  # JDOM keeps a carriage return in text as a reference
CRLF = "\r\n"
INDENT = "  "


class PrettyXMLGenerator(SimplerXMLGenerator):
    """SimplerXMLGenerator in JDOM's pretty layout: an element holding text stays on one line, an element
    holding elements puts each child on its own line, an empty element is `<name attr="v" />`."""

    def __init__(self, out, encoding="utf-8"):
        super().__init__(out, encoding, short_empty_elements=False)
        self._out = out
        self._stack: list[dict] = []  # per open element: {"open": start tag not yet closed, "children": bool}

    def _write(self, text: str) -> None:
        self._out.write(text)

    def startDocument(self):
        self._write(f'<?xml version="1.0" encoding="{self._encoding.upper()}"?>{CRLF}')

    def _close_pending(self):
        if self._stack and self._stack[-1]["open"]:
            self._write(">")
            self._stack[-1]["open"] = False

    def startElement(self, name, attrs):
        if self._stack:
            parent = self._stack[-1]
            if not parent["children"]:
                self._close_pending()
                self._write(CRLF)
                parent["children"] = True
        attributes = "".join(
            f' {key}="{xmltext.attribute(_NOT_XML.sub("", str(value)))}"' for key, value in attrs.items()
        )
        self._write(f"{INDENT * len(self._stack)}<{name}{attributes}")
        self._stack.append({"open": True, "children": False})

    def characters(self, content):
        if content:
            self._close_pending()
            self._write(_NOT_XML.sub("", content).translate(_TEXT))

    def endElement(self, name):
        element = self._stack.pop()
        if element["open"]:
            self._write(f" />{CRLF}")
        elif element["children"]:
            self._write(f"{INDENT * len(self._stack)}</{name}>{CRLF}")
        else:
            self._write(f"</{name}>{CRLF}")


def rfc822(value) -> str:
    """`Wed, 14 Jan 1970 10:00:00 GMT` (ROME's RFC 822 form, always GMT)."""
    return format_datetime(value.astimezone(UTC), usegmt=True)


def iso8601(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VoicemailFeed(Rss201rev2Feed):
    """Channel: title, link, description. Item: title, link, description, enclosure, pubDate, guid, dc:date."""

    def write(self, outfile, encoding):
        handler = PrettyXMLGenerator(outfile, encoding)
        handler.startDocument()
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

    def rss_attributes(self):
        return {"xmlns:dc": DC_NS, "version": self._version}

    def add_root_elements(self, handler):
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", self.feed["link"])
        handler.addQuickElement("description", self.feed["description"])

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", item["link"])
        handler.addQuickElement("description", item["description"])
        for enclosure in item["enclosures"]:
            handler.addQuickElement("enclosure", None, {"url": enclosure.url, "type": enclosure.mime_type})
        handler.addQuickElement("pubDate", rfc822(item["pubdate"]))
        handler.addQuickElement("guid", item["unique_id"])
        handler.addQuickElement("dc:date", iso8601(item["pubdate"]))


def render_feed(user, folder: str, messages, channel_link: str, item_link) -> bytes:
    """The feed of `messages` (already fetched) for `user`; `item_link(message)` is the absolute audio URL."""
    label = user.display_name
    feed = VoicemailFeed(
        title=f"Voicemail: {label}",
        link=channel_link,
        description=f"Voicemail Inbox for {label}",  # "Inbox" whatever the folder, as sipXconfig wrote it
    )
    # The description's time in the owner's zone, as their pages show it (by default the PBX's).
    zone = user_zone(user)
    for message in messages:
        link = item_link(message)
        local = timezone.localtime(message.received, zone)
        feed.add_item(
            title=f"{message.subject} from {message.sender_brief}",
            link=link,
            description=f"{message.duration} seconds received at {local:%H:%M} on {local:%m/%d/%y}",
            enclosures=[Enclosure(link, "0", message.mime_type)],
            pubdate=message.received,
            unique_id=link,
        )
    return feed.writeString("utf-8").encode("utf-8")
