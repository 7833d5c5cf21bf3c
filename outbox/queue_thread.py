"""A worker thread fed through a queue: the shape shared by the answerer, the receipt applier, the journal."""
from __future__ import annotations

import queue
import threading
from abc import ABC, abstractmethod


class QueueThread(ABC):
    """``submit(item)`` from any thread; the subclass's ``_run`` drains ``self.queue``.

    ``stop()`` sets ``self._stop`` and queues a None so a blocked ``get`` wakes up.
    """

    thread_name = "queue-thread"

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def submit(self, item) -> None:
        """Hand ``item`` to the thread."""
        self.queue.put(item)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.queue.put(None)
        if self._thread:
            self._thread.join(timeout)

    @abstractmethod
    def _run(self) -> None:
        """The thread's loop: drain ``self.queue`` until ``self._stop``."""
