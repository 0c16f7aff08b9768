"""Articles: what a message asks for (request.py), reading it (service.py), the card
(cards.py) and the chat handlers (handlers.py)."""
