"""Hypothesis strategies for small random scenarios (as plain dicts, before validation)."""

from hypothesis import strategies as st

VALUES = st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0])


@st.composite
def scenarios(draw, max_issues=4, max_options=4, max_parties=4, ordering_rules=True):
    n_issues = draw(st.integers(1, max_issues))
    issues = {}
    for k in range(n_issues):
        kind = draw(st.sampled_from(["ordinal", "categorical", "boolean"]))
        if kind == "boolean":
            issues[f"i{k}"] = {"kind": "boolean"}
        else:
            n = draw(st.integers(2, max_options))
            issues[f"i{k}"] = {"kind": kind, "options": [f"o{k}_{j}" for j in range(n)]}

    def options_of(issue_id):
        spec = issues[issue_id]
        return spec["options"] if spec["kind"] != "boolean" else ["false", "true"]

    def atom():
        issue_id = draw(st.sampled_from(sorted(issues)))
        options = options_of(issue_id)
        ordered = issues[issue_id]["kind"] != "categorical" and ordering_rules
        op = draw(st.sampled_from(["==", "!=", "in"] + (["<=", ">"] if ordered else [])))
        if op == "in":
            chosen = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True))
            return f"{issue_id} in [{', '.join(chosen)}]"
        return f"{issue_id} {op} {draw(st.sampled_from(options))}"

    def rule():
        shape = draw(st.sampled_from(["atom", "and", "implies", "not"]))
        if shape == "atom":
            return atom()
        if shape == "and":
            return f"({atom()}) and ({atom()})"
        if shape == "not":
            return f"not ({atom()})"
        return f"{atom()} -> {atom()}"

    n_parties = draw(st.integers(1, max_parties))
    parties = {}
    for p in range(n_parties):
        weighted = draw(st.lists(st.sampled_from(sorted(issues)), min_size=1, unique=True))
        weights = {issue_id: draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])) for issue_id in weighted}
        values = {
            issue_id: {option: draw(VALUES) for option in options_of(issue_id)}
            for issue_id in weighted
        }
        red_lines = [{"id": f"p{p}_r{r}", "rule": rule()} for r in range(draw(st.integers(0, 2)))]
        parties[f"p{p}"] = {
            "role": draw(st.sampled_from(["signatory", "signatory", "guarantor", "observer"])),
            "weights": weights,
            "values": values,
            "reservation": draw(st.sampled_from([0.0, 0.2, 0.4, 0.6])),
            "power": draw(st.sampled_from([1.0, 1.0, 2.0])),
            "red_lines": red_lines,
        }
    proposals = {}
    for q in range(draw(st.integers(0, 2))):
        fixed = draw(st.lists(st.sampled_from(sorted(issues)), min_size=1, unique=True))
        proposals[f"q{q}"] = {
            "choices": {issue_id: draw(st.sampled_from(options_of(issue_id))) for issue_id in fixed}
        }
    return {"title": "random", "issues": issues, "parties": parties, "proposals": proposals}
