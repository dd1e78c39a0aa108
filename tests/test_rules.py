import re

import numpy as np
import pytest

from sim import rules
from sim.rules import And, Compare, Implies, IssueDomain, Member, Not, Or

DOMAINS = {
    "border": IssueDomain("border", "ordinal", ("current_line", "buffer_zone", "full_withdrawal")),
    "colour": IssueDomain("colour", "categorical", ("red", "green", "blue")),
    "peacekeepers": IssueDomain("peacekeepers", "boolean", ("false", "true")),
    "cap": IssueDomain(
        "cap", "continuous", ("0", "250", "500"), values=(0.0, 250.0, 500.0), bounds=(0.0, 500.0)
    ),
}
ORDER = list(DOMAINS)


def evaluate(text, **choices):
    predicate = rules.compile_rule(rules.parse(text), DOMAINS, ORDER)
    columns = [np.array([choices.get(issue, 0)]) for issue in ORDER]
    return bool(predicate(columns)[0])


def test_parses_comparison_membership_and_connectives():
    assert rules.parse("border != full_withdrawal") == Compare("border", "!=", "full_withdrawal")
    assert rules.parse("colour not in [red, 'green']") == Member("colour", ("red", "green"), True)
    assert rules.parse("not a == b and c == d or e == f") == Or(
        (And((Not(Compare("a", "==", "b")), Compare("c", "==", "d"))), Compare("e", "==", "f"))
    )


def test_implication_is_right_associative_and_binds_loosest():
    assert rules.parse("a == x -> b == y -> c == z") == Implies(
        Compare("a", "==", "x"), Implies(Compare("b", "==", "y"), Compare("c", "==", "z"))
    )
    assert rules.parse("a == x or b == y -> c == z") == Implies(
        Or((Compare("a", "==", "x"), Compare("b", "==", "y"))), Compare("c", "==", "z")
    )


def test_option_ids_may_start_with_digits_and_numbers_are_numbers():
    assert rules.parse("army_cap == 800k_peacetime").value == "800k_peacetime"
    assert rules.parse("cap <= 600").value == 600.0
    assert rules.parse("cap > -1.5e2").value == -150.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "non-empty"),
        ("border ==", "expected a value"),
        ("border >> x", "expected a value"),
        ("== x", "expected an issue id"),
        ("(border == x", "expected ')'"),
        ("border == x y", "unexpected 'y'"),
        ("border = x", "unexpected character '='"),
        ("border == x and", "expected an issue id"),
        ("border in (x)", "expected '['"),
    ],
)
def test_malformed_rules_are_rejected_with_a_reason(text, message):
    with pytest.raises(rules.RuleSyntaxError, match=re.escape(message)):
        rules.parse(text)


def test_deep_nesting_and_long_rules_are_refused():
    with pytest.raises(rules.RuleSyntaxError, match="deeper"):
        rules.parse("(" * 200 + "a == b" + ")" * 200)
    with pytest.raises(rules.RuleSyntaxError, match="longer"):
        rules.parse("a == b or " * 1000 + "a == b")


def test_unknown_issue_and_option_name_the_closest_valid_one():
    with pytest.raises(rules.RuleReferenceError, match="unknown issue 'bordr' .closest: 'border'"):
        rules.check(rules.parse("bordr == current_line"), DOMAINS)
    with pytest.raises(rules.RuleReferenceError, match="closest: 'buffer_zone'"):
        rules.check(rules.parse("border == bufer_zone"), DOMAINS)


def test_categorical_issues_refuse_ordering():
    with pytest.raises(rules.RuleReferenceError, match="categorical"):
        rules.check(rules.parse("colour < green"), DOMAINS)


def test_continuous_issues_compare_numbers_within_range():
    with pytest.raises(rules.RuleReferenceError, match="continuous"):
        rules.check(rules.parse("cap == big"), DOMAINS)
    with pytest.raises(rules.RuleReferenceError, match="outside the range"):
        rules.check(rules.parse("cap <= 900"), DOMAINS)


def test_ordinal_comparisons_follow_option_order():
    assert evaluate("border >= buffer_zone", border=2)
    assert evaluate("border >= buffer_zone", border=1)
    assert not evaluate("border >= buffer_zone", border=0)
    assert evaluate("border < full_withdrawal", border=1)


def test_boolean_words_and_continuous_values():
    assert evaluate("peacekeepers == true", peacekeepers=1)
    assert evaluate("peacekeepers == no", peacekeepers=0)
    assert evaluate("cap <= 250", cap=1)
    assert not evaluate("cap <= 250", cap=2)


def test_implication_holds_unless_antecedent_true_and_consequent_false():
    text = "peacekeepers == false -> border == current_line"
    assert evaluate(text, peacekeepers=0, border=0)
    assert not evaluate(text, peacekeepers=0, border=1)
    assert evaluate(text, peacekeepers=1, border=2)


def test_predicates_broadcast_over_columns():
    predicate = rules.compile_rule(
        rules.parse("border == current_line or colour in [blue]"), DOMAINS, ORDER
    )
    columns = [np.array([[0], [1]]), np.array([[0, 2]]), np.zeros(1, int), np.zeros(1, int)]
    assert predicate(columns).tolist() == [[True, True], [False, True]]
    assert predicate.issues == frozenset({0, 1})
