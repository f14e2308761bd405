"""`make chaos` pieces: how requests are classified, what the load counts as accepted, and when
a row misses its aims. The HTTP side runs against an in-process httpx transport."""

from __future__ import annotations

import asyncio

import httpx

from deploy.chaos.load import ANSWERED, ERRORED, TIMED_OUT, Load, classify
from deploy.chaos.report import Row, row_from, table


def test_answers_below_500_are_answered_5xx_and_refusals_errored_and_silence_timed_out() -> None:
    req = httpx.Request("GET", "http://x/")
    assert classify(httpx.Response(202, request=req), None) == ANSWERED
    assert classify(httpx.Response(429, request=req), None) == ANSWERED
    assert classify(httpx.Response(503, request=req), None) == ERRORED
    assert classify(None, httpx.ConnectError("refused")) == ERRORED
    assert classify(None, httpx.ReadTimeout("silence")) == TIMED_OUT


def test_load_counts_accepted_events_only_from_202_replies() -> None:
    calls = {"events": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/events":
            calls["events"] += 1
            if calls["events"] % 2:  # every other batch: the gateway could not reach Kafka
                return httpx.Response(503, json={"detail": "kafka down"})
            return httpx.Response(202, json={"accepted": 10})
        return httpx.Response(200, json={})

    async def go() -> Load:
        load = Load("http://gw", "t", batch=10, max_requests=6)
        await load.run(asyncio.Event(), transport=httpx.MockTransport(handler))
        return load

    load = asyncio.run(go())
    assert calls["events"] == 12  # two event workers, 6 requests each
    assert sum(load.accepted.values()) == 60
    assert sum(load.refused.values()) == 60  # the 503 batches: refused, yet maybe stored
    assert load.tally.outcomes[ERRORED] == 6
    assert load.tally.outcomes[ANSWERED] == 6 + 12  # events 202 + chat + recs
    assert all(v.startswith("chaos-t-") for v in load.accepted)


def test_a_row_names_each_missed_aim() -> None:
    ok = Row("user_events", 4.2, 100, 3, 0, 2.0, accepted=500, folded=500)
    assert ok.misses() == []
    bad = Row("gateway", None, 10, 50, 2, 15.0, accepted=500, folded=498)
    assert bad.misses() == ["back in never (aim <= 15s)", "2 accepted events lost",
                            "2 requests hung past their deadline"]
    assert Row("x", 20.0, 1, 0, 0, 1, 10, 11).misses() == [
        "back in 20.0s (aim <= 15s)", "1 events folded twice"]


def test_row_from_counts_only_this_phases_visitors_and_the_table_shows_it() -> None:
    load = Load("http://gw", "p", visitors=2)
    load.accepted[load.visitors[0]] = 30
    load.tally.record(ANSWERED, 0.2)
    load.tally.record(TIMED_OUT, 15.0)
    folded = {load.visitors[0]: 30, "someone-else": 99}
    row = row_from("recommend", 3.5, load, folded)
    assert (row.accepted, row.folded, row.lost, row.answered, row.timed_out) == (30, 30, 0, 1, 1)
    text = table([row], "title")
    assert "recommend" in text and "1 requests hung" in text and text.startswith("title")


def test_events_refused_but_stored_are_not_counted_as_duplicates() -> None:
    # a broker failover: the gateway's send timeout answered 503 for 20 events Kafka then stored
    row = Row("kafka-1", 5.0, 90, 10, 0, 2.0, accepted=100, folded=120, isr_s=7.5, refused=20)
    assert (row.duplicated, row.lost, row.misses()) == (0, 0, [])
    assert Row("kafka-1", 5.0, 90, 10, 0, 2.0, 100, 130, refused=20).duplicated == 10
    assert row.error_rate == 0.1
    assert "7.5" in table([row], "t") and "10.0" in table([row], "t")  # in sync (s), err %
