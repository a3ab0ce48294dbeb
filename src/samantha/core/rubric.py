"""Rubrics: what a judge model scores an answer on, and how its judgement is read back.

A rubric is a list of criteria, each a question answered with a whole score on one scale
(1 to 5 unless said otherwise). The default rubric is the predecessor's list of what makes an
answer good (its manual, in Portuguese), worded so that a higher score is always better.

A judge answers in JSON, its answer constrained by :func:`judgement_schema` (a score for every
criterion and one reason), so even a small model answers in form. :func:`read_judgement` reads it
back strictly: a judgement that is not that JSON, lacks a criterion or scores out of the scale is
recorded as malformed, with what was wrong, and never guessed at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from samantha.core.errors import InputError
from samantha.core.schema import Refused, Switch, TextList, shown

#: How long a judge's reason may be (characters): a sentence or three, not a second answer.
MAX_REASON_CHARS = 300
#: Bounds on a rubric from a file: its criteria, a question's length, the ends of its scale.
MAX_CRITERIA = 32
MAX_QUESTION_CHARS = 500
SCALE_BOUNDS = (0, 100)

#: The predecessor's criteria: (key, English question, Portuguese question).
SEED_CRITERIA = (
    ("understanding",
     "How well does the answer understand the explicit and implicit instructions of the user "
     "and system prompts?",
     "Quão bem a resposta entende as instruções explícitas e implícitas dos prompts do usuário e "
     "do sistema?"),
    ("obedience",
     "How closely does the answer obey those instructions?",
     "Quão fielmente a resposta obedece a essas instruções?"),
    ("grounded",
     "How free is the answer of hallucination: text that is fluent but wrong or out of context?",
     "Quão livre de alucinação está a resposta: texto coerente, mas incorreto ou fora de "
     "contexto?"),
    ("gaps",
     "How well does the answer fill the gaps of the prompt and resolve its ambiguities?",
     "Quão bem a resposta preenche as lacunas do prompt e resolve suas ambiguidades?"),
    ("bias",
     "How coherent is the answer's bias with the bias (or its absence) in the user's prompt?",
     "Quão coerente é o viés da resposta com o viés (ou a falta dele) do prompt do usuário?"),
    ("relevance",
     "How pertinent and relevant are the topics the answer chose to address?",
     "Quão pertinentes e relevantes são os tópicos que a resposta escolheu abordar?"),
    ("breadth",
     "How broad and deep is the answer's treatment of those topics?",
     "Qual a amplitude e a profundidade da abordagem desses tópicos na resposta?"),
    ("precision",
     "How precise is the answer, syntactically and semantically?",
     "Qual a precisão sintática e semântica da resposta?"),
    ("expectations",
     "How well do the answer's structure and content meet (or exceed) what the user expected?",
     "Quão bem a estrutura e o conteúdo da resposta atendem (ou superam) o que o usuário "
     "esperava?"),
)


class RubricError(InputError):
    """A rubric that cannot be used: no criteria, keys repeated or not names, a scale that
    does not go up."""


@dataclass(frozen=True)
class Criterion:
    key: str  # a JSON property name: letters, digits and underscores
    question: str


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    low: int = 1
    high: int = 5

    def __post_init__(self) -> None:
        keys = [c.key for c in self.criteria]
        if not keys:
            raise RubricError("A rubric needs at least one criterion.")
        if len(set(keys)) != len(keys) or "reason" in keys:
            raise RubricError(f"A rubric's criteria need distinct keys other than 'reason': "
                             f"{', '.join(keys)}.")
        if not all(k.isidentifier() and k.isascii() for k in keys):
            raise RubricError(f"A criterion's key is a name of letters, digits and underscores: "
                             f"{', '.join(keys)}.")
        if not self.low < self.high:
            raise RubricError(f"A rubric's scale goes up: {self.low} to {self.high} does not.")

    def to_dict(self) -> dict[str, Any]:
        """As stored with each judgement: the criteria in order, and the scale."""
        return {"criteria": [[c.key, c.question] for c in self.criteria],
                "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Judgement:
    """What a judge said of one answer: a score per criterion and its reason, or, when its
    answer could not be read as that, ``problem`` (and no scores)."""

    scores: Mapping[str, int] | None
    reason: str
    problem: str | None = None

    @property
    def malformed(self) -> bool:
        return self.problem is not None


def seed_rubric(lang: str = "en") -> Rubric:
    """The predecessor's criteria, in ``lang`` ("en" or "pt"), on a scale of 1 to 5."""
    column = {"en": 1, "pt": 2}[lang]
    return Rubric(tuple(Criterion(row[0], row[column]) for row in SEED_CRITERIA))


def judgement_schema(rubric: Rubric) -> dict[str, Any]:
    """The JSON schema a judge's answer is held to: its reason first (a judge that says why
    before it scores scores better, and a small one writes a sentence instead of filler), then
    every criterion's score. The scores are an enum: llama.cpp's schema converter does not bound
    an integer's minimum and maximum (a small judge wrote 1, 2, 3, ... 9 on a scale to 5)."""
    score = {"enum": list(range(rubric.low, rubric.high + 1))}
    # one line of plain text: a new line would meet a base model's stop at a paragraph's end
    properties: dict[str, Any] = {"reason": {
        "type": "string", "pattern": rf'^[^"\\\n\r]{{0,{MAX_REASON_CHARS}}}$'}}
    properties.update({c.key: dict(score) for c in rubric.criteria})
    return {"type": "object", "properties": properties,
            "required": ["reason", *(c.key for c in rubric.criteria)],
            "additionalProperties": False}


def judge_prompt(rubric: Rubric, prompt: str, answer: str) -> str:
    """What a judge model is asked: the prompt, the answer, the questions and the form."""
    questions = "\n".join(f"- {c.key}: {c.question}" for c in rubric.criteria)
    form = ", ".join(f'"{c.key}": <score>' for c in rubric.criteria)
    return (f"Judge the ANSWER to the PROMPT below. Score each criterion from {rubric.low} "
            f"(worst) to {rubric.high} (best):\n{questions}\n\n"
            f"PROMPT:\n{prompt}\n\nANSWER:\n{answer}\n\n"
            f'Reply with JSON only: {{"reason": "<one or two sentences>", {form}}}')


def pair_prompt(prompt: str, first: str, second: str) -> str:
    """What a judge is asked to compare two answers (shown as A and B, in this order); its
    answer is held to :func:`~samantha.core.verdict.verdict_schema` of ``PAIR``."""
    return (f"Two assistants answered the PROMPT below. Which ANSWER is better: more "
            f"faithful to the prompt, more correct, clearer? Judge the content, not the order "
            f"or the length.\n\nPROMPT:\n{prompt}\n\nANSWER A:\n{first}\n\n"
            f"ANSWER B:\n{second}\n\n"
            'Reply with JSON only: {"winner": "A" or "B" or "tie", "scores": {"A": <0-10>, '
            '"B": <0-10>}, "reason": "<one sentence>"}')


#: The names two answers are shown under when a judge compares them.
PAIR = ("A", "B")


def read_judgement(rubric: Rubric, text: str) -> Judgement:
    """A judge's answer read strictly (see the module's docstring)."""
    try:  # a raw new line inside the reason is allowed: llama.cpp's JSON grammar lets it through
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        cut = "; it may have been cut off" if text.strip().startswith("{") else ""
        return Judgement(None, "", f"the judgement is not JSON ({exc.msg}{cut})")
    except RecursionError:  # a judge without the schema's grammar may write anything
        return Judgement(None, "", "the judgement nests too deep to be read")
    if not isinstance(data, dict):
        return Judgement(None, "", f"the judgement is a JSON {type(data).__name__}, not an "
                                   "object")
    scores: dict[str, int] = {}
    for criterion in rubric.criteria:
        value = data.get(criterion.key)
        if value is None:
            return Judgement(None, "", f"the judgement has no score for {criterion.key}")
        if isinstance(value, bool) or not isinstance(value, int) \
                or not rubric.low <= value <= rubric.high:
            return Judgement(None, "", f"the score for {criterion.key} is {value!r}, not a "
                                       f"whole number from {rubric.low} to {rubric.high}")
        scores[criterion.key] = value
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        return Judgement(None, "", "the judgement's reason is not text")
    return Judgement(scores, reason[:MAX_REASON_CHARS])


def rubric_from_table(data: object, where: str) -> Rubric:
    """A rubric from a chain file's table (or a rubric file), e.g.::

        [judge.rubric]
        scale = [1, 5]
        criteria = { clarity = "Is it clear?", truth = "Is it true?" }

    (the criteria in the file's order). Anything else is refused in one line naming ``where``."""
    if not isinstance(data, dict):
        raise RubricError(f"{where}: a rubric is a table with criteria (and a scale), such as "
                          'criteria = { clarity = "Is it clear?" }.')
    unknown = sorted(set(data) - {"criteria", "scale"})
    if unknown:
        raise RubricError(f"{where}: unknown key {unknown[0]!r} in the rubric (it has criteria "
                          "and scale).")
    criteria = data.get("criteria")
    if not isinstance(criteria, dict) or not criteria:
        raise RubricError(f"{where}: the rubric's criteria are a table of questions, such as "
                          'criteria = { clarity = "Is it clear?" }.')
    if len(criteria) > MAX_CRITERIA:
        raise RubricError(f"{where}: the rubric has {len(criteria)} criteria; at most "
                          f"{MAX_CRITERIA} (a judge scores every one of them).")
    for key, question in criteria.items():
        if not isinstance(question, str) or not question.strip() \
                or len(question) > MAX_QUESTION_CHARS:
            raise RubricError(f"{where}: criterion {key!r} needs a question of 1 to "
                              f"{MAX_QUESTION_CHARS} characters.")
    scale = data.get("scale", [1, 5])
    lowest, highest = SCALE_BOUNDS
    if not (isinstance(scale, list) and len(scale) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
            and lowest <= scale[0] < scale[1] <= highest):
        raise RubricError(f"{where}: the rubric's scale is two whole numbers going up, within "
                          f"{lowest} to {highest}, such as scale = [1, 5]; not {scale!r}.")
    try:
        return Rubric(tuple(Criterion(k, q.strip()) for k, q in criteria.items()), *scale)
    except RubricError as exc:
        raise RubricError(f"{where}: {exc}") from None


#: A chain file's ``[judge]`` keys.
JUDGE_KEYS = ("models", "rubric", "pairwise")


class JudgeRule:
    """A chain file's ``[judge]``: the judges that score the run's answers when they are done,
    e.g. ``models = ["smollm2"]``, ``rubric = "seed-pt"`` (a name, see ``samantha judge
    --rubric``) or a ``[judge.rubric]`` table, ``pairwise = true``. Checked, kept as plain
    values (stored with the run)."""

    def check(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Refused('must be a table such as [judge] with models = ["smollm2"], got '
                          f"{shown(value)}")
        if not value:  # no judges: nothing is judged after the run
            return {}
        unknown = sorted(set(value) - set(JUDGE_KEYS))
        if unknown:
            raise Refused(f"has no key {unknown[0]!r}; it has {', '.join(JUDGE_KEYS)}")
        try:
            models = TextList("judge models", '["smollm2"]').check(value.get("models", []))
        except Refused as exc:
            raise Refused(f"models {exc.phrase}") from None
        try:
            pairwise = Switch().check(value.get("pairwise", False))
        except Refused as exc:
            raise Refused(f"pairwise {exc.phrase}") from None
        models = tuple(dict.fromkeys(m.strip() for m in models if m.strip()))
        if not models:
            raise Refused('needs models = ["…"]: the judge models (a panel when several)')
        rubric = value.get("rubric", "seed")
        if isinstance(rubric, dict):
            try:
                read = rubric_from_table(rubric, "[judge.rubric]")
            except RubricError as exc:
                raise Refused(str(exc).rstrip(".")) from None
            rubric = {"criteria": {c.key: c.question for c in read.criteria},
                      "scale": [read.low, read.high]}
        elif not isinstance(rubric, str) or not rubric.strip():
            raise Refused("rubric is a name (seed, seed-pt, a kept rubric) or a "
                          f"[judge.rubric] table, not {shown(rubric)}")
        return {"models": list(models), "rubric": rubric, "pairwise": pairwise}


