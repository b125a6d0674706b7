"""Stopping a crawl cleanly: a stop switch the run polls, and Ctrl-C / SIGTERM wired to it.

The first SIGINT or SIGTERM asks for a graceful stop: discovery stops, queued pages stay queued
(the state keeps them for the next run), pages in flight get a grace period to finish (then they are
cancelled and stay queued too), and the run publishes and writes its stats. A second signal cancels
the crawl at once: every page already stored is safe in the state (each is its own transaction), the
dataset file is not touched, and the next run publishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSwitch:
    """Why the run should stop (None: it should not); listeners run once, at the first stop."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.hard = False  # a second signal: cancelled, not finished
        self._listeners: list[Callable[[], None]] = []

    @property
    def stopping(self) -> bool:
        return self.reason is not None

    def on_stop(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def stop(self, reason: str, *, announce: bool = True) -> None:
        """Ask the run to stop; the first reason given is kept (`announce`: log it now; a stop the
        run's summary reports, such as an unreachable site, is only logged at INFO)."""
        if self.reason is not None:
            return
        self.reason = reason
        level = logging.WARNING if announce else logging.INFO
        log.log(level, "stopping (%s): finishing the pages in flight (briefly), then publishing", reason)
        for listener in self._listeners:
            listener()


@contextlib.contextmanager
def stop_on_signals(switch: StopSwitch, task: asyncio.Task[object]) -> Iterator[None]:
    """While inside: the first SIGINT/SIGTERM stops `switch` gracefully, the second cancels `task`.

    Only the main thread can take signals; elsewhere (a crawl run from a worker thread) this does
    nothing and the caller keeps the default behaviour.
    """
    loop = asyncio.get_running_loop()

    def handle(signum: int) -> None:
        name = signal.Signals(signum).name
        if switch.reason is None:
            switch.stop(f"interrupted by {name}")
        elif not switch.hard:
            switch.hard = True
            log.warning("second %s: stopping at once (stored pages are safe; the next run publishes)", name)
            task.cancel()

    installed: list[signal.Signals] = []
    try:
        for sig in STOP_SIGNALS:
            try:
                loop.add_signal_handler(sig, handle, sig)
            except (ValueError, RuntimeError, NotImplementedError):  # not the main thread, or no support
                continue
            installed.append(sig)
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
