"""The instructor's packing command, ``python -m helpers.course pack|verify DIR``, and the translators' ``translate``.

::

    python -m helpers.course translate                        # update the zh_CN catalogues, regenerate notebooks/zh_CN/
    python -m helpers.course translate --check                # change nothing; exit 1 when the edition is out of step

    python -m helpers.course pack classroom-mirror            # workshop set: quick profile + full archives + light weights
    python -m helpers.course pack classroom-mirror --profile quick --offline
    python -m helpers.course verify classroom-mirror          # check a packed folder, change nothing

Exit status: 0 when everything the profile needs is there; 1 when a required file is missing
(``pack``; with ``--strict`` also an optional one) or a packed file is damaged (``verify``); 2 when
the command cannot run (a folder that cannot be written, a name the course does not know). Errors
are one sentence, never a traceback. ``python -m helpers.data list`` lists the datasets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.data.paths import MIRROR_ENV, pretty_path
from helpers.errors import CourseError
from helpers.tables import text_table

if TYPE_CHECKING:
    from helpers.course.pack_index import PackResult


def serve_instructions(directory: Path) -> str:
    """How to hand a packed folder to a classroom, as printed at the end of ``pack``."""
    from helpers.data.paths import shell_path

    shown = shell_path(directory, pretty=False)
    return "\n".join([
        "Serve it to the classroom (learners need only the address):",
        f"  python -m http.server 8000 --directory {shown}",
        f"  export {MIRROR_ENV}=http://<your-ip>:8000      # on each learner's machine (find <your-ip> with",
        "                                                      # `hostname -I`, or `ipconfig` on Windows)",
        f"or use it as a folder on this machine:  export {MIRROR_ENV}={shell_path(directory.resolve(), pretty=False)}",
    ])


def summary_table(results: list[PackResult]) -> str:
    """The end-of-run table: one line per file, then one line per missing file with its reason."""
    rows = []
    for result in results:
        size = result.bytes or result.item.archive.size
        need = "" if result.item.required else ", optional"
        status = f"ok ({result.source})" if result.status == "ok" else f"MISSING{need}"
        rows.append((result.item.label, result.item.relative, f"{size / 1e6:,.1f} MB" if size else "?", status))
    lines = [text_table(rows, ("item", "file", "size", "status"), rule="columns")]
    packed = sum(result.bytes for result in results)
    lines.append(f"{sum(r.status == 'ok' for r in results)} of {len(results)} files packed, {packed / 1e6:,.0f} MB")
    for result in results:
        lines += result.notes
        if result.status != "ok":
            lines.append(f"missing {result.item.label}{'' if result.item.required else ' (optional)'}: {result.reason}")
    return "\n".join(lines)


def _pack(args: argparse.Namespace) -> int:
    from helpers.course import pack, pack_index

    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    pack_index.plan(args.profile, only)  # a name the course does not know stops here, before anything is printed
    print(f"Packing the '{args.profile}' set into {args.directory}"
          + (" (offline: the Keras cache and mirrors only)" if args.offline else ""), flush=True)
    results = pack.pack(args.directory, args.profile, only=only, offline=args.offline, verbose=not args.quiet)
    print()
    print(summary_table(results))
    print(f"Index: {args.directory / 'index.html'} (what a browser shows at the mirror's address) and index.json")
    print()
    print(serve_instructions(args.directory))
    missing_required = [r for r in results if r.status != "ok" and r.item.required]
    missing_optional = [r for r in results if r.status != "ok" and not r.item.required]
    if missing_required:
        print(f"\nNOT COMPLETE: {len(missing_required)} file(s) the '{args.profile}' profile needs are missing (see above).")
        return 1
    if missing_optional:
        print(f"\n{len(missing_optional)} optional file(s) missing (see above). The quick profile runs without them:"
              " a learner who asks for a missing full archive downloads it from the internet, and where ImageNet"
              " weights are missing the pretrained default of train_from_folder says so and trains from scratch.")
        return 1 if args.strict else 0
    return 0


def _verify(args: argparse.Namespace) -> int:
    from helpers.course.pack_index import verify

    problems = verify(args.directory)
    for problem in problems:
        print(problem)
    print(f"{args.directory}: " + (f"{len(problems)} problem(s)." if problems else "every packed file checks out."))
    return 1 if problems else 0


def _translate(args: argparse.Namespace) -> int:
    from helpers.course import edition

    report = edition.build(write=not args.check)
    verb = "out of date" if args.check else "updated"
    for label, names in (("catalogues", report.catalogues_changed), ("notebooks", report.notebooks_changed)):
        print(f"{label} {verb}: {', '.join(names) if names else 'none'}")
    for problem in report.unfinished[: args.show]:
        print(problem)
    if len(report.unfinished) > args.show:
        print(f"... and {len(report.unfinished) - args.show} more")
    print(f"{len(report.unfinished)} entries without a finished translation (they stay in English).")
    stale = report.catalogues_changed or report.notebooks_changed
    return 1 if args.check and (stale or report.unfinished) else 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m helpers.course`` parser and its sub-commands."""
    from helpers.course.pack_index import DEFAULT_PROFILE, PROFILES

    parser = argparse.ArgumentParser(prog="python -m helpers.course", description="Pack a classroom mirror of the course's data, or check one.")
    commands = parser.add_subparsers(dest="command", required=True)
    pack = commands.add_parser("pack", help="copy or download every file a profile uses into a mirror folder, checked, with an index")
    pack.add_argument("directory", type=Path, help="the mirror folder (created if needed; files already there are checked, not copied again)")
    pack.add_argument("--profile", choices=list(PROFILES), default=DEFAULT_PROFILE,
                      help="quick: what the quick profile reads (mini archives) + MobileNetV2/EfficientNetB0 weights; "
                           "workshop (default): quick + every full archive (optional); full: full archives + every base's weights; all: both")
    pack.add_argument("--only", metavar="NAMES", help="comma-separated datasets or bases to pack, e.g. caltech101,MobileNetV2")
    pack.add_argument("--offline", action="store_true", help="never contact the public origins: use only the Keras cache and the mirrors in COURSE_DATA_MIRROR")
    pack.add_argument("--strict", action="store_true", help="exit with status 1 when an optional file is missing too")
    pack.add_argument("--quiet", action="store_true", help="print only the summary")
    pack.set_defaults(run=_pack)
    verify = commands.add_parser("verify", help="check the files of a packed folder against index.json and the registry")
    verify.add_argument("directory", type=Path)
    verify.set_defaults(run=_verify)
    translate = commands.add_parser("translate", help="update the Chinese catalogues from the English sources and regenerate notebooks/zh_CN/")
    translate.add_argument("--check", action="store_true", help="write nothing; exit 1 when a catalogue or notebook is out of date or a translation unfinished")
    translate.add_argument("--show", type=int, default=20, help="how many unfinished entries to list (default 20)")
    translate.set_defaults(run=_translate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f" ({pretty_path(error.filename)})" if error.filename else ""
        print(f"Could not read or write a file{where}: {error.strerror or error}. Check the folder and the free disk space.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nStopped. Files already packed are kept; run the same command again to finish.", file=sys.stderr)
        return 130
    except Exception as error:
        print(f"Unexpected {type(error).__name__}: {error}. This is a bug in the course's helpers: please report it "
              "with the command you ran.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
