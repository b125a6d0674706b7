"""The command line: parses arguments, sets up logging, calls the pipeline, maps errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from osce_scrape import __version__
from osce_scrape.cli_common import logging_options, setup_logging
from osce_scrape.cli_dataset import card_command, export_command, report_command
from osce_scrape.cli_harvest import (
    check_base_url,
    check_languages,
    check_out,
    check_rate,
    check_share,
    check_since,
    check_user_agent,
    run_crawl,
)
from osce_scrape.cli_mirror import mirror_command
from osce_scrape.exit_codes import DEFAULT_DRIFT_THRESHOLD, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK
from osce_scrape.fetch import DEFAULT_USER_AGENT, FetchConfig
from osce_scrape.harvest import Discovery, HarvestConfig
from osce_scrape.models import record_schema
from osce_scrape.output import atomic_writer
from osce_scrape.pipeline import parse_paths
from osce_scrape.politeness import is_live_site


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osce-scrape")
def cli() -> None:
    """Turn the OSCE's press releases (www.osce.org) into a validated JSONL dataset."""


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    default="-",
    show_default=True,
    help="JSONL file for the records; - for stdout.",
)
@logging_options
def parse_command(paths: tuple[Path, ...], output: str, verbose: int, quiet: bool, log_json: bool) -> None:
    """Parse saved pages (.html, .htm, .txt; folders recursively) into JSON lines.

    WARC archives (.warc, .warc.gz, as a crawl writes to OUT/archive/) give the newest
    200 HTML response of each URL: osce-scrape parse output/archive/ re-derives the dataset.

    Rejected pages go, as {"path", "reason", "error"} lines, to OUTPUT.rejects.jsonl (stderr when
    OUTPUT is -).
    Exit 0 when every page parsed, 1 when some were rejected.

    Example: osce-scrape parse fixtures/pages -o output/fixtures.jsonl
    """
    setup_logging(verbose, quiet, log_json)
    if output == "-":
        summary = parse_paths(paths, sys.stdout, sys.stderr)
    else:
        out = Path(output)
        rejects_path = (
            out.with_name(out.name + ".rejects.jsonl")
            if out.suffix != ".jsonl"
            else out.with_suffix(".rejects.jsonl")
        )
        try:
            with atomic_writer(out) as records, atomic_writer(rejects_path) as rejects:
                summary = parse_paths(paths, records, rejects)
        except OSError as exc:  # a folder that cannot be made or written, a full disk
            raise click.ClickException(f"cannot write {out} (and {rejects_path.name}): {exc}") from exc
    click.echo(f"osce-scrape parse: {summary.line()}", err=True)
    sys.exit(EXIT_INCOMPLETE if summary.rejected else EXIT_OK)


@cli.command("evaluate")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--show-failures", is_flag=True, help="List every wrong field of every page.")
def evaluate_command(folder: Path, show_failures: bool) -> None:
    """Score the parser on pages with expected records (NAME.html + NAME.expected.json).

    Prints per-field accuracy, body token-F1, chrome leaks and non-articles rejected.

    Example: osce-scrape evaluate fixtures/pages
    """
    from osce_scrape.evaluate import evaluate

    scores = evaluate(folder)
    click.echo(scores.table())
    if show_failures:
        for page in scores.pages:
            if page.wrong_fields or page.rejected != page.expected_rejected or page.leaks:
                click.echo(f"\n{page.page}: {page.error or ''}")
                for name, (want, got) in page.wrong_fields.items():
                    click.echo(f"  {name}: expected {want!r}\n  {' ' * len(name)}  got      {got!r}")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a record.

    Example: osce-scrape schema > record.schema.json
    """
    click.echo(json.dumps(record_schema(), indent=2))


@cli.command("crawl")
@click.option(
    "--base-url",
    default="https://www.osce.org",
    show_default=True,
    callback=check_base_url,
    help="Root of the site to crawl; point it at a mirror (http://127.0.0.1:8080).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    callback=check_out,
    help="Output folder: dataset, runs/, rejects, archive/, state.",
)
@click.option(
    "--discover",
    "discovery",
    type=click.Choice(["listing", "sitemap", "rss"]),
    default="listing",
    show_default=True,
    help="Where URLs come from: the paged listing, sitemap.xml, or rss.xml.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=check_since,
    help="Ignore items older than this date (YYYY-MM-DD); the listing stops there.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    help="Read at most N listing pages per language (or N sitemaps).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    callback=check_rate,
    help="Requests per second to the host; 0 means unlimited (mirrors only).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--user-agent",
    default=DEFAULT_USER_AGENT,
    show_default=True,
    callback=check_user_agent,
    help="User-Agent header: name the tool and a contact.",
)
@click.option(
    "--recheck-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Revalidate items this recent (conditional requests) to catch edits.",
)
@click.option(
    "--languages",
    default="en",
    show_default=True,
    callback=check_languages,
    help="Listings to walk, by language prefix (en,ru,fr: /ru/press-releases).",
)
@click.option(
    "--parse-processes",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Parse and archive in N worker processes (0: in threads beside the crawl). Faster on "
    "several cores, at about 100 MB of memory per process.",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Circuit breaker: stop (exit 3) after N pages in a row fail after their retries; 0: never.",
)
@click.option(
    "--drift-threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_DRIFT_THRESHOLD,
    show_default=True,
    callback=check_share,
    help="Exit 6 (drift) when more than this share of the fetched pages (10 or more) is rejected.",
)
@click.option("--no-card", is_flag=True, help="Do not rewrite DATASET.md and manifest.json after the run.")
@logging_options
def crawl_command(
    base_url: str,
    out: Path,
    discovery: Discovery,
    since: dt.date | None,
    max_pages: int | None,
    rate: float,
    concurrency: int,
    user_agent: str,
    recheck_days: int,
    languages: tuple[str, ...],
    parse_processes: int,
    max_failures: int,
    drift_threshold: float,
    no_card: bool,
    verbose: int,
    quiet: bool,
    log_json: bool,
) -> None:
    """Harvest the site's press releases into an output folder, politely and incrementally.

    Writes OUT/press_releases.jsonl (the whole dataset, replaced atomically), OUT/runs/<UTC time>.jsonl
    (this run's new or changed records) and .json (its stats), appends OUT/rejects.jsonl, archives every
    response in OUT/archive/*.warc.gz and keeps OUT/state.sqlite so the next run only fetches what is
    new or recent. Exit 0 when every page became a record, 1 when some were rejected or failed;
    3 site unreachable, 4 robots.txt forbids, 5 locked, 6 drift, 7 output not writable, 130 Ctrl-C.

    Example: osce-scrape crawl --base-url http://127.0.0.1:8080 --rate 0 --out output
    """  # fmt: skip
    setup_logging(verbose, quiet, log_json)
    if rate == 0 and is_live_site(base_url):
        raise click.BadParameter("--rate 0 is for mirrors; be polite to the live site", param_hint="--rate")
    config = HarvestConfig(
        fetch=FetchConfig(base_url=base_url, user_agent=user_agent, rate=rate, concurrency=concurrency),
        out=out, discover=discovery, since=since, max_pages=max_pages, recheck_days=recheck_days,
        languages=languages, parse_processes=parse_processes, max_failures=max_failures, card=not no_card,
    )  # fmt: skip
    _stats, code = run_crawl(config, quiet=quiet, log_json=log_json, drift_threshold=drift_threshold)
    sys.exit(code)


@cli.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder of the crawl.",
)
@click.option(
    "--pages",
    type=click.IntRange(1, 100_000),
    default=250,
    show_default=True,
    help="Press releases the mirror serves.",
)
@logging_options
def demo_command(out: Path, pages: int, verbose: int, quiet: bool, log_json: bool) -> None:
    """Start the offline mirror on a free port, crawl it into OUT, stop it, say where the data is.

    Example: osce-scrape demo --out output --pages 250
    """
    from osce_scrape.mirror import MirrorSite, running_mirror  # the mirror is for demos and tests

    setup_logging(verbose, quiet, log_json)
    try:
        site = MirrorSite(pages=pages)
        with running_mirror(site) as server:
            served = (
                f"{len(site.expected_records())} press releases, {len(site.non_article_urls())} other pages"
            )
            click.echo(f"mirror serving {served} at {server.base_url}", err=True)
            config = HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out)
            drift = DEFAULT_DRIFT_THRESHOLD
            stats, code = run_crawl(config, quiet=quiet, log_json=log_json, drift_threshold=drift)
    except KeyboardInterrupt:  # Ctrl-C outside the crawl (which handles its own): the mirror starting
        click.echo("osce-scrape demo: interrupted while the mirror was starting or stopping", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if stats is None:
        sys.exit(code)
    dataset = out / "press_releases.jsonl"
    with dataset.open(encoding="utf-8") as handle:
        total = sum(1 for _ in handle)
    click.echo(f"osce-scrape demo: {stats.line()}")
    click.echo(f"dataset: {dataset} ({total} press releases)")
    click.echo(f"this run: {out / 'runs' / stats.run}.jsonl ({stats.new} new, {stats.changed} changed)")
    click.echo(
        f"rejects: {out / 'rejects.jsonl'} · archive: {out / 'archive'} · state: {out / 'state.sqlite'}"
    )


for command in (export_command, card_command, report_command, mirror_command):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="osce-scrape")
