"""Every drawing on the terminal: progress bars, live status lines, stage lines and heartbeats."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any, Callable, Iterator

import click


class Terminal:
    """Every drawing on the terminal: progress bars, live status lines, stage lines and heartbeats.

    Library code reports progress through callbacks only; this is where they are drawn. On a terminal,
    live lines are redrawn in place; when stderr is not a terminal (a log file, CI), long work prints a
    heartbeat line every :attr:`HEARTBEAT` seconds instead, so a log shows the run is alive. ``--quiet``
    hides progress (summaries and errors still print).
    """

    HEARTBEAT = 30.0

    def __init__(self, quiet: bool = False, stream: Any = None, heartbeat: float | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.heartbeat = self.HEARTBEAT if heartbeat is None else heartbeat
        self._status = ""
        self._last_beat = time.monotonic()
        self._counts: dict[str, int] = {}
        self._timer: threading.Timer | None = None
        self._started = time.monotonic()

    # -- raw output ---------------------------------------------------------------------------
    def line(self, text: str) -> None:
        """A finished line (clears a live status line first)."""
        if self.live and self._status:
            click.echo("\r\033[K", err=True, nl=False)
            self._status = ""
        click.echo(text, err=True)

    def status(self, text: str) -> None:
        """A live status line: redrawn in place on a terminal; a heartbeat line at most every 30 s otherwise."""
        if self.quiet:
            return
        if self.live:
            self._status = text
            click.echo(f"\r{text}\033[K", err=True, nl=False)
        elif time.monotonic() - self._last_beat >= self.heartbeat:
            self._last_beat = time.monotonic()
            click.echo(f"... {text.strip()}", err=True)

    def clear(self) -> None:
        if self.live and self._status:
            click.echo("\r\033[K", err=True, nl=False)
            self._status = ""

    # -- callbacks for the library --------------------------------------------------------------
    def progress(self, step: str, done: int, total: int) -> None:
        """``progress(step, done, total)``: a bar when the total is known, a counter of increments otherwise."""
        if not total:
            self._counts[step] = done = self._counts.get(step, 0) + done
            self.status(f"      {step} {done or ''}")
            return
        filled = int(30 * min(done, total) / total)
        self.status(f"      {step} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total}")

    def counter(self, step: str, total: int = 0) -> Callable[[int], None]:
        """An ``update(n)`` callback counting towards ``total`` under ``step``."""
        done = [0]

        def update(n: int = 1) -> None:
            done[0] += n
            self.progress(step, done[0], total)
        return update

    def steps(self) -> Callable[[str, int, int], None]:
        """Multi-step library calls: one line per new step (and live counts within a step)."""
        seen: set[str] = set()

        def report(step: str, done: int, total: int) -> None:
            if step not in seen:
                seen.add(step)
                if not self.quiet:
                    self.line(f"{step} ...")
            else:
                self.progress(step, done, total)
        return report

    def folds(self, label: str = "cross-validation: fold") -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            self.status(f"{label} {done}/{total}")
            if done == total:
                self.clear()
        return update

    def stage(self, name: str, index: int, total: int, seconds: float | None) -> None:
        """``on_stage``: a stage line with the time the stage took; a heartbeat while it runs."""
        self._stop_beat()
        if seconds is None:
            self.status(f"[{index + 1}/{total}] {name} ...")
            self._start_beat(f"[{index + 1}/{total}] {name}")
        elif not self.quiet:
            self.line(f"[{index + 1}/{total}] {name} ({seconds:.1f}s)")

    def _start_beat(self, what: str) -> None:
        """When stderr is not a terminal, say every heartbeat period that the stage is still running."""
        if self.live or self.quiet:
            return
        started = time.monotonic()

        def beat() -> None:
            click.echo(f"... {what} still running ({time.monotonic() - started:.0f}s)", err=True)
            self._timer = threading.Timer(self.heartbeat, beat)
            self._timer.daemon = True
            self._timer.start()

        self._timer = threading.Timer(self.heartbeat, beat)
        self._timer.daemon = True
        self._timer.start()

    def _stop_beat(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        self._stop_beat()
        self.clear()

    @contextlib.contextmanager
    def bar(self, length: int | None = None, label: str = "", show_pos: bool = True) -> Iterator[Any]:
        """A click progress bar on stderr; hidden with --quiet or off a terminal (heartbeats instead)."""
        with click.progressbar(length=length, label=label, file=self.stream, hidden=not self.live,
                               show_pos=show_pos, show_eta=True, width=30) as bar:
            if self.live:
                yield bar
                return
            done = [0]

            class _Beating:
                def update(inner, n: int) -> None:  # noqa: N805
                    done[0] += n
                    self.status(f"{label}: {done[0]}" + (f"/{length}" if length else ""))
            yield _Beating()
