"""A fake clock for tests of pacing and retries: time only moves when someone sleeps."""

from __future__ import annotations

import asyncio


class FakeClock:
    """A clock that only moves when someone sleeps: pacing becomes exact arithmetic, a minute of
    backoff costs nothing. Call it for the time; pass `sleep` as the sleeper."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
