"""News feeds: poller.py (conditional GET, parsing, per-feed failure and backoff) and
handlers.py (/feed, OPML imports, what the poller hands over to the bot)."""
