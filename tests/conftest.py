"""Hypothesis profiles. Hypothesis loads its own derandomised ``ci`` profile when CI is set;
``dev`` (default here), ``thorough`` and ``hunt`` are ours: pick one with
``pytest --hypothesis-profile=thorough``."""

import os
import unittest
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=20, **_common)
settings.register_profile("thorough", max_examples=300, **_common)
settings.register_profile("hunt", max_examples=2000, **_common)
settings.register_profile("ci", parent=settings.get_profile("ci"), **_common)

if not os.environ.get("CI"):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
else:
    settings.load_profile("ci")


# A test that the code under it skips is a test that did not run. Hypothesis raises
# unittest.SkipTest when it is told to run no test case (a search replaying an empty example
# database), and pytest reports that as a skip: `verify hunt`'s database test was skipped that
# way, silently, while a first hunt with a database crashed. Only pytest.skip / importorskip /
# skipif (pytest's own outcome) may skip a test here; a unittest.SkipTest fails it.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # read before the yield: pytest's unittest plugin turns the exception into its own skip
    raised = call.excinfo.value if call.excinfo is not None else None
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(raised, unittest.SkipTest):
        report.outcome = "failed"
        report.longrepr = f"skipped by the code under test, so it did not run: {raised}"
