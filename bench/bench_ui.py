"""The web UI's streaming speed: a 256-token answer timed in headless Chromium (from pressing
Enter to the last token on screen) against the same generation through the CLI, in one run.

Then the same with learning mode at free pace (top-10 traces, the stage table and the coloured
answer drawn as the answer grows) against ``samantha learn`` making the same tokens, timed as
its terminal shows them.

Targets: ratios >= 0.9. Needs Debian's chromium. Run: ``.venv/bin/python bench/bench_ui.py``
(``--learning-only``: the learning-mode rounds alone).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from samantha.ui.serving.doors import server_key
from samantha.workbench.home import data_home

PROMPT = "Count from 1 to 300: 1, 2, 3, 4,"
TOKENS = 256
ROUNDS = 5
LEARNING_ROUNDS = 7  # the ratio closest to its target: more rounds against the noise
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def cli_seconds() -> tuple[float, float]:
    """(generation seconds as the CLI reports them, wall time of the whole command)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "samantha", "generate", PROMPT, "--max-tokens",
                          str(TOKENS), "--json"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    data = json.loads(out.stdout)
    assert data["tokens"] == TOKENS, data
    return data["seconds"], wall


def learn_seconds() -> tuple[float, float]:
    """``samantha learn`` making the same tokens: (its steps' own seconds, summed; the seconds
    its terminal takes to show them: the first step's own, which holds the prompt's reading,
    then from the first line out to the last). The first leaves out the time the command spends
    writing each step out, so it flatters the CLI by a few percent."""
    command = subprocess.Popen([sys.executable, "-m", "samantha", "learn", PROMPT,
                                "--max-tokens", str(TOKENS), "--json"],
                               stdout=subprocess.PIPE, text=True)
    steps, arrived = [], []
    for line in command.stdout:
        arrived.append(time.perf_counter())
        steps.append(json.loads(line))
    assert command.wait() == 0 and len(steps) == TOKENS, len(steps)
    return sum(step["seconds"] for step in steps), steps[0]["seconds"] + arrived[-1] - arrived[0]


# Times the answer inside the page: the clock starts at the Enter key and stops when the footer
# is written into the output box (its value setter is watched, so that nothing polls the page:
# a poll every 10 ms cost the browser more than the answer's updates).
WATCH = """(tokens) => {
  const box = document.querySelector('#output textarea');
  window.benchTimes = {};
  document.addEventListener('keydown', () => { window.benchTimes.start = performance.now(); },
                            {capture: true, once: true});  // the benchmark presses Enter
  const own = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value');
  Object.defineProperty(box, 'value', {
    configurable: true,
    get() { return own.get.call(this); },
    set(text) {
      own.set.call(this, text);
      if (window.benchTimes.start && !window.benchTimes.end && text.includes(`(${tokens} tokens`)) {
        window.benchTimes.end = performance.now();
        const mark = `(${tokens} tokens, `;  // the footer: (256 tokens, 8.3 s)
        window.benchTimes.generation = parseFloat(text.slice(text.indexOf(mark) + mark.length));
      }
    },
  });
}"""


def browser_seconds(page, generation: list[float] | None = None) -> float:
    """Seconds from Enter to the last token on screen; the server's own generation seconds
    (the answer's footer, to 0.1 s) are appended to ``generation``."""
    page.click("#clean-button")
    page.wait_for_function("document.querySelector('#output textarea').value === ''")
    page.evaluate(WATCH, TOKENS)
    page.press("#user-prompt textarea", "Enter")
    page.wait_for_function("window.benchTimes.end", timeout=120_000, polling=500)
    times = page.evaluate("window.benchTimes")
    if generation is not None:
        generation.append(times["generation"])
    return (times["end"] - times["start"]) / 1000


def main() -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "samantha", "ui", "--no-browser", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:  # up: it asks for its key
                break
            except OSError:
                time.sleep(0.5)
        key = server_key(data_home())  # made by the server as it started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{url}?key={key}")
            page.wait_for_selector("#start-button")
            page.fill("#user-prompt textarea", PROMPT)
            page.locator("#sampling > button.label-wrap").click()  # the sampling panel
            box = page.locator("#slider-max_tokens input[type=number]")
            box.wait_for(state="visible")
            page.wait_for_timeout(700)  # let the accordion's sliders mount
            box.fill(str(TOKENS))
            box.press("Tab")
            browser_seconds(page)  # warm up: loads the model in the server
            page.locator("#chain-options > button.label-wrap").click()  # for Fast mode
            fast_box = page.locator("#opt-fast_mode input")
            fast_box.wait_for(state="visible")
            web, fast_web, cli, wall = [], [], [], []
            plain_rounds = 0 if "--learning-only" in sys.argv else ROUNDS
            for _ in range(plain_rounds):  # interleaved: the machine's noise hits all three
                web.append(browser_seconds(page))
                generation, whole = cli_seconds()
                cli.append(generation)
                wall.append(whole)
                fast_box.check()
                fast_web.append(browser_seconds(page))
                fast_box.uncheck()
            page.locator("#learning-panel > button.label-wrap").click()
            page.locator("#learning-pace").get_by_text("0", exact=True).click()
            learn_web, learn_cli, learn_shown, learn_served = [], [], [], []
            for _ in range(LEARNING_ROUNDS):
                learn_web.append(browser_seconds(page, learn_served))
                own, shown = learn_seconds()
                learn_cli.append(own)
                learn_shown.append(shown)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    median = statistics.median
    if web:
        print(f"{TOKENS} tokens: browser {median(web):.2f} s from Enter to the last token on "
              f"screen (fast mode {median(fast_web):.2f} s); CLI generation {median(cli):.2f} s "
              f"(whole command {median(wall):.2f} s)")
        print(f"speed ratio, streaming: {median(cli) / median(web):.3f}; fast mode: "
              f"{median(cli) / median(fast_web):.3f} (target >= 0.9); against the whole CLI "
              f"command: {median(wall) / median(web):.3f}")
    print(f"learning mode at free pace: browser {median(learn_web):.2f} s from Enter to the "
          f"last token; samantha learn {median(learn_shown):.2f} s on its terminal (its steps' "
          f"own seconds {median(learn_cli):.2f} s)")
    print(f"speed ratio, learning mode: {median(learn_shown) / median(learn_web):.3f} against "
          f"what the terminal shows (target >= 0.9); {median(learn_cli) / median(learn_web):.3f} "
          "against the steps' own seconds")
    print(f"learning mode's generation speed with the page open (the server's own seconds, "
          f"{median(learn_served):.1f} s) against samantha learn on its terminal: "
          f"{median(learn_shown) / median(learn_served):.3f} (the rest of the first ratio is the "
          "page's start and the last update)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
