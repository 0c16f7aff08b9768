"""The fault suite: hostile input and faults against the public entry points.

Short form (the default test run, a few seconds per test): Hypothesis' default budget.
Long form, one command (about ten minutes on two cores)::

    pytest tests/faults --hypothesis-profile=fuzz-long -m 'slow or not slow'

``fuzz-long`` tries 20x the inputs per property and also runs the tests marked slow.
For coverage-guided fuzzing of the same entry points, see ``bench/fuzz.py``.
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
