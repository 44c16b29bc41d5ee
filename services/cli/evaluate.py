"""`tecflow evaluate`: how the alert rules do on a recorded home."""

from __future__ import annotations

from pathlib import Path

import click

from services.cli import main


@main.command()
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "log_format", type=click.Choice(["casas", "z2m-jsonl"]), required=True)
@click.option(
    "--home",
    "home_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="JSON: the home's time zone and each sensor's placement and kind",
)
@click.option(
    "--inject",
    "injections",
    multiple=True,
    metavar="KIND=N",
    help="write N incidents of KIND into the log (no_wake, floor, door_night, wandering)",
)
@click.option("--seed", default=1, show_default=True, help="which days the incidents take")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/evaluate"),
    show_default=True,
    help="where the injected log and its truth file are written",
)
def evaluate(
    log: Path, log_format: str, home_file: Path, injections: tuple[str, ...], seed: int, out: Path
) -> None:
    """Replay a recorded home through the parser, register and processors; print false
    alerts per person-month after the warm-up, and detections of injected incidents."""
    from services.evaluate.logs import LogRejected, load_home
    from services.evaluate.report import minutes
    from services.evaluate.run import evaluate as run_evaluation
    from services.evaluate.run import parse_injections

    try:
        counts = parse_injections(injections)
        home = load_home(home_file)
        result = run_evaluation(log, log_format, home, counts, seed, out)
    except (ValueError, LogRejected) as error:
        raise click.ClickException(str(error)) from error
    report = result.report
    days = (report.end - report.start).total_seconds() / 86400
    click.echo(
        f"{log.name}: {days:.1f} days, {report.person_months:.2f} person-months "
        f"after the 7-day warm-up"
    )
    click.echo(
        "alerts per person-month after the warm-up"
        + (" (outside the incidents)" if counts else "")
        + ":"
    )
    for kind, n in sorted(report.false_alerts.items()):
        click.echo(f"  {kind:<22} {n:>4}  {report.rate(kind):6.1f}")
    if not report.false_alerts:
        click.echo("  none")
    click.echo(
        f"  {'all':<22} {sum(report.false_alerts.values()):>4}  "
        f"{sum(report.false_alerts.values()) / (report.person_months or 1):6.1f}"
    )
    for kind, found in report.detections.items():
        click.echo(
            f"{kind}: {found.detected}/{found.injected} detected, median delay "
            f"{minutes(found.median_delay)}"
        )
    for kind in counts:
        if kind not in report.detections:
            click.echo(f"{kind}: no day of this home fits (see services/evaluate/inject.py)")
