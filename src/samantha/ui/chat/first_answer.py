"""What the page opens with: a model and a prompt whose first answer makes sense.

Chosen by trying both bundled models (greedy, the default settings):
- English: SmolLM2 135M Instruct, a chat model, answers "Write a Python function that returns
  the square of a number." with a correct function and one sentence about it, and stops; the
  code panel can run it at once.
- Portuguese: SmolLM2 speaks only English (asked in Portuguese it answers a name), so the page
  opens on Gemma 3 270M, a base model that continues text in many languages: "A Torre Eiffel
  fica na cidade de" becomes " Paris, na França. É um dos maiores monumentos da Europa."
- Without SmolLM2 installed, the English page opens on Gemma too, with a sentence to continue.
"""

from __future__ import annotations

from samantha.models.bundled import SMOLLM2, installed

FIRST = {"en": ("smollm2", "Write a Python function that returns the square of a number."),
         "pt": ("default", "A Torre Eiffel fica na cidade de")}
WITHOUT_CHAT_MODEL = {"en": ("default", "The three primary colours are"),
                      "pt": FIRST["pt"]}


def first_answer(lang: str, chosen: str | None = None) -> tuple[str, str]:
    """(model, prompt) the page of ``lang`` opens with; ``chosen`` is the model the user asked
    for (``samantha ui --model``), which opens with the prompt made for it if there is one."""
    if chosen:
        made_for = [p for m, p in (FIRST.get(lang, FIRST["en"]),
                                   WITHOUT_CHAT_MODEL.get(lang, WITHOUT_CHAT_MODEL["en"]))
                    if m == chosen]
        return chosen, made_for[0] if made_for else ""
    model, prompt = FIRST.get(lang, FIRST["en"])
    if model == SMOLLM2.name and not installed(SMOLLM2):
        return WITHOUT_CHAT_MODEL.get(lang, WITHOUT_CHAT_MODEL["en"])
    return model, prompt
