"""The admin side of the bot, shared by the Telegram handlers and the shell:
statistics and health text, the broadcast runner, rate-limited error alerts.

A package rather than one ``bot/admin.py``: each job is its own 80–300 line module.
"""
