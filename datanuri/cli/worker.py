"""`datanuri worker`: a process that claims jobs from the database's queue and runs them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import typer

from datanuri.cli.common import DATA_DIR_OPTION, err_console, platform_ctx


def worker(
    concurrency: int = typer.Option(1, "--concurrency", "-c", min=1, help="Jobs run at once"),
    once: bool = typer.Option(False, "--once", help="Run the jobs ready now, then exit"),
    kinds: list[str] | None = typer.Option(
        None, "--kinds", help="Only these kinds of job (repeat the option; default: every kind)"
    ),
    grace: float = typer.Option(
        30.0, "--grace", help="Seconds a stop (SIGTERM/Ctrl-C) lets running jobs finish"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Run background jobs (uploads, privacy checks) from the database's queue.

    Any number of workers, on any hosts, may share one database (and blob store). A job whose
    worker dies is taken over by another once its lease runs out. SIGTERM or Ctrl-C stops
    claiming; running jobs get --grace seconds to finish and are then given back to the queue.
    A second signal gives them back at once.
    """
    stop = threading.Event()
    signals = 0

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal signals
        signals += 1
        stop.set()

    with platform_ctx(data_dir) as p:
        known = p.jobs.registry.names()
        unknown = sorted(set(kinds or ()) - set(known))
        if unknown:
            err_console.print(
                f"[red]Unknown job kind(s): {', '.join(unknown)}.[/] Known: {', '.join(known)}."
            )
            raise typer.Exit(2)
        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            err_console.print(
                f"worker: {concurrency} thread(s), kinds {', '.join(kinds or known)}"
                + (" (until no job is ready)" if once else "")
            )
            released = p.jobs.work(
                concurrency=concurrency,
                kinds=kinds or None,
                once=once,
                stop=stop,
                grace=grace,
            )
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        if released:
            err_console.print(f"worker: gave {released} unfinished job(s) back to the queue")
