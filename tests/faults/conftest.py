"""The fault suite: hostile input and faults against the public entry points.

Short form (the default test run, a few seconds per test): Hypothesis' default budget.
Long form, one command (about a quarter of an hour on two cores)::

    pytest tests/faults --hypothesis-profile=fuzz-long --hypothesis-show-statistics

``fuzz-long`` tries 20x the inputs per property (2,000 each). For coverage-guided fuzzing
of the same entry points, see ``bench/fuzz.py``. On CI (``CI=true``) Hypothesis' own
``ci`` profile makes the short form derandomized: the same inputs every run.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Registered, not loaded: ``--hypothesis-profile`` picks one. Inputs here are slow to
# generate (whole pages) and to process (NER), so health checks on speed are off.
settings.register_profile(
    "fuzz-long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
