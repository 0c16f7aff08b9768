"""Admin storage: moderation (bans, allowlist, quotas), the audit log, broadcasts with
per-recipient delivery rows, bot-wide statistics, backups and exports.

A package rather than one ``storage/admin.py`` because the five jobs share nothing but
the database; each module stays within the style guide's 80–300 lines.
"""

from storage.admin.audit import AuditEntry, AuditLog
from storage.admin.broadcasts import Broadcast, BroadcastStore, DeliveryCounts
from storage.admin.dump import ExportResult, backup, export_jsonl
from storage.admin.moderation import Ban, Moderation, QuotaState

__all__ = [
    "AuditEntry",
    "AuditLog",
    "Ban",
    "Broadcast",
    "BroadcastStore",
    "DeliveryCounts",
    "ExportResult",
    "Moderation",
    "QuotaState",
    "backup",
    "export_jsonl",
]
