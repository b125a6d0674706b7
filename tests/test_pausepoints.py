"""The pause-point hook: its environment spec, and that it costs nothing when unset."""

from __future__ import annotations

import pytest

from osce_scrape.harvest import pausepoints


def test_spec_names_a_known_point_and_an_arrival() -> None:
    """NAME[:N]: a known point, the Nth arrival (1 by default); anything else is refused."""
    assert pausepoints._target("state-commit:3") == ("state-commit", 3)
    assert pausepoints._target("warc-write") == ("warc-write", 1)
    assert pausepoints._target(None) is None
    for bad in ("nowhere:1", "state-commit:x"):
        with pytest.raises(ValueError, match="want NAME"):
            pausepoints._target(bad)


def test_unset_pause_point_returns_at_once() -> None:
    """Without the environment variable every point is a no-op (this process would hang otherwise)."""
    assert pausepoints._TARGET is None
    for name in pausepoints.POINTS:
        pausepoints.pause_point(name)
