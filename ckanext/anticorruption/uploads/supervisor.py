"""Keep a jobs worker running: start ``ckan jobs worker`` again whenever it exits.

An RQ worker stops when Redis goes away and dies with the machine's memory;
the runs it held are finished by the sweep (uploads/sweep.py) once a worker
is back. systemd's ``Restart=always`` does this job in production (see the
README's unit files); this is the same for ``make serve`` and for hosts
without systemd. Pure process handling: no CKAN import.
"""
from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Supervisor"]


class Supervisor:
    """Runs ``command`` until stopped, restarting it after ``delay`` seconds (doubled, up to
    ``max_delay``, while it keeps dying within ``stable`` seconds of its start)."""

    def __init__(self, command: Sequence[str], *, delay: float = 1.0, max_delay: float = 60.0,
                 stable: float = 30.0, say: Callable[[str], None] = print, **popen: Any) -> None:
        self.command, self.delay, self.max_delay, self.stable = list(command), delay, max_delay, stable
        self.say, self.popen = say, popen
        self.process: subprocess.Popen | None = None
        # How many times the worker was started again.
        self.restarts = 0
        self.stopping = False

    def stop(self, *_: Any) -> None:
        """Stop supervising and pass the stop on to the worker (SIGTERM: RQ finishes its job first)."""
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def run(self) -> int:
        """Supervise until ``stop``; the worker's last exit code."""
        delay, code = self.delay, 0
        while not self.stopping:
            if self.process is not None:
                self.restarts += 1
            started = time.monotonic()
            self.process = subprocess.Popen(self.command, **self.popen)
            self.say(f"worker started (pid {self.process.pid})")
            code = self.process.wait()
            if self.stopping:
                break
            lived = time.monotonic() - started
            delay = self.delay if lived >= self.stable else min(delay * 2, self.max_delay)
            self.say(f"worker exited with code {code} after {lived:.0f} s; starting it again in {delay:g} s")
            deadline = time.monotonic() + delay
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        return code
