"""Scheduled digests for groups, private chats and channels: schedule.py (what an admin
typed), compose.py (the digest text), delivery.py (exactly-once sending), scheduler.py (the
jobs), runtime.py (the services one bot shares), handlers.py (/digest, /channel)."""
