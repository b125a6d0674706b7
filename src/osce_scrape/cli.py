"""The command line: parses arguments, sets up logging, calls the pipeline, maps errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from osce_scrape import __version__
from osce_scrape.card import DATASET_FILE, write_card
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
from osce_scrape.errors import DatasetError
from osce_scrape.exit_codes import DEFAULT_DRIFT_THRESHOLD, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK
from osce_scrape.export import DEFAULT_NAMES, FORMATS, Format, export_file, write_stream
from osce_scrape.fetch import DEFAULT_USER_AGENT, FetchConfig
from osce_scrape.harvest import Discovery, HarvestConfig
from osce_scrape.models import record_schema
from osce_scrape.output import atomic_writer
from osce_scrape.pipeline import parse_paths
from osce_scrape.politeness import is_live_site
from osce_scrape.reader import load

F = TypeVar("F", bound=Callable[..., Any])


class _JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": self.formatTime(record),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
                **({"exception": self.formatException(record.exc_info)} if record.exc_info else {}),
            }
        )


def setup_logging(verbose: int, quiet: bool, log_json: bool) -> None:
    """Diagnostics go to stderr; library modules only log through their own loggers."""
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonLogFormatter() if log_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def logging_options(func: F) -> F:
    """-v/-q/--log-json, meaning the same on every command."""
    func = click.option("--log-json", is_flag=True, help="One JSON object per log line on stderr.")(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")(func)
    func = click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")(
        func
    )
    return func


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


_OUT_DIR_OPTION = click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The output folder (holding press_releases.jsonl).",
)


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@_OUT_DIR_OPTION
@click.option("-o", "--output", help="File to write (default OUT_DIR/press_releases.FORMAT); - for stdout.")
@logging_options
def export_command(
    fmt: Format, out_dir: Path, output: str | None, verbose: int, quiet: bool, log_json: bool
) -> None:
    """Export the dataset, raw values and normalised facets side by side, as JSONL, CSV or Parquet.

    Example: osce-scrape export --format parquet --out-dir output -o press_releases.parquet
    """
    setup_logging(verbose, quiet, log_json)
    target = "stdout" if output == "-" else str(Path(output) if output else out_dir / DEFAULT_NAMES[fmt])
    try:
        records = load(out_dir / DATASET_FILE)
        if output == "-":
            count = write_stream(records, fmt, sys.stdout)
        else:
            count = export_file(records, fmt, Path(target))
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"osce-scrape export: {count} records -> {target}", err=True)


@cli.command("card")
@_OUT_DIR_OPTION
@logging_options
def card_command(out_dir: Path, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write the data card: OUT_DIR/DATASET.md and OUT_DIR/manifest.json (counts, rejects, sha256s).

    Example: osce-scrape card --out-dir output
    """
    setup_logging(verbose, quiet, log_json)
    try:
        manifest = write_card(out_dir)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"osce-scrape card: {manifest['records']} records, {manifest['rejects']['count']} rejects, "
        f"{len(manifest['files'])} files hashed -> {out_dir / 'DATASET.md'}",
        err=True,
    )


@cli.command("report")
@_OUT_DIR_OPTION
@click.option("-o", "--output", help="HTML file to write (default OUT_DIR/report.html); - for stdout.")
@logging_options
def report_command(out_dir: Path, output: str | None, verbose: int, quiet: bool, log_json: bool) -> None:
    """Write a self-contained HTML report with charts (per year, fields of work, sources, places).

    Example: osce-scrape report --out-dir output -o report.html
    """
    setup_logging(verbose, quiet, log_json)
    from osce_scrape.report import build_report  # late: matplotlib adds ~0.4 s to every command

    try:
        page = build_report(load(out_dir / DATASET_FILE))
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "-":
        click.echo(page, nl=False)
        return
    target = Path(output) if output else out_dir / "report.html"
    with atomic_writer(target) as handle:
        handle.write(page)
    click.echo(f"osce-scrape report: {target}", err=True)


@cli.command("mirror")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--pages",
    type=click.IntRange(0, 100_000),
    default=250,
    show_default=True,
    help="Generated press releases served, besides every fixture page.",
)
@click.option(
    "--crawl-delay",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Crawl-delay announced in robots.txt, in seconds (announced only; not enforced).",
)
@click.option("--disallow", multiple=True, help="A path prefix robots.txt disallows (repeatable).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated pages.")
@click.option(
    "--faults",
    "faults_spec",
    metavar="SPEC",
    help='Inject faults, e.g. "429:0.05,503:0.02,reset:0.01,robots-500,first=2,seed=7" '
    "(kinds and options: docs/mirror.md).",
)
@logging_options
def mirror_command(
    port: int,
    pages: int,
    crawl_delay: float,
    disallow: tuple[str, ...],
    seed: int,
    faults_spec: str | None,
    verbose: int,
    quiet: bool,
    log_json: bool,
) -> None:
    """Serve the offline mirror of www.osce.org on 127.0.0.1 until Ctrl-C.

    Listing (/press-releases?page=N), press releases, robots.txt, sitemap.xml, rss.xml.

    Example: osce-scrape mirror --port 8000 --pages 2000, then in another shell:
    osce-scrape crawl --base-url http://127.0.0.1:8000 --rate 0
    """
    import time

    from osce_scrape.mirror import FaultSpec, MirrorSite, running_mirror

    setup_logging(verbose, quiet, log_json)
    try:
        faults = FaultSpec.parse(faults_spec) if faults_spec else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from exc
    site = MirrorSite(pages=pages, crawl_delay=crawl_delay, disallow=list(disallow), seed=seed)
    server = None  # still None when Ctrl-C comes while the server starts
    try:
        with running_mirror(site, port=port, faults=faults) as server:
            served = f"{len(site.articles)} generated + {len(site.fixtures)} fixture pages"
            click.echo(f"osce-scrape mirror: {served} at {server.base_url}", err=True)
            click.echo(f"{server.base_url}/press-releases?page=0  (Ctrl-C stops)", err=True)
            while True:
                time.sleep(3600)
    except RuntimeError as exc:  # the port is taken, or the server could not start
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        answered = len(server.request_log) if server is not None else 0
        click.echo(f"osce-scrape mirror: stopped after {answered} requests", err=True)


def main() -> None:
    cli(prog_name="osce-scrape")
