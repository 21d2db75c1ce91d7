"""Interrupts that land where Python cannot raise them.

A KeyboardInterrupt raised inside a finalizer (``__del__``, a weakref or gc
callback such as JAX's ``_xla_gc_callback``) is printed as "Exception ignored
in ..." with a traceback and then dropped: the call runs on as if never
interrupted, and a cancel only takes effect when the gateway kills the kernel
after its grace period. While a call runs, such an interrupt is sent again to
the main thread instead, silently, so it stops the call where it is.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

# Long enough for the finalizer to return before the signal arrives.
REDELIVERY_DELAY_S = 0.01


@contextlib.contextmanager
def redeliver_swallowed_interrupts() -> Iterator[None]:
    """Within it (entered on the main thread), a KeyboardInterrupt that a
    finalizer swallowed is delivered to the main thread again."""
    main = threading.get_ident()
    lock = threading.Lock()
    active = True
    timers: list[threading.Timer] = []
    previous = sys.unraisablehook

    def send() -> None:
        with lock:
            if active:
                signal.pthread_kill(main, signal.SIGINT)

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is None or not issubclass(unraisable.exc_type, KeyboardInterrupt):
            previous(unraisable)
            return
        # A real signal from another thread, not _thread.interrupt_main():
        # that would raise inside this hook (and be dropped again), and a
        # signal also wakes a blocking call the main thread went on to.
        timer = threading.Timer(REDELIVERY_DELAY_S, send)
        timer.daemon = True
        timers.append(timer)
        timer.start()

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
        with lock:
            active = False
        for timer in timers:
            timer.cancel()
