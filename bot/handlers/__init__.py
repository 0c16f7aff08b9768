"""One module per feature, each exposing ``register(app)``."""
