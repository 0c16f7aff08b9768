"""The audit log: every admin action, who did it, when, with its arguments (JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from storage.db import Database, read_time, utc_stamp

Origin = Literal["telegram", "shell"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    admin_id: int
    action: str
    args: dict[str, Any]
    origin: Origin


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        admin_id: int,
        action: str,
        args: dict[str, Any] | None = None,
        *,
        origin: Origin = "telegram",
    ) -> int:
        payload = json.dumps(args or {}, ensure_ascii=False, sort_keys=True, default=str)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO audit_log(admin_id, action, args, origin, at)"
                " VALUES (?, ?, ?, ?, now()) RETURNING id",
                (admin_id, action, payload, origin),
            )
            row = await cur.fetchone()
            assert row is not None
            return int(row[0])

    async def recent(self, limit: int = 20, *, action: str | None = None) -> list[AuditEntry]:
        sql = "SELECT id, at, admin_id, action, args, origin FROM audit_log"
        params: tuple[Any, ...] = ()
        if action is not None:
            sql += " WHERE action = ?"
            params = (action,)
        rows = await self.db.fetchall(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(r[0], utc_stamp(read_time(r[1])), r[2], r[3], json.loads(r[4]), r[5])
            for r in rows
        ]
