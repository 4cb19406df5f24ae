"""Command line for the course's data: ``python -m helpers.data list``.

::

    python -m helpers.data list      # the registry: what each dataset is, where it will come from

Packing and checking a classroom mirror (``pack``, ``verify``) moved to the course's own command;
typing them here names it and exits with status 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from helpers.errors import CourseError
from helpers.language import _

#: Sub-commands that moved to the course's own command (the classroom mirror).
MOVED_TO_COURSE = ("pack", "verify")


def _list(args: argparse.Namespace) -> int:
    from helpers.data.summary import registry_table

    print(registry_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m helpers.data`` parser and its sub-command."""
    parser = argparse.ArgumentParser(prog="python -m helpers.data", description=_("The course's data: list the datasets."))
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help=_("the datasets the course knows, and where each would come from"))
    listing.set_defaults(run=_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in MOVED_TO_COURSE:
        print(_("Packing a classroom mirror is now its own command: run python -m helpers.course {arguments}").format(
            arguments=shlex.join(argv)), file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
