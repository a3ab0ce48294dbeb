"""A run's buttons when nobody is left to press them, and who has the model while others wait."""

from __future__ import annotations

import threading
import time

from samantha.core.control import STEP, UNATTENDED_STEP_SECONDS, ModelTurn, RunControl


def waiting_turn(control: RunControl) -> threading.Thread:
    """``control.wait_turn()`` on a thread of its own (as the generating thread calls it)."""
    thread = threading.Thread(target=control.wait_turn, daemon=True)
    thread.start()
    return thread


def test_a_step_run_whose_tab_is_gone_stops_by_itself() -> None:
    control = RunControl(STEP)
    control.unattended = 0.2
    waiting = waiting_turn(control)
    waiting.join(0.5)
    assert waiting.is_alive() and not control.run_stopped  # its tab is there: it waits on
    began = time.monotonic()
    control.tab_gone()
    waiting.join(10)
    assert not waiting.is_alive() and control.run_stopped and control.is_set()
    assert time.monotonic() - began >= 0.2  # after its time, not at once


def test_a_click_after_the_tab_seemed_gone_keeps_the_run() -> None:
    control = RunControl(STEP)
    control.unattended = 0.3
    control.tab_gone()
    control.step()  # its tab is there after all (the heartbeat came back)
    control.wait_turn()  # the step is used
    waiting = waiting_turn(control)
    waiting.join(0.8)
    assert waiting.is_alive() and not control.run_stopped
    control.stop_run()
    waiting.join(10)
    assert not waiting.is_alive()


def test_a_step_run_reaching_its_turn_after_its_time_stops_at_once() -> None:
    control = RunControl(STEP)
    control.unattended = 0.0
    control.tab_gone()  # e.g. while it waited for the model
    control.wait_turn()
    assert control.run_stopped


def test_other_paces_go_on_unattended() -> None:
    control = RunControl(0.01)
    control.unattended = 0.0
    control.tab_gone()
    control.wait_turn()
    assert not control.run_stopped and control.tab_is_gone
    assert UNATTENDED_STEP_SECONDS > 0


def test_the_model_turn_says_who_has_the_model_while_a_run_waits() -> None:
    turn = ModelTurn()
    first, second = RunControl(STEP), RunControl()
    lane = type("LaneCancel", (), {"control": second})()  # a lane's cancel names its run
    has_it, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with turn.taken_by(first):
            has_it.set()
            let_go.wait(10)

    def wait() -> None:
        with turn.taken_by(lane):
            pass

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert has_it.wait(10)
    assert turn.holder_for(first) is None and turn.holder_for(second) is None  # nobody waits
    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    deadline = time.monotonic() + 10
    while turn.holder_for(second) is None and time.monotonic() < deadline:
        waiter.join(0.01)  # until the waiting thread has asked for the model
    assert turn.holder_for(second) is first and turn.holder_for(first) is None
    let_go.set()
    waiter.join(10)
    holder.join(10)
    assert not waiter.is_alive() and turn.holder_for(second) is None
    assert not turn.lock.locked()
