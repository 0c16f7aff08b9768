"""Exports and backups against Telegram's upload limit, on real files (no bot needed)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from bot.admin.files import UPLOAD_LIMIT, AdminFile, fit_for_upload
from bot.admin.text import too_large_text


def test_the_limit_is_telegrams_50_mb() -> None:
    assert UPLOAD_LIMIT == 50_000_000


async def test_a_file_under_the_limit_is_sent_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "backup.db"
    path.write_bytes(b"x" * 100)
    file = await fit_for_upload(path, limit=100, keep_dir=tmp_path / "kept")
    assert file == AdminFile(path, 100, 100, sendable=True)
    assert path.read_bytes() == b"x" * 100 and not (tmp_path / "kept").exists()


async def test_gzip_brings_a_backup_under_the_limit(tmp_path: Path) -> None:
    data = "第1篇报道的正文内容。".encode() * 2000
    path = tmp_path / "backup.db"
    path.write_bytes(data)
    file = await fit_for_upload(path, limit=len(data) // 10, keep_dir=tmp_path / "kept")
    assert file.sendable and file.path == tmp_path / "backup.db.gz"
    assert file.size == file.path.stat().st_size <= len(data) // 10
    assert gzip.decompress(file.path.read_bytes()) == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db.gz"]  # no .db, no .part


async def test_a_file_too_large_even_gzipped_is_kept_on_the_server(tmp_path: Path) -> None:
    data = os.urandom(20_000)  # random bytes do not compress
    path = tmp_path / "work" / "backup.db"
    path.parent.mkdir()
    path.write_bytes(data)
    keep = tmp_path / "exports"
    file = await fit_for_upload(path, limit=10_000, keep_dir=keep)
    assert not file.sendable and file.path == (keep / "backup.db.gz").resolve()
    assert file.size > file.limit == 10_000
    assert gzip.decompress(file.path.read_bytes()) == data
    assert list(path.parent.iterdir()) == []  # nothing left in the temporary directory


async def test_an_export_is_not_gzipped_twice(tmp_path: Path) -> None:
    data = gzip.compress(os.urandom(5_000))
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(data)
    file = await fit_for_upload(path, limit=1_000, keep_dir=tmp_path / "exports")
    assert not file.sendable and file.path.name == "export.jsonl.gz"
    assert file.path.read_bytes() == data


def test_the_reply_says_where_in_both_languages_and_escapes_the_path() -> None:
    file = AdminFile(Path("/srv/a<b>/backup.db.gz"), 63_456_789, UPLOAD_LIMIT, sendable=False)
    text = too_large_text(file, "zh")
    assert "文件太大" in text and "too large" in too_large_text(file, "en")
    assert "63.5 MB" in text and "50.0 MB" in text
    assert "<code>/srv/a&lt;b&gt;/backup.db.gz</code>" in text
    assert "/srv/a<b>/backup.db.gz" in too_large_text(file, "en", html=False)
