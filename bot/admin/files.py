"""Files the admin commands hand over (exports, backups) and Telegram's upload limit.

A bot may send documents of at most 50 MB. A file over the limit is gzipped when that
brings it under (a SQLite backup is mostly text and shrinks several times); a file still
too large stays on the server, moved out of the temporary directory, and the admin is
told where, instead of an upload that Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

from telegram.constants import FileSizeLimit

#: Bytes a bot may upload as one document (https://core.telegram.org/bots/api#sending-files).
UPLOAD_LIMIT: int = FileSizeLimit.FILESIZE_UPLOAD


@dataclass(frozen=True, slots=True)
class AdminFile:
    """An export or backup, ready to send or kept on the server."""

    path: Path
    size: int
    limit: int
    sendable: bool  # False: over ``limit`` even gzipped; kept on the server at ``path``


async def fit_for_upload(path: Path, *, limit: int, keep_dir: Path) -> AdminFile:
    """``path`` as is, gzipped, or moved into ``keep_dir`` when it cannot be sent."""
    size = path.stat().st_size
    if size <= limit:
        return AdminFile(path, size, limit, sendable=True)
    if path.suffix != ".gz":  # an export is gzip already: a second pass gains nothing
        packed = await asyncio.to_thread(_gzip, path)
        path.unlink()
        path, size = packed, packed.stat().st_size
        if size <= limit:
            return AdminFile(path, size, limit, sendable=True)
    keep_dir.mkdir(parents=True, exist_ok=True)
    kept = (keep_dir / path.name).resolve()
    await asyncio.to_thread(shutil.move, path, kept)
    return AdminFile(kept, size, limit, sendable=False)


def _gzip(path: Path) -> Path:
    packed = path.with_name(path.name + ".gz")
    part = packed.with_name(packed.name + ".part")
    try:
        with path.open("rb") as src, gzip.open(part, "wb", compresslevel=6) as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(packed)
    return packed
