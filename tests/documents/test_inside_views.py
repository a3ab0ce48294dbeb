"""The views of the inside of the model, on hand-built steps: what each shows, hostile token
texts kept as text, nothing drawn without data."""

from __future__ import annotations

import re

from samantha.core.lens import AttentionView, LayerLens, LayerView
from samantha.core.trace import Candidate, Survivor, TokenStep
from samantha.documents import inert
from samantha.documents.inside_views import (
    WORDS,
    attention_svg,
    certainty_svg,
    draws_svg,
    layer_grid_html,
    shade,
    sinks,
)

HOSTILE = "<img src=x onerror=alert(1)>"


def step_of(number: int = 1, piece: str = " Paris", p: float = 0.6, entropy: float = 1.2,
            layers: LayerLens | None = None, attention: AttentionView | None = None,
            final: tuple[Survivor, ...] = (Survivor(7, 0.6), Survivor(8, 0.4))) -> TokenStep:
    candidates = (Candidate(7, piece, 3.0, p), Candidate(8, HOSTILE, 2.0, 1 - p))
    return TokenStep(number, 7, piece, 1, 3.0, p, entropy, candidates, (), final,
                     pieces={9: "</td><script>x</script>", 3: "<b>"}, layers=layers,
                     attention=attention)


LENS = LayerLens("cheap", 7, (
    LayerView(0, ((9, 0.5), (8, 0.3), (7, 0.2)), 3, 0.2),
    LayerView(1, ((7, 0.5), (8, 0.5)), 1, 0.5),
    LayerView(2, ((8, 0.6), (7, 0.4)), 2, 0.4),
    LayerView(3, ((7, 0.7), (8, 0.3)), 1, 0.7),
    LayerView(4, ((7, 0.9), (8, 0.1)), 1, 0.9),
))

ATTENTION = AttentionView(4, (
    (((0, 0.7), (3, 0.2), (1, 0.1)), ((0, 0.6), (2, 0.4))),
    (((0, 0.8), (3, 0.2)), ((3, 0.9), (0, 0.1))),
), {0: 3, 1: 8, 2: 9, 3: 7})


def rows_of(table: str) -> list[list[str]]:
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table) if "<td" in row]


def test_the_layer_grid_puts_the_last_layer_at_the_top_and_marks_the_first_lead() -> None:
    grid = layer_grid_html(step_of(layers=LENS))
    rows = rows_of(grid)
    assert [re.match(r"\d+", r[0]).group() for r in rows] == ["4", "3", "2", "1", "0"]
    assert "first leads" in rows[1][0] and "first leads" not in "".join(r[0] for r in rows[2:])
    assert rows[2][1:3] == ["2", "0.400"]  # the chosen token's rank and p at layer 2
    assert 'class="first-lead"' in grid and grid.count('class="first-lead"') == 1
    assert grid.count('<mark class="lens-chosen">') == 5  # the chosen one, wherever it shows
    assert "among the final candidates" in grid and "Last layer at the top" in grid
    assert "leads from layer 3 on" in grid


def test_the_full_lens_says_it_reads_the_whole_vocabulary() -> None:
    full = LayerLens("full", 7, LENS.layers)
    assert "over the whole vocabulary" in layer_grid_html(step_of(layers=full))
    assert "sobre o vocabulário inteiro" in layer_grid_html(step_of(layers=full), WORDS["pt"])


def test_a_token_that_never_leads_is_said_so() -> None:
    lens = LayerLens("cheap", 7, (LayerView(0, ((8, 0.6), (7, 0.4)), 2, 0.4),))
    assert "does not lead at the last layer" in layer_grid_html(step_of(layers=lens))


def test_hostile_token_texts_stay_text_in_every_view() -> None:
    step = step_of(piece=HOSTILE, layers=LENS, attention=ATTENTION)
    for view in (layer_grid_html(step), attention_svg(step, layer=1), certainty_svg([step]),
                 draws_svg(step)):
        assert view
        assert "<img" not in view and "<script" not in view and "<b>" not in view
        assert "&lt;img" in view or "&lt;b&gt;" in view or "&lt;/td&gt;" in view
        assert inert.clean(view).count("<svg") == view.count("<svg")  # the cleaner keeps it


def test_no_data_draws_nothing() -> None:
    bare = step_of(final=())
    assert layer_grid_html(bare) == "" and layer_grid_html(None) == ""
    assert attention_svg(bare) == "" and attention_svg(None, layer=0) == ""
    assert certainty_svg([]) == ""
    assert draws_svg(bare) == "" and draws_svg(None) == ""


def test_the_heat_map_colours_each_stored_position_and_marks_the_sink() -> None:
    step = step_of(attention=ATTENTION)
    assert sinks(ATTENTION) == {0: 3}  # 3 of 4 heads give position 0 at least half
    grid = attention_svg(step)
    assert grid.count("<svg") == 1
    assert grid.count("<title>layer") == 9  # every stored (position, weight), no others
    assert shade(0.9) in grid and shade(0.1) in grid and shade(0.9) != shade(0.1)
    assert "position 0 (&lt;b&gt;)" in grid and "3 of 4 heads" in grid
    detail = attention_svg(step, layer=1)
    assert detail.count("<svg") == 2 and "Layer 1, head by head" in detail
    labels = re.findall(r'rotate\(-60[^>]*>([^<]*)</text>', detail)
    assert labels == ["0:&lt;b&gt;", "3:␣Paris"]  # the positions layer 1 weighed, labelled
    assert attention_svg(step, layer=7).count("<svg") == 1  # no such layer: the grid only


def test_no_sink_when_the_weight_is_spread() -> None:
    spread = AttentionView(3, ((((0, 0.4), (1, 0.3), (2, 0.3)),),), {0: 3, 1: 8, 2: 9})
    assert sinks(spread) == {}
    assert "Attention sink" not in attention_svg(step_of(attention=spread))


def test_the_certainty_timeline_draws_three_series_labelled_with_the_tokens() -> None:
    steps = [step_of(1, " The", 0.9, 0.3), step_of(2, " cat", 0.2, 2.0),
             step_of(3, " sat", 0.0, 1.0)]
    svg = certainty_svg(steps)
    assert svg.count("<polyline") == 3
    for label in ("entropy H (nats)", "effective candidates e^H", "surprisal of the chosen"):
        assert label in svg
    assert "␣cat" in svg and "∞" in svg  # a token of probability 0: infinite surprisal
    assert "2 ␣cat: 7.39" in svg  # e^2
    many = certainty_svg([step_of(i) for i in range(1, 41)])
    assert "␣Paris</text>" not in many and ">40<" in many  # numbered, not labelled


def test_the_draws_chart_shows_probabilities_beside_counts() -> None:
    svg = draws_svg(step_of(), n=100, seed=0)
    counts = [int(c) for c in re.findall(r">(\d+)/100<", svg)]
    assert len(counts) == 2 and sum(counts) == 100
    assert ">0.600<" in svg and ">0.400<" in svg and "100 draws" in svg
    many = tuple(Survivor(i, 1 / 15) for i in range(15))
    assert "5 others" in draws_svg(step_of(final=many))


def test_probabilities_read_at_every_size() -> None:
    lens = LayerLens("full", 7, (LayerView(0, ((8, 0.99996), (7, 0.00004), (9, 0.0)), 2, 4e-5),))
    cells = rows_of(layer_grid_html(step_of(layers=lens)))[0]
    assert cells[2] == "4.0e-05" and "1.000" in cells[3] and "≈0" in cells[3]
