"""Texts of the examples and of the verdicts shown under a judgement (rows as in
:mod:`samantha.ui.words.table`: key, English label and help, Portuguese label and help)."""

from __future__ import annotations

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("verdict_won", "Verdict: {winner} wins. Scores: {scores}. Reason: {reason}", "",
     "Veredito: {winner} vence. Notas: {scores}. Motivo: {reason}", ""),
    ("verdict_tie", "Verdict: a tie. Scores: {scores}. Reason: {reason}", "",
     "Veredito: empate. Notas: {scores}. Motivo: {reason}", ""),
    ("verdict_unread", "Verdict: none could be read ({problem}); nothing is guessed.", "",
     "Veredito: nenhum pôde ser lido ({problem}); nada é adivinhado.", ""),
)
