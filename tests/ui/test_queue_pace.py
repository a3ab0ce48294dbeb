"""Gradio's queue polls at a human pace in our server (its Linux defaults wake the event loop
1,100 times a second, which generation pays for on a computer whose cores run the model)."""

from __future__ import annotations

import gradio as gr

from samantha.ui.app import PROGRESS_POLL, QUEUE_POLL, calm_queue


def queued() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Textbox()
    demo.queue()
    return demo


def test_the_queue_polls_every_20_ms_and_progress_every_100_ms() -> None:
    demo = queued()
    queue = demo._queue
    # the attributes exist in the pinned Gradio: an upgrade that renames them fails here
    assert queue.sleep_when_free < QUEUE_POLL
    assert queue.progress_update_sleep_when_free < PROGRESS_POLL
    calm_queue(demo)
    assert queue.sleep_when_free == QUEUE_POLL
    assert queue.progress_update_sleep_when_free == PROGRESS_POLL


def test_a_queue_already_slower_is_left_as_it_is() -> None:
    demo = queued()
    demo._queue.sleep_when_free = 0.05  # Gradio's own value on Windows
    calm_queue(demo)
    assert demo._queue.sleep_when_free == 0.05
