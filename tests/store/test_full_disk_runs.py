"""A run that meets a full disk (a real tmpfs, filled) on the fake engine: it ends with one line,
is left interrupted with what it generated, and resumes once there is room as if never stopped.
The real model and the command line: tests/e2e/test_full_disk.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.small_disk import SmallDisk, small_disk

from samantha.cli import cli
from samantha.core.chain import ChainConfig
from samantha.core.run_events import CycleFinished
from samantha.engines.fake import FakeEngine
from samantha.store.errors import DiskFullError
from samantha.workbench.facade import Workbench

FAKE = "fake.gguf"
CODE = "Here:\n```python\nprint('ran')\n```\n"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk", "4m") as mounted:
        yield mounted


def bench_on(home: Path, fake_workbench: Workbench, engine: FakeEngine) -> Workbench:
    """A Workbench whose data home is ``home``, with the fake model."""
    bench = Workbench(home, engine=engine)
    bench.models_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(fake_workbench.models_dir / FAKE, bench.models_dir / FAKE)
    return bench


def stored(bench: Workbench, run_id: int) -> list[tuple[int, str, str]]:
    return [(c.number, c.status, c.response) for c in bench.store.get_run(run_id).cycles]


def test_a_run_that_meets_a_full_disk_is_interrupted_and_resumes(
        disk: SmallDisk, fake_workbench: Workbench, fake_engine: FakeEngine) -> None:
    fake_engine.answers = {"love": "Amor.", "life": "Vida.", "": "Mais."}
    config = ChainConfig("love\nlife\nmore", models=(FAKE,), feedback=True, seed=5)
    bench = bench_on(disk.path, fake_workbench, fake_engine)
    events = iter(bench.start_run(config))
    assert any(isinstance(event, CycleFinished) for event in events)  # up to cycle 1's end
    disk.fill()
    with pytest.raises(DiskFullError) as caught:
        list(events)
    assert str(caught.value) == (
        f"The disk is full: no room left in {disk.path} for run 1, which stopped at cycle 2 "
        "(what it generated before is kept). Free some space there, then resume it: "
        "`samantha history resume 1`, or Resume in the History tab.")
    assert caught.value.run_id == 1

    disk.free()  # the process lives on (the web UI): the run is marked at the next call
    run = bench.store.get_run(1)
    assert (run.status, run.stop_reason) == ("interrupted", "the disk was full")
    assert stored(bench, 1) == [(1, "done", "Amor.")]
    list(bench.resume_run(1))
    whole = fake_workbench.start_run(config)
    list(whole)
    assert bench.store.get_run(1).status == "finished"
    assert stored(bench, 1) == stored(fake_workbench, whole.id)
    bench.close()


def test_a_full_disk_under_the_code_folders_interrupts_the_run(
        fake_workbench: Workbench, fake_engine: FakeEngine, tmp_path: Path) -> None:
    fake_engine.answers = {"": CODE}
    bench = fake_workbench
    config = ChainConfig("go", models=(FAKE,), auto_run_code=True, seed=5)
    with small_disk(bench.home / "runs", "1m") as runs:
        runs.fill()
        with pytest.raises(DiskFullError) as caught:
            list(bench.start_run(config))
        text = str(caught.value)
        # Python's error for the file written there names no file: the data home is named.
        assert text.startswith(f"The disk is full: no room left in {bench.home} for run 1, "
                               "which stopped at cycle 1")
        assert "`samantha history resume 1`" in text and "\n" not in text
        run = bench.store.get_run(1)
        assert (run.status, run.stop_reason) == ("interrupted", "the disk was full")
        assert stored(bench, 1) == [(1, "done", CODE)]  # the answer is kept
        runs.free()
        list(bench.resume_run(1))
        assert bench.store.get_run(1).status == "finished"
        assert [r.stdout for r in bench.store.code_runs(1)] == ["ran\n"]


def test_an_export_to_a_full_disk_is_one_line_and_leaves_no_half_file(
        disk: SmallDisk, fake_workbench: Workbench) -> None:
    list(fake_workbench.start_run(ChainConfig("love", models=(FAKE,))))
    disk.fill()
    out = disk.path / "run.html"
    result = CliRunner().invoke(cli, ["history", "export", "1", "--format", "html", "-o",
                                      str(out)], obj=fake_workbench)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"error: The disk is full: no room left in {disk.path} for "
                             "run.html (it was not written). Free some space there and try "
                             "again.\n")
    assert not out.exists()
    disk.free()
    again = CliRunner().invoke(cli, ["history", "export", "1", "--format", "html", "-o",
                                     str(out)], obj=fake_workbench)
    assert again.exit_code == 0, again.stderr
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
