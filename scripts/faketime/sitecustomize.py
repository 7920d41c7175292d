"""Make time.sleep work in a Python run under Debian's libfaketime with DONT_FAKE_MONOTONIC=1.

Python 3.11 sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), which libfaketime 0.9.10
mishandles when the monotonic clock is left alone: every sleep fails with EINVAL (libfaketime
issue 426). select() waits on the real clock and is not affected, so sleeps go through it.
scripts/on-date puts this folder on PYTHONPATH; nothing changes without libfaketime preloaded.
"""

import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep
