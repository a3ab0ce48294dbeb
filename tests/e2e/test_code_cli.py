"""``samantha code`` and code in chains, end to end (real sandbox, real model, real SQLite)."""

from __future__ import annotations

import json
import socket
import threading

import nbformat
import pytest
from support.hostile import an_address_of_this_machine

from samantha.core.chain import ChainConfig

pytestmark = pytest.mark.e2e


def test_code_run_pasted_code(samantha) -> None:
    result = samantha("code", "run", "-", input="print(2 + 2)\n")
    assert result.stdout == "4\n" and "exit status 0" in result.stderr


def test_code_run_json_and_environment(samantha, monkeypatch) -> None:
    monkeypatch.setenv("SAMANTHA_SECRET_TOKEN", "hunter2")
    code = "import os\nprint(os.environ.get('SAMANTHA_SECRET_TOKEN', 'absent'))\n"
    data = json.loads(samantha("code", "run", "-", "--json", input=code).stdout)
    assert data["stdout"] == "absent\n" and data["succeeded"] and data["exit_status"] == 0


MAKE_TEST = "bubblewrap does not work here: `make test` installs it"


def test_code_run_says_how_it_was_confined(samantha) -> None:
    data = json.loads(samantha("code", "run", "-", "--json", input="print(1)\n").stdout)
    assert data["isolation"] == "bubblewrap" and data["isolated"], MAKE_TEST
    assert data["isolation_note"].startswith("Confined by bubblewrap") and not \
        data["allow_network"]
    plain = samantha("code", "run", "-", input="print(1)\n")
    assert "not isolated" not in plain.stderr


def test_code_run_without_isolation_says_so(samantha) -> None:
    plain = samantha("code", "run", "-", "--sandbox", "rlimits", input="print(1)\n")
    assert plain.stdout == "1\n"
    (line,) = [line for line in plain.stderr.splitlines() if line.startswith("not isolated: ")]
    assert "Isolation was turned off for this run" in line and "network" in line
    data = json.loads(samantha("code", "run", "-", "--sandbox", "rlimits", "--json",
                               input="print(1)\n").stdout)
    assert data["isolation"] == "rlimits (not isolated)" and not data["isolated"]


def test_code_run_allow_network(samantha) -> None:
    """The network, yes (this machine's network address stands for it); never 127.0.0.1."""
    with an_address_of_this_machine() as address:
        _allow_network(samantha, address)


def _allow_network(samantha, address: str) -> None:
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(4)
    listener.settimeout(20)

    def serve() -> None:
        try:
            while True:
                connection, _ = listener.accept()
                with connection:
                    connection.sendall(b"hello")
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    places, port = [address, "127.0.0.1"], listener.getsockname()[1]
    code = (f"import socket\nfor place in {places!r}:\n    try:\n"
            f"        s = socket.create_connection((place, {port}), timeout=3)\n"
            "        print('reached', s.recv(5).decode())\n    except OSError as error:\n"
            "        print('unreachable', type(error).__name__)\n")
    try:
        cut = json.loads(samantha("code", "run", "-", "--json", input=code).stdout)
        allowed = json.loads(samantha("code", "run", "-", "--json", "--allow-network",
                                      input=code).stdout)
    finally:
        listener.close()
    assert cut["isolated"], MAKE_TEST
    assert cut["stdout"] == "unreachable OSError\nunreachable ConnectionRefusedError\n"
    assert allowed["stdout"] == "reached hello\nunreachable ConnectionRefusedError\n"
    assert allowed["allow_network"] and "this run allowed it" in allowed["isolation_note"]


def test_code_run_markdown_with_blocks_and_a_figure(samantha, tmp_path) -> None:
    answer = tmp_path / "answer.md"
    answer.write_text("Plot:\n```python\n!pip install matplotlib\nimport matplotlib.pyplot as "
                      "plt\nplt.bar([1, 2], [3, 4])\nplt.show()\nprint('shown')\n```\n")
    page = tmp_path / "out.html"
    result = samantha("code", "run", str(answer), "--json", "--html", str(page))
    data = json.loads(result.stdout)
    assert data["stdout"] == "shown\n" and len(data["figures"]) == 1
    assert 'src="data:image/png;base64,' in page.read_text()


def test_code_run_failures_exit_1(samantha) -> None:
    bad = samantha("code", "run", "-", input="print('x'\n", code=1)
    assert "SyntaxError" in bad.stderr
    slow = samantha("code", "run", "-", "--timeout", "1", input="while True: pass\n", code=1)
    assert "1" in slow.stderr and "time" in slow.stderr.lower()


def test_code_extract_and_notebook_export(samantha, real_workbench, tmp_path) -> None:
    store = real_workbench.store
    run_id = store.start_run(ChainConfig("Plot it").to_dict())
    cycle = store.start_cycle(run_id, number=1, model="default", model_path=None,
                              model_sha256=None, round=1, item=1, prompt="Plot it",
                              messages=[], settings={}, random_overrides=None)
    store.finish_cycle(cycle, response="Sure:\n```python\nprint('hi')\n```\nDone.", tokens=9,
                       prompt_tokens=3, seconds=0.1, finish_reason="stop", error=None,
                       status="done")
    store.finish_run(run_id, "finished")
    assert samantha("code", "extract", str(run_id), "--cycle", "1").stdout == "print('hi')\n\n"
    out = tmp_path / "run.ipynb"
    samantha("history", "export", str(run_id), "--format", "ipynb", "--output", str(out))
    notebook = nbformat.read(out, as_version=4)
    assert [c.source for c in notebook.cells if c.cell_type == "code"] == ["print('hi')"]
    result = samantha("code", "extract", str(run_id), "--cycle", "5", code=2)
    assert "no cycle 5" in result.stderr


def test_the_seeds_code_chain_runs_on_the_default_model(samantha, real_workbench) -> None:
    prompt = ("Follow the instructions below step by step:\n1) Create a Python function that "
              "generates a random number between 1 and 10. If the number returned is less than "
              "4, print that number. Otherwise, print ''.\n2) Execute the function.\n"
              "Attention: Write only the code. Do not include comments.\n$$$")
    lines = samantha("run", "--prompts", prompt, "--auto-run-code", "--stop-condition",
                     "--loops", "3", "--max-tokens", "80", "--code-timeout", "10",
                     "--json").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    last = events[-1]
    assert last["event"] == "run_finished" and last["status"] == "finished"
    ran = [e for e in events if e["event"] == "code_ran"]
    assert len(real_workbench.store.code_runs(last["run_id"])) == len(ran)
    assert all(e["isolation"] == "bubblewrap" for e in ran), MAKE_TEST
    assert all(r.isolation == "bubblewrap" for r in real_workbench.store.code_runs(last["run_id"]))
    stored = real_workbench.store.get_run(last["run_id"])
    assert stored.stop_reason == last["reason"]
    assert 1 <= len(stored.cycles) <= 3
