"""One name per concept, the one the user sees, in each language of the page.

Each entry: the concept's English and Portuguese names, then names the page must not use for it
(a second word for one thing makes users wonder whether it is a second thing). Every label and
help text, and the trace page's words, are checked against it (``tests/ui/test_glossary.py``).
"""

from __future__ import annotations

#: (English name, Portuguese name, names not to use (either language, case ignored))
GLOSSARY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("learning mode", "modo de aprendizagem", ("aprendizado", "learn mode", "training mode")),
    ("remote backends", "backends remotos", ("remote engine", "remote server",
                                             "motor remoto", "servidor remoto")),
    ("History", "Histórico", ("run log", "past runs tab")),
    ("Tools", "Ferramentas", ("Utilities", "Utilitários")),
    ("Models", "Modelos", ("model manager",)),
    ("sampler chain", "cadeia de amostragem", ("sampling pipeline", "sampler pipeline")),
)
