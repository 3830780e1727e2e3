"""Group commit: appends from many threads at once share one transaction (and one sync to disk).

A thread that finds no commit in progress leads: it takes every append queued so far (its own
first), writes them in one transaction and wakes their threads with their indexes. Appends that
arrive meanwhile queue up; when the leader is done it hands the lead to the first of them, who
takes the whole queue. Indexes follow the order in which appends were queued, so one thread's
appends keep its order, and every append returns only once its transaction has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Writes the leaf data in one transaction (synced to disk if the flag says so); their indexes.
Writer = Callable[[Sequence[bytes], bool], list[int]]


@dataclass(eq=False)
class _Append:
    data: bytes
    durable: bool
    woken: threading.Event | None = None  # made only for an append that has to wait
    leads: bool = False
    index: int = -1
    error: BaseException | None = None


class GroupCommit:
    """Commits concurrent appends together through `write`; `commits` counts its transactions."""

    def __init__(self, write: Writer) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._queue: list[_Append] = []
        self._busy = False
        self.commits = 0

    def append(self, data: bytes, *, durable: bool) -> int:
        """Append leaf data; returns its index once committed (raises what the writer raised)."""
        me = _Append(data, durable)
        with self._lock:
            self._queue.append(me)
            if self._busy:
                me.woken = threading.Event()
            else:
                self._busy = me.leads = True
        if me.woken is not None:
            me.woken.wait()  # done by a leader, or handed the lead
        if me.leads:
            self._lead()
        if me.error is not None:
            raise me.error
        return me.index

    def queued(self) -> int:
        """How many appends wait for the current commit to finish."""
        with self._lock:
            return len(self._queue)

    def _lead(self) -> None:
        with self._lock:
            group, self._queue = self._queue, []
        try:
            indexes = self._write([a.data for a in group], any(a.durable for a in group))
            self.commits += 1
            for a, index in zip(group, indexes, strict=True):
                a.index = index
        except BaseException as exc:  # every append of the group failed with it
            for a in group:
                a.error = exc
        with self._lock:
            if self._queue:
                nxt = self._queue[0]
                nxt.leads = True
                assert nxt.woken is not None  # it queued while this group was busy
                nxt.woken.set()
            else:
                self._busy = False
        for a in group:
            if a.woken is not None:
                a.leads = False
                a.woken.set()
