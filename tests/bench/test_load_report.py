"""bench/load.py's report: which requests a fault is charged with."""

from __future__ import annotations

from bench.load import Fault, Sample, _phase, summarize


def _restart() -> list[Fault]:
    # PostgreSQL down from 200 s to 204 s; the window adds SETTLE_SECONDS (5 s).
    return [Fault("postgres restart", 200.0, 204.0)]


def test_a_request_in_flight_when_the_fault_began_is_charged_to_the_fault() -> None:
    # Sent 3 s before the restart, answered 503 during it.
    assert _phase(Sample("queue", 197.0, 3500.0, 503), _restart()) == "during postgres restart"


def test_requests_clear_of_the_window_are_before_or_after() -> None:
    faults = _restart()
    assert _phase(Sample("queue", 150.0, 900.0, 200), faults) == "before"
    assert _phase(Sample("queue", 199.0, 800.0, 200), faults) == "before"
    assert _phase(Sample("queue", 209.5, 100.0, 200), faults) == "after"
    assert _phase(Sample("queue", 207.0, 100.0, 503), faults) == "during postgres restart"


def test_the_latest_fault_a_request_ran_into_is_named() -> None:
    faults = [Fault("postgres restart", 200.0, 204.0), Fault("web kill", 206.0, 207.0)]
    assert _phase(Sample("ticket", 205.0, 2000.0, 503), faults) == "during web kill"
    assert _phase(Sample("ticket", 202.0, 100.0, 503), faults) == "during postgres restart"


def test_errors_outside_the_windows_are_counted_apart() -> None:
    samples = [Sample("search", 100.0, 50.0, 503), Sample("search", 198.0, 4000.0, 503),
               Sample("search", 120.0, 40.0, 200), Sample("smtp", 201.0, 10.0, 451)]
    summary = summarize(samples, _restart())
    assert summary["errors_outside_faults"] == 1
    assert summary["errors"] == {"search | 503 | before": 1,
                                 "search | 503 | during postgres restart": 1,
                                 "smtp | 451 | during postgres restart": 1}
    assert summary["http_500"] == 0
