"""The bounds on GBNF grammars, as tables: real grammars pass, each bound refuses just past
its limit with one line that names it, and malformed text is left to llama.cpp's parser."""

from __future__ import annotations

import pytest

from samantha.core.errors import SettingsError
from samantha.core.grammar_bounds import (
    MAX_ELEMENTS,
    MAX_GRAMMAR_BYTES,
    MAX_GROUP_DEPTH,
    MAX_REPEAT,
    MAX_RULES,
    MAX_START_CHAIN,
    MAX_START_WAYS,
    GrammarBoundError,
    check_grammar,
)
from samantha.core.settings import Settings

#: Grammars as people write them (llama.cpp's grammars/ are of this kind).
JSON_LIKE = r"""
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws
object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
array  ::= "[" ws ( value ("," ws value)* )? "]" ws
string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
ws ::= | " " | "\n" [ \t]{0,20}    # a comment
"""
ARITHMETIC = """root ::= (expr "=" ws term "\\n")+
expr  ::= term ([-+*/] term)*
term  ::= ident | num | "(" ws expr ")" ws
ident ::= [a-z] [a-z0-9_]* ws
num   ::= [0-9]+ ws
ws    ::= [ \\t\\n]*
"""
LIST = ('root ::= item+\n# Excludes various line break characters\n'
        'item ::= "- " [^\\r\\n\\x0b\\x0c\\x85\\u2028\\u2029]+ "\\n"\n')
TOKENS = 'root ::= <think> thinking </think> .*\nthinking ::= !</think>*\n'


def nested(depth: int) -> str:
    return "root ::= " + "(" * depth + '"a"' + ")" * depth + "\n"


def chain(length: int, lead: str = "") -> str:
    """``length`` rules, each starting with the next (after ``lead``)."""
    rules = "".join(f"r{i} ::= {lead}r{i + 1}\n" for i in range(length - 1))
    return f"root ::= r0\n{rules}r{length - 1} ::= \"a\"\n"


def doubling(levels: int) -> str:
    """Each rule starts with the next in two ways: 2 ** levels ways to begin."""
    rules = "".join(f'r{i} ::= r{i + 1} "a" | r{i + 1} "b"\n' for i in range(levels))
    return f"root ::= r0\n{rules}r{levels} ::= \"c\"\n"


def enum(values: int) -> str:
    return "root ::= " + " | ".join(f'"v{i}"' for i in range(values)) + "\n"


def refusal(text: str) -> str:
    with pytest.raises(GrammarBoundError) as caught:
        check_grammar(text)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("grammar: ")
    return message


@pytest.mark.parametrize("text", [
    JSON_LIKE, ARITHMETIC, LIST, TOKENS, 'root ::= "yes" | "no"', 'root ::= "a"{0,2000}',
    nested(MAX_GROUP_DEPTH), chain(MAX_START_CHAIN - 1), chain(10_000, lead='"x" '),
    doubling(12), enum(MAX_START_WAYS), "root ::= " + '"a"? ' * 3000,
    'root ::= "' + "b" * 490 + '"{2000}', 'root ::= x\nx ::= "a" x | ""',
], ids=["json", "arithmetic", "list", "tokens", "yes-no", "repeat-2000", "deepest-groups",
        "longest-chain", "chain-after-a-terminal", "4096-ways", "enum-4096", "optionals",
        "long-string-repeated", "right-recursion-that-can-be-empty"])
def test_real_and_largest_allowed_grammars_pass(text: str) -> None:
    check_grammar(text)  # no error


@pytest.mark.parametrize("text, words", [
    ("root ::= " + '"a" ' * (MAX_GRAMMAR_BYTES // 4), [f"above the limit of {MAX_GRAMMAR_BYTES}",
                                                      "MAX_GRAMMAR_BYTES"]),
    (nested(MAX_GROUP_DEPTH + 1), [f"more than {MAX_GROUP_DEPTH} deep", "MAX_GROUP_DEPTH",
                                   "line 1, column 2010"]),
    (nested(20_000), ["MAX_GROUP_DEPTH", "Give inner groups rules of their own"]),
    (chain(MAX_START_CHAIN + 2), [f"more than {MAX_START_CHAIN} rules", "MAX_START_CHAIN"]),
    ("root ::= a\n" + "a ::= " + "() " * MAX_RULES, [f"more than {MAX_RULES} rules",
                                                     "MAX_RULES"]),
    (doubling(13), ["8192 ways", "MAX_START_WAYS", "Factor the shared start out"]),
    (doubling(200), ["more than 10^18 ways", "MAX_START_WAYS"]),
    (enum(MAX_START_WAYS + 1), [f"{MAX_START_WAYS + 1} ways", "MAX_START_WAYS"]),
    (f'root ::= "a"{{0,{MAX_REPEAT + 1}}}', [f"{MAX_REPEAT + 1} times", "{0,2001}",
                                             "MAX_REPEAT", "line 1, column 13"]),
    ('root ::= "a"{100000}', ["100000 times", "MAX_REPEAT"]),
    ('root ::= [a-z]{3,99999999999999999999}', ["MAX_REPEAT"]),
    ('root ::= "' + "b" * 3000 + '"{2000}', [f"more than {MAX_ELEMENTS} elements",
                                             "MAX_ELEMENTS"]),
    ('root ::= root "x" | "y"', ["rule root (line 1, column 6) can start with itself",
                                 "left recursion"]),
    ('root ::= a "x"\na ::= b a "y" | "z"\nb ::= c\nc ::= "q" |\n',
     ["rule a (line 2, column 3) can start with itself", "rules that can be empty"]),
    ('root ::= ("a"? root "b")*', ["can start with itself"]),
    ('root ::= x\nx ::= "" x | "a"', ["rule x", "can start with itself"]),
])
def test_each_bound_refuses_with_one_line_naming_it(text: str, words: list[str]) -> None:
    message = refusal(text)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("text", [
    "", "root ::= (((", "))) root ::=", 'root ::= "unterminated', "root ::= [abc",
    "root ::= {", "root ::= x{3", "text before ::= any rule", "::= ::=", "root ::= <", "|||",
    "root ::= a\n", 'root ::= "a"\nroot ::= "b"', "root ::= \x00", "# only a comment",
])
def test_malformed_grammars_are_left_to_llama_cpps_parser(text: str) -> None:
    check_grammar(text)  # llama.cpp says what is wrong, with a position


def test_the_scan_is_not_recursive() -> None:
    """Chains and nesting far past Python's recursion limit (1000) are walked, not recursed."""
    check_grammar(chain(MAX_START_CHAIN - 1))
    check_grammar(nested(MAX_GROUP_DEPTH))
    with pytest.raises(GrammarBoundError):
        check_grammar("root ::= r0\n" + "".join(f"r{i} ::= r{i + 1}\n" for i in range(9000))
                      + 'r9000 ::= "a"\n')


def test_every_grammar_setting_is_checked() -> None:
    """Settings from any front end, chain file or stored run go through the one check."""
    with pytest.raises(SettingsError, match="MAX_GROUP_DEPTH"):
        Settings(grammar=nested(20_000))
    with pytest.raises(SettingsError, match="MAX_START_WAYS"):
        Settings().replace(grammar=doubling(20))
    with pytest.raises(SettingsError, match="MAX_GRAMMAR_BYTES"):
        Settings.from_dict({"grammar": "root ::= " + '"a"' * MAX_GRAMMAR_BYTES})
    assert Settings(grammar=JSON_LIKE).grammar == JSON_LIKE


def test_the_message_can_name_what_wrote_the_grammar() -> None:
    with pytest.raises(GrammarBoundError) as caught:
        check_grammar(enum(5000), "json_schema: the grammar written for it")
    assert str(caught.value).startswith("json_schema: the grammar written for it: one place")
