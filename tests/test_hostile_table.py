"""The hostile-input table (tests/hostilecases.py): for every kind, nothing lost, nothing silently replaced,
the documented exit code, and no run past its deadline."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostilecases import CASES, Case, drill

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_loses_and_replaces_nothing(case: Case, tmp_path: Path) -> None:
    """Every item is a record or a reject line (never dropped, never overwritten by another page), the
    last run's exit code is the case's, and the slowest run ends within the case's deadline."""
    outcome = drill(case, tmp_path)
    assert outcome.problems == []
    want = 0 if case.finds_nothing else outcome.items - len(case.hostile)
    if case.exit_code != 8:  # a run stopped by its deadline keeps the rest queued for the next run
        assert outcome.records == want
