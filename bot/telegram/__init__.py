"""The one Telegram layer: sending (send.py), rendering (render.py), splitting (split.py)."""
