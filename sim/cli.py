"""The ``negosim`` command: a thin layer over the public API.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the file, field path
and expectation; never a traceback). Anything else escaping is a bug and is left to show
its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

__all__ = ["main"]


class _UsageError(Exception):
    """Bad input the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"negosim: error: {message} (see 'negosim --help')\n")


def _load(path: str) -> Any:
    from sim.io import load_scenario

    return load_scenario(path)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _run(args: argparse.Namespace) -> None:
    from sim.analysis import analyze
    from sim.diagnosis import explain
    from sim.report import analysis_report, blocking_report

    _check_figure_path(args.plot)
    scenario = _load(args.scenario)
    analysis = _space_checked(args.scenario, lambda: analyze(scenario))
    blocking = None
    if not analysis.agreement_exists:
        blocking = _space_checked(args.scenario, lambda: explain(scenario))
    if args.plot:
        from sim import plot

        if blocking is not None:
            _save_figure(plot.blocking_figure(blocking), args.plot)
        else:
            from sim.maps import utility_space

            space = _space_checked(args.scenario, lambda: utility_space(scenario))
            _save_figure(plot.utility_space_figure(space), args.plot)
    if args.json:
        _print_json({**analysis.to_dict(), "blocking": blocking.to_dict() if blocking else None})
        return
    sys.stdout.write(analysis_report(analysis))
    if blocking is not None:
        sys.stdout.write("\n" + blocking_report(blocking))


def _explain(args: argparse.Namespace) -> None:
    from sim.diagnosis import explain
    from sim.report import blocking_report

    scenario = _load(args.scenario)
    blocking = _space_checked(args.scenario, lambda: explain(scenario))
    if args.json:
        _print_json(blocking.to_dict())
    else:
        sys.stdout.write(blocking_report(blocking))


def _evaluate(args: argparse.Namespace) -> None:
    from sim.analysis import evaluate, glossary, parse_package
    from sim.report import evaluation_report

    scenario = _load(args.scenario)
    if args.proposal is not None:
        if args.proposal not in scenario.proposals:
            known = ", ".join(scenario.proposals) or "none"
            raise _UsageError(
                f"{args.scenario}: unknown proposal {args.proposal!r} (proposals: {known})"
            )
        package: Any = scenario.proposals[args.proposal].choices
        title = scenario.proposals[args.proposal].title
    else:
        try:
            package = parse_package(scenario, args.package)
        except ValueError as error:
            raise _UsageError(f"{args.scenario}: --package: {error}") from None
        title = "Package"
    evaluation = _space_checked(args.scenario, lambda: evaluate(scenario, package))
    if args.json:
        _print_json(evaluation.to_dict())
    else:
        sys.stdout.write(evaluation_report(evaluation, glossary(scenario), title))


def _sweep(args: argparse.Namespace) -> None:
    from sim.parameters import ParameterError
    from sim.sweeps import monte_carlo, parse_axis, sweep

    _check_figure_path(args.plot)
    scenario = _load(args.scenario)
    executor = (
        "dask" if args.dask else ("processes" if args.workers and args.workers > 1 else "serial")
    )
    options = dict(
        executor=executor,
        workers=args.workers,
        dask_address=args.dask or None,
        out=args.out,
        resume=args.resume,
        quiet=args.quiet or args.json,
        blocking=args.blocking,
    )
    try:
        if args.monte_carlo is not None:
            if args.param:
                raise ParameterError(
                    "--monte-carlo draws the scenario's declared distributions; "
                    "drop --param or run a design instead"
                )
            drawn = [p for p in scenario.parameters.values() if p.distribution is not None]
            if args.plot and len(drawn) > 2:
                raise ParameterError("--plot draws Monte Carlo runs over one or two parameters")
            result = _space_checked(
                args.scenario,
                lambda: monte_carlo(scenario, args.monte_carlo, seed=args.seed, **options),
            )
        else:
            if not args.param:
                raise ParameterError("give at least one --param PATH=LOW:HIGH[:COUNT]")
            if args.plot and len(args.param) > 2 and args.design != "sobol_indices":
                raise ParameterError(
                    "--plot draws sweeps over one or two parameters, or a sobol_indices design"
                )
            params = {}
            for text in args.param:
                path, _, axis = text.partition("=")
                params[path.strip()] = parse_axis(axis.strip())
            result = _space_checked(
                args.scenario,
                lambda: sweep(
                    scenario, params, design=args.design, n=args.n, seed=args.seed, **options
                ),
            )
    except ParameterError as error:
        raise _UsageError(f"{args.scenario}: {error}") from None
    if args.plot:
        _save_figure(_sweep_figure(scenario, result), args.plot)
    if args.json:
        _print_json(result.to_dict())
        return
    from sim.report import sweep_report

    sys.stdout.write(sweep_report(result))


def _validate(args: argparse.Namespace) -> None:
    from sim.evidence import uncited_records

    scenario = _load(args.scenario)
    for record_id in uncited_records(scenario):
        sys.stderr.write(f"{args.scenario}: warning: evidence record {record_id!r} is not cited\n")
    red_lines = sum(len(party.red_lines) for party in scenario.party_list)
    sys.stdout.write(
        f"{args.scenario}: valid: {len(scenario.issues)} issues, {len(scenario.parties)} parties, "
        f"{red_lines} red lines, {len(scenario.proposals)} proposals, "
        f"{len(scenario.evidence)} evidence records\n"
    )


def _schema(args: argparse.Namespace) -> None:
    from sim.schema import json_schema

    _print_json(json_schema())


def _import_genius(args: argparse.Namespace) -> None:
    from pathlib import Path

    from sim.interop.genius import genius_scenario_data, write_scenario
    from sim.io import scenario_from_data

    output = Path(args.output)
    if output.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise _UsageError(f"{args.output}: the output must end in .yaml, .yml or .json")
    if output.resolve() in {Path(path).resolve() for path in (args.domain, *args.profiles)}:
        raise _UsageError(f"{args.output}: the output would overwrite an input file")
    data = genius_scenario_data(args.domain, args.profiles)
    scenario = scenario_from_data(data, args.domain)
    try:
        write_scenario(data, output)
    except OSError as error:
        raise _UsageError(f"{args.output}: cannot write: {error.strerror or error}") from None
    sys.stdout.write(
        f"{args.output}: {len(scenario.issues)} issues, {len(scenario.parties)} parties "
        f"({', '.join(scenario.parties)})\n"
    )


FIGURE_FORMATS = (".png", ".svg", ".pdf")


def _check_figure_path(path: str | None) -> None:
    """Refuse a figure file name before any work: its extension picks the format."""
    if path is not None and not path.lower().endswith(FIGURE_FORMATS):
        raise _UsageError(f"{path}: a figure file must end in .png, .svg or .pdf")


def _save_figure(figure: Any, path: str) -> None:
    try:
        figure.savefig(path, dpi=150, bbox_inches="tight", pad_inches=0.2)
    except OSError as error:
        raise _UsageError(f"{path}: cannot write the figure: {error.strerror or error}") from None


def _sweep_figure(scenario: Any, result: Any) -> Any:
    """Sobol indices, a parameter plane (two parameters) or a line (one parameter)."""
    from sim import plot
    from sim.analysis import glossary

    labels = glossary(scenario)
    if result.design == "sobol_indices":
        return plot.sensitivity_figure(result, glossary=labels)
    if len(result.parameters) == 2:
        x, y = result.parameters
        return plot.parameter_plane_figure(result, x, y, glossary=labels)
    if len(result.parameters) == 1:
        return plot.parameter_line_figure(result, glossary=labels)
    raise _UsageError("--plot draws sweeps over one or two parameters, or a sobol_indices design")


def _plot(args: argparse.Namespace) -> None:
    from sim import plot

    _check_figure_path(args.output)
    scenario = _load(args.scenario)
    issues = list(scenario.issues)
    if args.kind != "region" and (args.x or args.y):
        raise _UsageError(f"{args.scenario}: --x and --y apply to --kind region only")
    if args.kind != "utility" and args.parties:
        raise _UsageError(f"{args.scenario}: --parties applies to --kind utility only")
    if args.kind == "region":
        from sim.maps import region_map

        for option, issue in (("--x", args.x), ("--y", args.y)):
            if issue is not None and issue not in scenario.issues:
                raise _UsageError(
                    f"{args.scenario}: {option}: unknown issue {issue!r} "
                    f"(issues: {', '.join(issues)})"
                )
        x = args.x or next((i for i in issues if i != args.y), None)
        y = args.y or next((i for i in issues if i != x), None)
        if x is None or y is None or x == y:
            raise _UsageError(
                f"{args.scenario}: a region map needs two different issues (--x, --y)"
            )
        result = _space_checked(args.scenario, lambda: region_map(scenario, x, y))
        figure = plot.region_map_figure(result, color=args.color)
    elif args.kind == "utility":
        from sim.maps import utility_space

        parties = [p.strip() for p in args.parties.split(",")] if args.parties else None
        for party in parties or []:
            if party not in scenario.parties:
                raise _UsageError(
                    f"{args.scenario}: --parties: unknown party {party!r} "
                    f"(parties: {', '.join(scenario.parties)})"
                )
        if parties is not None and (len(parties) < 2 or len(set(parties)) != len(parties)):
            raise _UsageError(f"{args.scenario}: --parties: name two or more different parties")
        space = _space_checked(args.scenario, lambda: utility_space(scenario))
        figure = plot.utility_space_figure(space, parties=parties)
    else:
        from sim.diagnosis import explain

        blocking = _space_checked(args.scenario, lambda: explain(scenario))
        figure = plot.blocking_figure(blocking)
    _save_figure(figure, args.output)


def _simulate(args: argparse.Namespace) -> None:
    from sim.protocols import simulate, simulate_many
    from sim.protocols.transcript import summary_report, transcript

    _check_figure_path(args.plot)
    scenario = _load(args.scenario)
    tactics = dict(_pair(item, "--tactic", "PARTY=TACTIC") for item in args.tactic)
    discount: Any = None
    for item in args.discount:
        if "=" in item:
            party, value = _pair(item, "--discount", "D or PARTY=D")
            discount = {**(discount if isinstance(discount, dict) else {}), party: _number(value)}
        else:
            discount = _number(item)
    common = dict(protocol=args.protocol, tactics=tactics, seed=args.seed, breakdown=args.breakdown)
    try:
        if args.runs is not None:
            summary = _space_checked(
                args.scenario,
                lambda: simulate_many(
                    scenario,
                    runs=args.runs,
                    rounds=args.rounds or 100,
                    workers=args.workers,
                    discount=1.0 if discount is None else discount,
                    **common,
                ),
            )
            report, data = summary_report(summary), summary.to_dict()
        else:
            trace = _space_checked(
                args.scenario,
                lambda: simulate(
                    scenario, rounds=args.rounds, discount=discount, first=args.first, **common
                ),
            )
            report, data = transcript(trace), trace.to_dict()
    except ValueError as error:
        raise _UsageError(f"{args.scenario}: {error}") from None
    if args.plot:
        from sim import plot

        figure = (
            plot.simulation_figure(summary) if args.runs is not None else plot.trace_figure(trace)
        )
        _save_figure(figure, args.plot)
    if args.json:
        _print_json(data)
    else:
        sys.stdout.write(report)


def _pair(item: str, option: str, form: str) -> tuple[str, str]:
    key, sep, value = (part.strip() for part in item.partition("="))
    if not sep or not key or not value:
        raise _UsageError(f"{option}: expected {form}, found {item!r}")
    return key, value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _UsageError(f"--discount: expected a number, found {text!r}") from None


def _space_checked(path: str, work: Callable[[], Any]) -> Any:
    from sim.engine.space import SpaceTooLarge

    try:
        return work()
    except SpaceTooLarge as error:
        raise _UsageError(f"{path}: limits.max_packages: {error}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="negosim",
        description="Analyze negotiation scenarios: agreement regions, Pareto frontiers, "
        "bargaining solutions and how each party judges each proposal.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    run = commands.add_parser("run", help="analyze a scenario and print the report")
    run.add_argument("scenario", help="scenario file (YAML or JSON)")
    run.add_argument("--json", action="store_true", help="print the analysis as JSON")
    run.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the utility space (or, without "
        "agreement, the blocking chart) to FILE (.png, .svg or .pdf)",
    )
    run.set_defaults(handler=_run)

    evaluate = commands.add_parser("evaluate", help="how every party sees one package")
    evaluate.add_argument("scenario", help="scenario file (YAML or JSON)")
    which = evaluate.add_mutually_exclusive_group(required=True)
    which.add_argument("--proposal", metavar="ID", help="a proposal id from the scenario")
    which.add_argument(
        "--package",
        metavar="ISSUE=OPTION,...",
        help="a package, complete or partial: issue=option,...",
    )
    evaluate.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    evaluate.set_defaults(handler=_evaluate)

    explain = commands.add_parser(
        "explain", help="why no deal exists, or what constrains the one that does"
    )
    explain.add_argument("scenario", help="scenario file (YAML or JSON)")
    explain.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    explain.set_defaults(handler=_explain)

    sweep = commands.add_parser(
        "sweep", help="analyze the scenario over a grid, a sampling design or Monte Carlo draws"
    )
    sweep.add_argument("scenario", help="scenario file (YAML or JSON)")
    sweep.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH[:COUNT]",
        help="a dotted path (parties.russia.reservation) or parameter name, and its range; "
        "a named parameter alone uses its declared range (repeatable)",
    )
    sweep.add_argument(
        "--design",
        choices=["grid", "random", "lhs", "sobol", "sobol_indices"],
        default="grid",
        help="how points are chosen (default: grid)",
    )
    sweep.add_argument(
        "--n", type=int, help="number of points for random, lhs, sobol, sobol_indices"
    )
    sweep.add_argument(
        "--monte-carlo",
        type=int,
        metavar="N",
        help="N draws from the distributions the scenario declares",
    )
    runner = sweep.add_mutually_exclusive_group()
    runner.add_argument("--workers", type=int, help="local worker processes (default: serial)")
    runner.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS")
    sweep.add_argument("--out", metavar="FILE", help="stream finished points to FILE (JSON Lines)")
    sweep.add_argument("--resume", action="store_true", help="skip the points already in --out")
    sweep.add_argument("--seed", type=int, default=0, help="seed for sampled designs (default 0)")
    sweep.add_argument(
        "--blocking",
        action="store_true",
        help="also record the minimal conflicts at points without agreement",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--json", action="store_true", help="print every point as JSON")
    sweep.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the sweep to FILE (.png, .svg or "
        ".pdf): a parameter plane for two parameters, a line for one, Sobol indices "
        "for a sobol_indices design",
    )
    sweep.set_defaults(handler=_sweep)

    plot = commands.add_parser(
        "plot", help="draw a figure: region map, utility space or blocking chart"
    )
    plot.add_argument("scenario", help="scenario file (YAML or JSON)")
    plot.add_argument(
        "--kind",
        choices=["region", "utility", "blocking"],
        default="region",
        help="region: where agreement lives over two issues (default); utility: "
        "packages in two parties' utility space; blocking: what keeps the deal out",
    )
    plot.add_argument("--x", metavar="ISSUE", help="region map: issue across (default: the first)")
    plot.add_argument("--y", metavar="ISSUE", help="region map: issue up (default: the next)")
    plot.add_argument(
        "--color",
        choices=["agreements", "nash"],
        default="agreements",
        help="region map: colour cells by acceptable packages or best Nash product",
    )
    plot.add_argument(
        "--parties",
        metavar="PARTY,PARTY[,...]",
        help="utility space: parties to compare (default: the bargaining parties)",
    )
    plot.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="figure file; .png, .svg or .pdf picks the format",
    )
    plot.set_defaults(handler=_plot)

    validate = commands.add_parser("validate", help="check a scenario file and its evidence")
    validate.add_argument("scenario", help="scenario file (YAML or JSON)")
    validate.set_defaults(handler=_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(handler=_schema)

    genius = commands.add_parser(
        "import-genius", help="make a scenario from a GENIUS domain and its profiles"
    )
    genius.add_argument("domain", help="GENIUS domain file (XML)")
    genius.add_argument(
        "profiles",
        nargs="+",
        metavar="profile",
        help="GENIUS profile files (XML), one per party, in party order",
    )
    genius.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="SCENARIO",
        help="scenario file to write (.yaml, .yml or .json)",
    )
    genius.set_defaults(handler=_import_genius)

    simulate = commands.add_parser(
        "simulate", help="play a negotiation protocol on a scenario and print the transcript"
    )
    simulate.add_argument("scenario", help="scenario file (YAML or JSON)")
    simulate.add_argument(
        "--protocol",
        choices=["alternating", "mediator", "rubinstein"],
        default="alternating",
        help="stacked alternating offers (default), "
        "single-text mediation, or Rubinstein's game on a divisible issue",
    )
    simulate.add_argument(
        "--tactic",
        action="append",
        default=[],
        metavar="PARTY=TACTIC",
        help="a party's tactic: boulware, linear (default), conceder, "
        "hardliner, tit_for_tat, or time:e=E,k=K (repeatable)",
    )
    simulate.add_argument(
        "--rounds", type=int, metavar="N", help="deadline in rounds (default 100; rubinstein: none)"
    )
    simulate.add_argument("--seed", type=int, metavar="S", help="seed of the random stream")
    simulate.add_argument(
        "--discount",
        action="append",
        default=[],
        metavar="D",
        help="discount factor per round, for all (D) or one party (PARTY=D); "
        "default 1 (rubinstein: 0.9)",
    )
    simulate.add_argument(
        "--breakdown",
        type=float,
        default=0.0,
        metavar="P",
        help="chance per round that the talks collapse (default 0)",
    )
    simulate.add_argument("--first", metavar="PARTY", help="the party that proposes first")
    simulate.add_argument(
        "--runs",
        type=int,
        metavar="N",
        help="Monte Carlo: play N runs, "
        "parties without --tactic drawing one at random, and summarize",
    )
    simulate.add_argument(
        "--workers", type=int, default=1, metavar="W", help="processes for --runs (default 1)"
    )
    simulate.add_argument(
        "--json", action="store_true", help="print the trace (or summary) as JSON"
    )
    simulate.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the negotiation (or, with "
        "--runs, the summary) to FILE (.png, .svg or .pdf)",
    )
    simulate.set_defaults(handler=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``negosim`` command; returns the exit status."""
    from sim.documents import InputError

    args = _parser().parse_args(argv)
    try:
        args.handler(args)
    except (InputError, _UsageError) as error:
        sys.stderr.write(f"negosim: error: {error}\n")
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
