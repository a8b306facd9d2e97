"""Renderers for the sipXconfig variants. Each declares its media type and the aliases of docs/compatibility.md A.1
that select it only on an exact match (`application/xml` for `text/xml`)."""

from rest_framework.renderers import BaseRenderer

from sipxweb.rest.xstream import Document, to_json, to_xml


class XStreamXMLRenderer(BaseRenderer):
    """`text/xml` in XStream's pretty-printed layout."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"
    aliases = ("application/xml",)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if not isinstance(data, Document):
            raise TypeError("XStream renderers render sipxweb.rest.xstream.Document objects only")
        return to_xml(data).encode("utf-8")


class XStreamJSONRenderer(BaseRenderer):
    """`application/json` in XStream's JsonHierarchicalStreamDriver layout."""

    media_type = "application/json"
    format = "json"
    charset = "utf-8"
    aliases = ()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if not isinstance(data, Document):
            raise TypeError("XStream renderers render sipxweb.rest.xstream.Document objects only")
        return to_json(data).encode("utf-8")


class PassThroughRenderer(BaseRenderer):
    """The variants whose bytes the view writes itself (plain text, hand-built XML, CSV, vCard, RSS, audio): the
    body is the bytes or text handed to the Response, as it is. Each variant below only declares how it is
    negotiated; a view tells which one was chosen by its class."""

    charset = "utf-8"
    aliases: tuple[str, ...] = ()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return data if isinstance(data, bytes) else str(data).encode("utf-8")


class PlainTextRenderer(PassThroughRenderer):
    """`text/plain`."""

    media_type = "text/plain"
    format = "txt"


class PreRenderedXMLRenderer(PassThroughRenderer):
    """`text/xml` for documents a view builds itself (attributes, which XStream layouts have not)."""

    media_type = "text/xml"
    format = "xml"
    aliases = ("application/xml",)


class CSVRenderer(PassThroughRenderer):
    """`text/comma-separated-values` (alias `text/csv`, A.1). Views stream CSV themselves."""

    media_type = "text/comma-separated-values"
    format = "csv"
    aliases = ("text/csv",)


class AnyXMLRenderer(PreRenderedXMLRenderer):
    """The `application/*+xml` variant of B.2.1/B.2.2: chosen by an `application/*+xml`, `application/*` or
    concrete `application/<x>+xml` Accept range; the response says `application/xml`."""

    media_type = "application/*+xml"
    response_media_type = "application/xml"
    aliases = ()


class VCardRenderer(PassThroughRenderer):
    """`text/vcard` (vCard 3.0 export, as 15.04 offered on GET /my/phonebook)."""

    media_type = "text/vcard"
    format = "vcf"


class RSSRenderer(PassThroughRenderer):
    """`application/rss+xml` (the voicemail feed)."""

    media_type = "application/rss+xml"
    format = "rss"


class AnyFileRenderer(PassThroughRenderer):
    """The one variant of a stored file's download, which is not negotiated (browsers and podcast players send
    all kinds of Accept headers): the view answers with the file's own type."""

    media_type = "*/*"
    format = "file"
