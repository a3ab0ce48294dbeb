"""Gradio's queue polls at a human pace in our server (its Linux defaults wake the event loop
1,100 times a second, which generation pays for on a computer whose cores run the model)."""

from __future__ import annotations

import gradio as gr

from samantha.ui.app import PROGRESS_POLL, QUEUE_POLL, queued


def blocks() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Textbox()
    return demo


def test_the_queue_polls_every_20_ms_and_progress_every_100_ms() -> None:
    plain = blocks()
    plain.queue()
    # the attributes exist in the pinned Gradio: an upgrade that renames them fails here
    fast, progress = plain._queue.sleep_when_free, plain._queue.progress_update_sleep_when_free
    queue = queued(blocks())._queue
    assert queue.sleep_when_free == max(fast, QUEUE_POLL)
    assert queue.progress_update_sleep_when_free == max(progress, PROGRESS_POLL)
    assert queue.default_concurrency_limit == 4


def test_a_queue_already_slower_is_left_as_it_is(monkeypatch) -> None:
    demo = blocks()
    made = gr.Blocks.queue

    def slow(self, **options):
        made(self, **options)
        self._queue.sleep_when_free = 0.05  # Gradio's own value on Windows
        return self

    monkeypatch.setattr(gr.Blocks, "queue", slow)
    assert queued(demo)._queue.sleep_when_free == 0.05
