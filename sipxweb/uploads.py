"""An uploaded import file kept between its preview and the administrator's confirmation (the phone and phonebook
imports): the preview reads the file and names every problem, the confirmation imports the very same bytes, all or
nothing. Files live under MEDIA_ROOT/pending-imports/, named by the user, the import (`purpose`, e.g. "phones" or
"phonebook-3") and a random token that the preview page carries; another user's token or another import's finds
nothing. A file is removed when its import is done, and any left for a day by the next upload."""

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

MAX_AGE = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
PURPOSE = re.compile(r"[a-z0-9-]{1,40}")


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "pending-imports"


def _path(user, purpose: str, token: str) -> Path | None:
    if not TOKEN.fullmatch(token or "") or not PURPOSE.fullmatch(purpose):
        return None
    return _folder() / f"{user.pk}-{purpose}-{token}"


def _sweep(folder: Path) -> None:
    """Removes the files of previews that were never confirmed (older than MAX_AGE)."""
    limit = time.time() - MAX_AGE
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:  # removed by another worker meanwhile
            pass


def keep(user, purpose: str, content: bytes) -> str:
    """Stores `content` for `user`'s import `purpose`; returns the token that finds it again."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    path = _path(user, purpose, token)
    # Readable by the server's user only: the file may list people's numbers and addresses.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return token


def read(user, purpose: str, token: str) -> bytes | None:
    """The kept file, or None when the token is not one of this user's for this import (or the file is gone)."""
    path = _path(user, purpose, token)
    if path is None:
        return None
    try:
        if path.stat().st_mtime < time.time() - MAX_AGE:
            return None
        return path.read_bytes()
    except OSError:
        return None


def discard(user, purpose: str, token: str) -> None:
    path = _path(user, purpose, token)
    if path is not None:
        path.unlink(missing_ok=True)
