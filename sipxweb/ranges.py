"""Streaming a stored file with HTTP byte ranges (RFC 9110 §14): one place for every audio download.

`file_response(request, fieldfile, content_type, filename)` answers 200 with the whole file, 206 with one
`Range: bytes=...` part (`Content-Range`), or 416 when the range lies outside the file. Several ranges in one
request, or a range header that does not parse, get the whole file (allowed by the RFC, and what players
cope with). The body is streamed from storage in blocks; nothing is read into memory."""

import re

from django.http import FileResponse, HttpResponse

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
BLOCK = 64 * 1024


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte positions (inclusive) for a single satisfiable range; None when the whole file should
    be sent (no header, several ranges, bad syntax); False when the range is unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return False
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


class _Slice:
    """A read-only window of an open file: FileResponse streams it block by block."""

    def __init__(self, file, length: int):
        self.file, self.remaining = file, length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.file.read(size)
        self.remaining -= len(data)
        return data

    def close(self):
        self.file.close()


def file_response(request, fieldfile, content_type: str, filename: str, as_attachment: bool = False) -> HttpResponse:
    storage, name = fieldfile.storage, fieldfile.name
    size = storage.size(name)
    wanted = parse_range(request.headers.get("Range"), size)
    # A conditional range (If-Range) with a validator we do not issue: send the whole file, as the RFC says.
    if request.headers.get("If-Range"):
        wanted = None
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    file = storage.open(name, "rb")
    if wanted is None:
        response = FileResponse(_Slice(file, size), content_type=content_type, status=200)
        length = size
    else:
        start, end = wanted
        file.seek(start)
        length = end - start + 1
        response = FileResponse(_Slice(file, length), content_type=content_type, status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response.block_size = BLOCK
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    disposition = "attachment" if as_attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0"
    return response
