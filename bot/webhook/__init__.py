"""Webhook workers: several ``zhaiyao run --webhook URL`` processes behind a load balancer,
sharing one PostgreSQL database (see :mod:`bot.webhook.worker`)."""
