from __future__ import annotations

import asyncio
import time

from libs.messaging.service import _bounded


async def test_a_stop_step_that_hangs_is_abandoned_after_the_timeout() -> None:
    started = time.monotonic()
    await _bounded("broker stop", asyncio.sleep(3600), timeout_s=0.2)
    assert time.monotonic() - started < 2


async def test_a_failing_stop_step_does_not_stop_the_shutdown() -> None:
    async def boom() -> None:
        raise ConnectionError("kafka is gone")

    await _bounded("on_stop", boom(), timeout_s=1)  # logged, not raised
