"""The `mirror` command: serve the offline mirror of www.osce.org until Ctrl-C."""

from __future__ import annotations

import time

import click

from osce_scrape.cli.common import CommandError, logging_options, say, setup_logging


@click.command("mirror")
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
            if not quiet:
                message = f"{served} at {server.base_url}/press-releases?page=0 (synthetic; Ctrl-C stops)"
                say("mirror", message, log_json=log_json)
            while True:
                time.sleep(3600)
    except RuntimeError as exc:  # the port is taken, or the server could not start
        raise CommandError("mirror", f"port {port}: {exc}") from exc
    except KeyboardInterrupt:
        answered = len(server.request_log) if server is not None else 0
        if not quiet:
            say("mirror", f"stopped after {answered} requests", log_json=log_json)
