"""The red-line rule language: a safe parser to an AST and vectorized predicates.

A rule is a small boolean formula over issues, for example::

    foreign_forces != mnfu_inside_ukraine
    recognition in [none, de_facto_line_only]
    security_guarantees == us_art5_like_paid
        -> territory_donetsk >= ukr_withdrawal_fez_ukrainian_admin
    not (army_cap < 600 and sanctions == full_lifting_and_ban_on_new)

Grammar (lowest precedence first; ``->`` is right-associative)::

    rule        := implication
    implication := disjunction ( "->" implication )?
    disjunction := conjunction ( "or" conjunction )*
    conjunction := negation ( "and" negation )*
    negation    := "not" negation | atom
    atom        := "(" rule ")" | ISSUE op VALUE | ISSUE ["not"] "in" "[" VALUE ("," VALUE)* "]"
    op          := "==" | "!=" | "<" | "<=" | ">" | ">="

Ordinal issues compare by option order, continuous issues by value, boolean issues by
``false < true``; categorical issues accept only equality and membership. The text is
tokenized and parsed by hand: nothing here ever evaluates user text as Python.

A parsed rule is resolved against the scenario's issues (:func:`check`), then compiled
(:func:`compile_rule`) into a tree of boolean look-up tables over option indices, so that
evaluating it on a block of packages is a handful of numpy gathers and logical operations.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Union

import numpy as np

__all__ = [
    "RuleSyntaxError",
    "RuleReferenceError",
    "IssueDomain",
    "Compare",
    "Member",
    "Not",
    "And",
    "Or",
    "Implies",
    "Rule",
    "parse",
    "issues_in",
    "check",
    "Predicate",
    "compile_rule",
    "MAX_RULE_LENGTH",
    "MAX_RULE_DEPTH",
]

MAX_RULE_LENGTH = 4000
"""Longest rule text accepted, in characters."""
MAX_RULE_DEPTH = 64
"""Deepest nesting of parentheses and operators accepted."""

Value = Union[str, float, bool]
Operator = Literal["==", "!=", "<", "<=", ">", ">="]


class RuleSyntaxError(ValueError):
    """The rule text is not a rule of the language; the message says where and why."""


class RuleReferenceError(ValueError):
    """The rule names an issue or option the scenario does not have, or misuses one."""


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Compare:
    """``issue op value``."""

    issue: str
    op: Operator
    value: Value


@dataclass(frozen=True)
class Member:
    """``issue in [values]`` (or ``not in`` when ``negated``)."""

    issue: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class Not:
    """Logical negation."""

    operand: Rule


@dataclass(frozen=True)
class And:
    """Conjunction of two or more rules."""

    operands: tuple[Rule, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction of two or more rules."""

    operands: tuple[Rule, ...]


@dataclass(frozen=True)
class Implies:
    """``antecedent -> consequent``: holds unless the antecedent holds and the consequent fails."""

    antecedent: Rule
    consequent: Rule


Rule = Union[Compare, Member, Not, And, Or, Implies]

# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<op>->|==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<number>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![A-Za-z0-9_]))
  | (?P<word>[A-Za-z0-9_]+)
  | (?P<quoted>'[^'\n]*'|"[^"\n]*")
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "number", "word", "quoted", "keyword", "end"
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise RuleSyntaxError(
                f"unexpected character {text[position]!r} at column {position + 1}"
            )
        kind = match.lastgroup or ""
        lexeme = match.group()
        if kind != "space":
            if kind == "word" and lexeme.lower() in _KEYWORDS:
                tokens.append(_Token("keyword", lexeme.lower(), position))
            elif kind == "quoted":
                tokens.append(_Token("quoted", lexeme[1:-1], position))
            else:
                tokens.append(_Token(kind, lexeme, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, text: str | None = None) -> _Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = repr(text) if text is not None else kind
            raise RuleSyntaxError(
                f"expected {wanted} at column {token.position + 1}, found {_show(token)}"
            )
        return token

    def descend(self) -> None:
        self.depth += 1
        if self.depth > MAX_RULE_DEPTH:
            raise RuleSyntaxError(f"rule nests deeper than {MAX_RULE_DEPTH} levels")

    def rule(self) -> Rule:
        self.descend()
        left = self.disjunction()
        if self.peek().kind == "op" and self.peek().text == "->":
            self.take()
            right = self.rule()
            left = Implies(left, right)
        self.depth -= 1
        return left

    def disjunction(self) -> Rule:
        operands = [self.conjunction()]
        while self.peek().kind == "keyword" and self.peek().text == "or":
            self.take()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Rule:
        operands = [self.negation()]
        while self.peek().kind == "keyword" and self.peek().text == "and":
            self.take()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Rule:
        if self.peek().kind == "keyword" and self.peek().text == "not":
            self.take()
            self.descend()
            operand = self.negation()
            self.depth -= 1
            return Not(operand)
        return self.atom()

    def atom(self) -> Rule:
        token = self.peek()
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.rule()
            self.expect("op", ")")
            return inner
        if token.kind != "word":
            raise RuleSyntaxError(
                f"expected an issue id at column {token.position + 1}, found {_show(token)}"
            )
        issue = self.take().text
        token = self.take()
        if token.kind == "op" and token.text in ("==", "!=", "<", "<=", ">", ">="):
            return Compare(issue, token.text, self.value())  # type: ignore[arg-type]
        negated = False
        if token.kind == "keyword" and token.text == "not":
            negated = True
            token = self.take()
        if token.kind == "keyword" and token.text == "in":
            self.expect("op", "[")
            values = [self.value()]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                values.append(self.value())
            self.expect("op", "]")
            return Member(issue, tuple(values), negated)
        raise RuleSyntaxError(
            f"expected a comparison (==, !=, <, <=, >, >=, in, not in) after {issue!r} "
            f"at column {token.position + 1}, found {_show(token)}"
        )

    def value(self) -> Value:
        token = self.take()
        if token.kind == "number":
            return float(token.text)
        if token.kind in ("word", "quoted"):
            return token.text
        raise RuleSyntaxError(
            f"expected a value at column {token.position + 1}, found {_show(token)}"
        )


def _show(token: _Token) -> str:
    return "the end of the rule" if token.kind == "end" else repr(token.text)


def parse(text: str) -> Rule:
    """Parse rule text into an AST.

    Raises
    ------
    RuleSyntaxError
        If the text is empty, too long, too deep, or not a rule of the language.
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleSyntaxError("a rule must be non-empty text")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(f"rule is longer than {MAX_RULE_LENGTH} characters")
    parser = _Parser(text)
    rule = parser.rule()
    trailing = parser.peek()
    if trailing.kind != "end":
        raise RuleSyntaxError(
            f"unexpected {_show(trailing)} at column {trailing.position + 1} after a complete rule"
        )
    return rule


def issues_in(rule: Rule) -> tuple[str, ...]:
    """The issue ids a rule mentions, in first-mention order without repeats."""
    seen: dict[str, None] = {}

    def walk(node: Rule) -> None:
        if isinstance(node, (Compare, Member)):
            seen.setdefault(node.issue)
        elif isinstance(node, Not):
            walk(node.operand)
        elif isinstance(node, (And, Or)):
            for operand in node.operands:
                walk(operand)
        else:
            walk(node.antecedent)
            walk(node.consequent)

    walk(rule)
    return tuple(seen)


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class IssueDomain:
    """What a rule needs to know about one issue.

    ``options`` are the option ids in their declared order. For a continuous issue they are
    the enumeration grid written as text and ``values`` holds the numbers; ``bounds`` is the
    issue's range, against which literal numbers in rules are checked.
    """

    id: str
    kind: Literal["ordinal", "categorical", "boolean", "continuous"]
    options: tuple[str, ...]
    values: tuple[float, ...] | None = None
    bounds: tuple[float, float] | None = None


_BOOLEAN_WORDS = {"true": "true", "yes": "true", "false": "false", "no": "false"}


def _closest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.0)
    return f" (closest: {match[0]!r})" if match else ""


def _option_index(domain: IssueDomain, value: Value) -> int:
    """Index of a discrete option named in a rule."""
    text = value if isinstance(value, str) else _number_text(value)
    if domain.kind == "boolean":
        text = _BOOLEAN_WORDS.get(text.lower(), text)
    if text not in domain.options:
        raise RuleReferenceError(
            f"issue {domain.id!r} has no option {text!r}{_closest(text, domain.options)}"
        )
    return domain.options.index(text)


def _number_text(value: float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(int(value)) if float(value).is_integer() else str(value)


def _numeric(domain: IssueDomain, value: Value) -> float:
    if isinstance(value, str):
        raise RuleReferenceError(
            f"issue {domain.id!r} is continuous: compare it with a number, not {value!r}"
        )
    number = float(value)
    if domain.bounds is not None and not domain.bounds[0] <= number <= domain.bounds[1]:
        low, high = domain.bounds
        raise RuleReferenceError(
            f"{_number_text(number)} is outside the range [{_number_text(low)}, "
            f"{_number_text(high)}] of issue {domain.id!r}"
        )
    return number


def _domain(domains: Mapping[str, IssueDomain], issue: str) -> IssueDomain:
    if issue not in domains:
        raise RuleReferenceError(f"unknown issue {issue!r}{_closest(issue, tuple(domains))}")
    return domains[issue]


def _leaf_table(node: Compare | Member, domain: IssueDomain) -> np.ndarray:
    """Boolean table over the issue's options: which options satisfy the atom."""
    continuous = domain.kind == "continuous"
    if continuous:
        assert domain.values is not None
        positions = np.asarray(domain.values, dtype=float)
    else:
        positions = np.arange(len(domain.options), dtype=float)

    def convert(d: IssueDomain, v: Value) -> float:
        return _numeric(d, v) if continuous else float(_option_index(d, v))

    if isinstance(node, Member):
        targets = np.array([convert(domain, value) for value in node.values])
        table = np.isin(positions, targets)
        return ~table if node.negated else table
    if node.op in ("<", "<=", ">", ">=") and domain.kind == "categorical":
        raise RuleReferenceError(
            f"issue {domain.id!r} is categorical: its options have no order, "
            f"so {node.op!r} is meaningless; use ==, !=, in or not in"
        )
    target = convert(domain, node.value)
    comparisons = {
        "==": np.equal,
        "!=": np.not_equal,
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
    result: np.ndarray = comparisons[node.op](positions, target)
    return result


def check(rule: Rule, domains: Mapping[str, IssueDomain]) -> None:
    """Resolve every issue and option a rule names.

    Raises
    ------
    RuleReferenceError
        Naming the unknown issue or option and the closest valid one.
    """
    compile_rule(rule, domains, list(domains))


# --------------------------------------------------------------------------- predicates


@dataclass(frozen=True)
class Predicate:
    """A compiled rule: a tree of option tables evaluated on columns of option indices.

    ``kind`` is ``"leaf"`` (``table[columns[issue]]``), ``"not"``, ``"and"`` or ``"or"``;
    implication is compiled to ``not a or b``.
    """

    kind: Literal["leaf", "not", "and", "or"]
    issue: int = -1
    table: np.ndarray | None = None
    children: tuple[Predicate, ...] = ()

    def __call__(self, columns: Sequence[np.ndarray]) -> np.ndarray:
        """Evaluate on a block of packages given as one option-index column per issue."""
        if self.kind == "leaf":
            assert self.table is not None
            result: np.ndarray = self.table[columns[self.issue]]
            return result
        if self.kind == "not":
            return ~self.children[0](columns)
        combine = np.logical_and if self.kind == "and" else np.logical_or
        result = self.children[0](columns)
        for child in self.children[1:]:
            result = combine(result, child(columns))
        return result

    @property
    def issues(self) -> frozenset[int]:
        """Positions of the issues the predicate reads."""
        if self.kind == "leaf":
            return frozenset((self.issue,))
        return frozenset().union(*(child.issues for child in self.children))


def compile_rule(
    rule: Rule, domains: Mapping[str, IssueDomain], issue_order: Sequence[str]
) -> Predicate:
    """Compile a rule to a :class:`Predicate` over issues numbered by ``issue_order``."""
    position = {issue: index for index, issue in enumerate(issue_order)}

    def build(node: Rule) -> Predicate:
        if isinstance(node, (Compare, Member)):
            domain = _domain(domains, node.issue)
            table = _leaf_table(node, domain)
            table.flags.writeable = False
            return Predicate("leaf", issue=position[node.issue], table=table)
        if isinstance(node, Not):
            return Predicate("not", children=(build(node.operand),))
        if isinstance(node, And):
            return Predicate("and", children=tuple(build(o) for o in node.operands))
        if isinstance(node, Or):
            return Predicate("or", children=tuple(build(o) for o in node.operands))
        negated = Predicate("not", children=(build(node.antecedent),))
        return Predicate("or", children=(negated, build(node.consequent)))

    return build(rule)
