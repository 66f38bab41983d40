#!/usr/bin/env python3
"""softleft: collect, store and analyse the writing of Labour's soft left, hard left and soft right.

The command line is a thin layer: each command parses its options and calls one library function in
corpus/, scrapers/ or nlp/. Results go to stdout, progress and summaries to stderr. This module is the root
group; the commands live in ``commands/``, one module per group, each imported only when it is run.
"""
from __future__ import annotations

import errno
import importlib
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from commands.common import Settings
from corpus import SelectionError, SoftleftError, __version__

log = logging.getLogger("softleft")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Command name -> "module:attribute" of its click command or group.
COMMANDS = {
    "demo": "commands.pipeline:demo", "run": "commands.pipeline:run", "report": "commands.pipeline:report",
    "update": "commands.pipeline:update", "scrape": "commands.scrape:scrape", "corpus": "commands.corpus:corpus",
    "nlp": "commands.topics:nlp_group", "topics": "commands.topics:topics", "terms": "commands.topics:terms",
    "classify": "commands.classify:classify_group", "contrast": "commands.classify:contrast_cmd",
    "kwic": "commands.classify:kwic_cmd", "mentions": "commands.classify:mentions_cmd",
    "meaning": "commands.classify:meaning_cmd", "scale": "commands.scale:scale_group",
    "code": "commands.coding:code_group",
}


class SoftleftGroup(click.Group):
    """The root group: converts library errors into click errors at the boundary."""

    #: Commands in the order data flows through them (help lists them so).
    ORDER = ("demo", "run", "report", "update", "scrape", "corpus", "nlp", "topics", "terms", "classify", "contrast",
             "kwic", "mentions", "scale", "meaning", "code")

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx)) | set(COMMANDS)
        return sorted(names, key=lambda n: (self.ORDER.index(n) if n in self.ORDER else len(self.ORDER), n))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command's module is imported when the command is asked for (``--help`` and light commands stay light)."""
        if name not in self.commands and name in COMMANDS:
            module, _, attr = COMMANDS[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse an argument that is not UTF-8 (a usage error naming it) before any command sees it."""
        from commands.common import not_utf8_argument

        problem = not_utf8_argument(args)
        if problem:
            raise click.UsageError(problem, ctx)
        return super().parse_args(ctx, args)

    #: Options of the root group: given after a command they are unknown there; say where they go.
    GLOBAL_OPTIONS = ("--db", "--labels", "-v", "--verbose", "-q", "--quiet")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if exc.option_name in self.GLOBAL_OPTIONS:
                command = " ".join(exc.ctx.command_path.split()[1:]) if exc.ctx else "COMMAND"
                exc.message = (exc.message.rstrip(".") + f". {exc.option_name} is a global option: put it before "
                               f"the command, e.g. `{ctx.info_name} {exc.option_name} ... {command} ...`")
            raise
        except click.exceptions.Exit:
            raise
        except SelectionError as exc:  # a filter value that matches nothing: a usage error
            raise click.UsageError(str(exc), ctx) from None
        except SoftleftError as exc:  # every library error a user can cause: one line, exit 1
            raise click.ClickException(str(exc)) from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise click.ClickException(
                    f"the corpus {ctx.obj.where} is locked by another softleft process; wait for it to finish and retry"
                ) from None
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            if exc.filename is not None or exc.errno not in _FULL:
                raise
            # Standard output on a full or failing device (`corpus stats > /dev/full`). Its unwritten buffer
            # goes to /dev/null, so the interpreter's last flush at exit cannot fail again.
            _silence_stdout()
            raise click.ClickException(f"cannot write to standard output: {os.strerror(exc.errno).lower()}") from None
        except Exception as exc:
            if not any(c.__name__ == "IntegrityError" for c in type(exc).__mro__):  # sqlite3's or psycopg's
                raise
            # Two processes wrote the same rows at once; this one's transaction was rolled back.
            first = " ".join(str(exc).split("\n")[0].split())
            raise click.ClickException(
                f"another process wrote the same rows to the corpus {ctx.obj.where} while this command ran "
                f"({first}); this command's unfinished change was rolled back: run it again") from None


#: Errors of writing to a device that cannot take more (standard output redirected to a full disk).
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def _silence_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError:
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test runner's stdout)
        pass


@click.group(cls=SoftleftGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", envvar="SOFTLEFT_DB", default="softleft.db", show_default=True,
              type=click.Path(dir_okay=False),
              help="The corpus: an SQLite file or a postgresql://user@host/dbname URL; env SOFTLEFT_DB.")
@click.option("--labels", "labels_file", type=click.Path(exists=True, dir_okay=False),
              help="A labels TOML file overriding the stored labels for this command.")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.version_option(__version__, "--version", prog_name="softleft")
@click.pass_context
def cli(ctx: click.Context, db: str, labels_file: str | None, verbose: int, quiet: bool) -> None:
    """softleft: how Labour's soft left defines itself against the hard left and the soft right.

    Collect articles (scrape), keep them in a searchable corpus (corpus), preprocess them (nlp), model
    their topics and trends (topics, terms), classify and contrast tendencies (classify, contrast,
    mentions), and write a report editors can open (report, run, demo).

    \b
    Example:
      python cli.py demo -o demo-output
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    settings = Settings(db, labels_file, verbose, quiet)
    ctx.obj = settings
    ctx.call_on_close(settings.close)


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread, so every ``finally`` and rollback runs as for Ctrl-C."""


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` (a second SIGTERM during the clean-up ends the process at once)."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    signal.signal(signal.SIGTERM, stop)


#: The exit status of a process stopped by SIGTERM (128 + 15), as a shell reports it.
EXIT_TERMINATED = 143


def main() -> None:
    _stop_on_sigterm()
    try:
        cli(prog_name=Path(sys.argv[0]).name or "softleft")
    except Terminated:
        click.echo("Error: stopped by SIGTERM; the unfinished work was rolled back and no partial file was left "
                   f"(exit {EXIT_TERMINATED})", err=True)
        sys.exit(EXIT_TERMINATED)


if __name__ == "__main__":
    main()
