"""Where a cycle runs among the backends that serve its model: health, affinity, capacity."""

from __future__ import annotations

import pytest

from samantha.core.placement import COOL_DOWN, LONGEST, QUEUED, Placement


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def placement(**slots: int) -> tuple[Placement, Clock]:
    clock = Clock()
    p = Placement(clock)
    for name, n in slots.items():
        p.declare(name, n)
    return p, clock


def states(p: Placement) -> dict[str, tuple[str, int]]:
    return {s.name: (s.state, s.busy) for s in p.status()}


def test_cycles_go_where_there_is_most_room_for_their_slots() -> None:
    p, _ = placement(a=1, b=4)
    places = [("a", "m"), ("b", "m")]
    taken = [p.take(places)[0] for _ in range(5)]
    assert taken == ["a", "b", "b", "b", "b"]  # a: 1 of 1 busy; b: 4 of 4 after these
    assert states(p) == {"a": ("busy", 1), "b": ("busy", 4)}
    p.done("a", "m", True)
    assert p.take(places)[0] == "a"


def test_ties_go_to_the_backend_that_ran_fewest_cycles_so_all_are_used() -> None:
    p, _ = placement(**{f"s{i:02d}": 1 for i in range(8)})
    places = [(f"s{i:02d}", "m") for i in range(8)]
    used = []
    for _ in range(40):  # one cycle at a time: every backend is idle at each choice
        backend, _model = p.take(places)
        used.append(backend)
        p.done(backend, "m", True)
    assert sorted(set(used)) == [name for name, _ in places]
    assert max(used.count(n) for n in set(used)) == 5  # spread evenly, not all on the first


def test_a_weight_gives_a_backend_its_share() -> None:
    p, _ = placement()
    p.declare("fast", 1, weight=3.0)
    p.declare("slow", 1)
    places = [("fast", "m"), ("slow", "m")]
    used = []
    for _ in range(40):
        backend, _model = p.take(places)
        used.append(backend)
        p.done(backend, "m", True)
    assert used.count("fast") == 30 and used.count("slow") == 10


def test_a_failing_backend_is_benched_longer_each_time_then_tried_again() -> None:
    p, clock = placement(a=1, b=1)
    places = [("a", "m"), ("b", "m")]
    waits = []
    for _ in range(9):
        assert p.take(places)[0] == "a"
        p.done("a", "m", False)
        status = {s.name: s for s in p.status()}["a"]
        assert status.state == "benched"
        waits.append(status.back_in)
        assert p.take(places)[0] == "b"  # its cycles go elsewhere meanwhile
        p.done("b", "m", True)
        clock.now += status.back_in + 0.01  # the cool-down ends: a is tried again
    assert waits[:4] == pytest.approx([COOL_DOWN, 2 * COOL_DOWN, 4 * COOL_DOWN, 8 * COOL_DOWN])
    assert waits[-1] == pytest.approx(LONGEST)
    assert p.take(places)[0] == "a"
    p.done("a", "m", True)  # one answer in full clears its record
    assert {s.name: s.failed for s in p.status()} == {"a": 9, "b": 0}
    p.take(places)
    p.done("a", "m", False)
    assert {s.name: s for s in p.status()}["a"].back_in == COOL_DOWN


def test_when_every_backend_is_benched_the_first_to_come_back_is_tried() -> None:
    p, clock = placement(a=1, b=1)
    for name, times in (("a", 2), ("b", 1)):
        for _ in range(times):
            p.take([(name, "m")])
            p.done(name, "m", False)
    assert p.take([("a", "m"), ("b", "m")])[0] == "b"


def test_stop_or_an_input_error_says_nothing_of_health() -> None:
    p, _ = placement(a=1)
    p.take([("a", "m")])
    p.done("a", "m", None)
    assert [(s.state, s.busy, s.failed) for s in p.status()] == [("up", 0, 0)]


def test_a_models_cycles_stay_where_it_is_loaded_while_the_other_model_is_in_use() -> None:
    """a and b serve both models (an Ollama each: one model in memory at a time)."""
    p, _ = placement(a=1, b=2)
    m1, m2 = [("a", "m1"), ("b", "m1")], [("a", "m2"), ("b", "m2")]
    assert p.take(m1)[0] == "a"  # m1 is now on a
    assert p.take(m2)[0] == "b"  # m2 on b: a would have to swap
    for _ in range(QUEUED - 1):  # m1 waits on a (up to QUEUED cycles per slot) rather than
        assert p.take(m1)[0] == "a"  # evict m2 from b, which a cycle in progress uses
    assert p.take(m1)[0] == "b"  # past the bound: b has a free slot, it loads m1
    assert {s.name: s.swaps for s in p.status()} == {"a": 0, "b": 1}


def test_a_backend_whose_model_the_run_left_behind_takes_the_next_model_at_once() -> None:
    """The plan runs model after model: when m1's cycles are all done, the backends that had
    it load m2 rather than leave m2's cycles waiting on one backend."""
    p, _ = placement(a=1, b=1)
    m1, m2 = [("a", "m1"), ("b", "m1")], [("a", "m2"), ("b", "m2")]
    assert [p.take(m1)[0] for _ in range(2)] == ["a", "b"]
    p.done("a", "m1", True)
    assert p.take(m2)[0] == "a"  # m1 still runs on b, but a is free: it swaps
    assert p.take(m2)[0] == "a"  # b is busy with m1 (in use): m2 waits on a
    p.done("b", "m1", True)  # m1 is finished: b loads m2 for the next cycle
    assert p.take(m2)[0] == "b"
    assert {s.name: s.swaps for s in p.status()} == {"a": 1, "b": 1}


def test_a_backend_serving_one_model_never_swaps() -> None:
    p, _ = placement()
    p.declare("solo", 1, models=["m"])
    for _ in range(3):
        p.take([("solo", "m")])
    assert [s.swaps for s in p.status()] == [0]


def test_status_says_it_in_one_line_and_as_json() -> None:
    p, _ = placement(lab=4)
    p.take([("lab", "m")])
    p.take([("lab", "m")])
    p.done("lab", "m", False)
    (status,) = p.status()
    assert status.line() == "lab: benched (tried again in 2 s), 1/4 busy, 2 cycles, 1 failed"
    assert status.to_dict() == {"name": "lab", "state": "benched", "busy": 1, "slots": 4,
                                "cycles": 2, "failed": 1, "swaps": 0, "back_in": 2.0}


def test_a_backend_given_anew_starts_with_a_clean_record() -> None:
    """Saved again (another address): its bench and what was read of it are forgotten; its
    counts stay."""
    p, _ = placement(a=4)
    p.take([("a", "m")])
    p.done("a", "m", False)
    p.renew("a")
    assert [(s.state, s.slots, s.cycles, s.failed) for s in p.status()] == [("up", 1, 1, 1)]
