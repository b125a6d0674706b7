"""What every command shares: logging to stderr (-v, -q, --log-json), --out, and one way to say how a
command ended (one line on stderr, or one JSON object with --log-json)."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from osce_scrape.errors import OutputError

F = TypeVar("F", bound=Callable[..., Any])

# The documented exit codes every command shares (the crawl's full table: exit_codes).
EXIT_FAILED = 1
EXIT_OUTPUT = 7
# OS errors that mean "this output path cannot take our writes", not a bug: exit 7.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG,
                            errno.EIO, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST})  # fmt: skip


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
    """Diagnostics go to stderr, each line with its time; library modules only log through their own
    loggers. -q: errors only (warnings still show: "nothing unless there is an error or a warning")."""
    level = (
        logging.WARNING
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonLogFormatter()
        if log_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def logging_options(func: F) -> F:
    """-v/-q/--log-json, meaning the same on every command."""
    func = click.option(
        "--log-json", is_flag=True, help="One JSON object per line on stderr (errors and summaries too)."
    )(func)
    func = click.option(
        "-q", "--quiet", is_flag=True, help="Nothing on stdout or stderr but warnings and errors."
    )(func)
    func = click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")(
        func
    )
    return func


def out_option(help_text: str, **extra: Any) -> Callable[[F], F]:
    """--out DIR, the output folder, the same on every command that reads or writes one (--out-dir is
    its older spelling, still accepted)."""
    return click.option(
        "--out",
        "--out-dir",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("output"),
        show_default=True,
        help=help_text,
        **extra,
    )


def say(command: str, message: str, *, log_json: bool, level: str = "info", **fields: Any) -> None:
    """One line on stderr: `osce-scrape COMMAND: message`, or a JSON object for log shippers."""
    if log_json:
        line: dict[str, Any] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "logger": f"osce_scrape.{command}",
            "message": message,
            **fields,
        }
        click.echo(json.dumps(line, ensure_ascii=False), err=True)
    else:
        click.echo(f"osce-scrape {command}: {message}", err=True)


class CommandError(click.ClickException):
    """A command could not do its work: one line naming the path and the problem, and its exit code."""

    def __init__(self, command: str, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.command = command
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class


def fail(command: str, message: str, code: int = EXIT_FAILED) -> NoReturn:
    raise CommandError(command, message, code)


def output_error(exc: OSError | OutputError, fallback: Path | str) -> str | None:
    """ "cannot write PATH: problem" for an error of the output path (read-only, missing, full disk);
    None for any other OS error (a bug, to show as one)."""
    if isinstance(exc, OutputError):
        return str(exc)
    if exc.errno not in _OUTPUT_ERRNOS:
        return None
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(fallback) else ""
    return f"cannot write {fallback}: {exc.strerror or exc}{where}"


@contextlib.contextmanager
def writing(command: str, target: Path | str) -> Iterator[None]:
    """Around a command's writes: an output path that cannot be written is exit 7, in one line."""
    try:
        yield
    except (OSError, OutputError) as exc:
        message = output_error(exc, target)
        if message is None:
            raise
        fail(command, message, EXIT_OUTPUT)


def report_click_error(exc: click.ClickException, log_json: bool) -> int:
    """How any command's error looks: click's usage message (usage errors, exit 2), or one line naming
    the problem; one JSON object with --log-json. Returns the exit code."""
    command = exc.command if isinstance(exc, CommandError) else _command_name(exc)
    if log_json:
        say(command, exc.format_message(), log_json=True, level="error", exit_code=exc.exit_code)
    elif isinstance(exc, CommandError):
        say(command, f"error: {exc.format_message()}", log_json=False)
    else:
        exc.show()
    return exc.exit_code


def _command_name(exc: click.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    name = ctx.command.name if ctx is not None and ctx.command is not None else None
    return name if name and name != "cli" else "cli"


class Group(click.Group):
    """The `osce-scrape` group: errors of every command, usage errors included, reported alike
    (`report_click_error`), in JSON when the command line asks for --log-json."""

    def main(self, args: Any = None, prog_name: str | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if extra.get("standalone_mode", True) is False:
            return super().main(argv, prog_name, *rest, **extra)
        extra["standalone_mode"] = False
        try:
            code = super().main(argv, prog_name, *rest, **extra)
        except click.ClickException as exc:
            sys.exit(report_click_error(exc, "--log-json" in argv))
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
