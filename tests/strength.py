"""How hard the property tests try: one knob for the whole suite.

``HYPOTHESIS_PROFILE=ci`` (the default, and what CI and the README command run) keeps every
test's own number of examples; ``HYPOTHESIS_PROFILE=dev`` runs a tenth of them (at least 5) for
a quick loop while editing. A profile never changes what a test checks, only how many
generated cases it checks it on. ``tests/conftest.py`` loads the profile.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci").strip() or "ci"
if PROFILE not in ("ci", "dev"):
    raise SystemExit(f"HYPOTHESIS_PROFILE: {PROFILE!r} is not ci or dev")

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True, max_examples=10)


def examples(n: int) -> int:
    """``n`` examples in the ci profile, a tenth (at least 5) in the dev profile."""
    return n if PROFILE == "ci" else max(5, n // 10)
