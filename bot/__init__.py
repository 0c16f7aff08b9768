"""Zhaiyao's Telegram side: app wiring, thin handlers, rendering, jobs, admin, CLI."""
