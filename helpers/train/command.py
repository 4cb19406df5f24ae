"""The command line of :mod:`helpers.train`: ``python -m helpers.train FOLDER [options]`` (``helpers/train/__main__.py`` calls :func:`main`).

::

    python -m helpers.train flower_photos --output flowers.keras      # a pretrained base, settings chosen and shown
    python -m helpers.train flower_photos --base MobileNetV2 --epochs 5 --fine-tune-epochs 5 --image-size 224
    python -m helpers.train flower_photos --scratch --epochs 40        # the course CNN from scratch (notebook 05)
    python -m helpers.predict flowers.keras -d new_photos

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from helpers.errors import CourseError, TrainSettingError
from helpers.language import _, current_language


def _image_size(text: str) -> tuple[int, int]:
    try:
        sizes = [int(part) for part in text.lower().replace(",", "x").split("x")]
    except ValueError:
        sizes = []
    if len(sizes) not in (1, 2) or min(sizes) < 1:
        raise argparse.ArgumentTypeError(_("{text!r} is not an image size such as 180 or 180x240").format(text=text))
    return (sizes[0], sizes[-1])


def _widths(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a list of filter counts such as 16,32,64").format(text=text)) from None


#: The schedules known by name: :data:`helpers.train.options.SCHEDULES`, repeated so that ``--help`` loads no Keras.
SCHEDULES = ("cosine", "one_cycle")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.train",
        description=_("Train an image classifier on a folder of class sub-folders (or a CSV file of path,label rows), save it "
                      "with its class names, and print its validation report. By default it puts a pretrained ImageNet base under "
                      "a new head (the settings chosen are printed first); --scratch trains the course CNN from scratch instead. "
                      "Then predict with: python -m helpers.predict MODEL.keras -d FOLDER"),
    )
    add = parser.add_argument
    add("source", metavar="FOLDER", help=_("a folder with one sub-folder per class, or a .csv file of path,label rows"))
    add("--image-size", type=_image_size, metavar="N", help=_("resize images to N x N pixels, or HxW (default: chosen, 160 on a CPU)"))
    add("--classes", nargs="+", metavar="NAME", help=_("train on these classes only (space- or comma-separated)"))
    add("--batch-size", type=int, metavar="N", help=_("images per batch (default 32)"))
    add("--epochs", type=int, metavar="N", help=_("most epochs (of the head, with a base); early stopping may end sooner "
        "(default: chosen, 8 with a base on a CPU, 40 with --scratch)"))
    add("--validation-split", type=float, metavar="F", help=_("fraction held out to validate (default 0.2)"))
    add("--validation-dir", metavar="FOLDER", help=_("validate on this folder instead of a split"))
    add("--test-split", type=float, metavar="F", help=_("also hold out this fraction as a test split"))
    add("--no-augment", action="store_true", help=_("train without data augmentation"))
    add("--base", default="auto", metavar="NAME", help=_("the pretrained base under a new head, such as MobileNetV2-0.35 or "
        "EfficientNetB0 (default auto: chosen by the profile; the course CNN from scratch when no weights can be had)"))
    add("--scratch", action="store_true", help=_("train the course CNN from scratch instead of a pretrained base"))
    add("--widths", type=_widths, metavar="N,N,...", help=_("with --scratch: filters of each conv block (default 32,64,128,256,512)"))
    add("--random-weights", action="store_true", help=_("with --base NAME: start the base from random weights, not ImageNet's"))
    add("--fine-tune-epochs", type=int, metavar="N", help=_("then fine-tune the top of the base for N epochs (default: chosen, 4 on a CPU)"))
    add("--learning-rate", type=float, default=1e-3, metavar="F", help=_("Adam's learning rate (default 0.001)"))
    add("--schedule", choices=SCHEDULES, help=_("a learning-rate schedule instead of lowering the rate on plateaus"))
    add("--clipnorm", type=float, metavar="F", help=_("clip gradients to this norm, for example 1.0"))
    add("--patience", type=int, default=10, metavar="N", help=_("early-stopping patience in epochs (default 10)"))
    add("--seed", type=int, default=42, help=_("fixes the split, shuffles and initial weights (default 42)"))
    add("--quarantine", action="store_true", help=_("move unusable files (damaged, empty, not images) to FOLDER_quarantine, with a log"))
    add("--root", metavar="FOLDER", help=_("CSV only: where relative image paths start (default: the CSV's folder)"))
    add("--allow-outside-root", action="store_true",
        help=_("CSV only: also read image files outside the root folder (../ or absolute paths; only for a CSV you trust)"))
    add("--run-dir", metavar="FOLDER", help=_("keep the run's state here after every epoch (default: a folder under runs/ "
        "named after the data and the settings); the same command again resumes an interrupted run"))
    add("--fresh", action="store_true", help=_("start afresh, throwing away the state of an interrupted run of the same command"))
    add("--output", "-o", metavar="MODEL.keras", help=_("where to save the model (default: FOLDER's name + .keras)"))
    add("--quiet", "-q", action="store_true", help=_("no line per epoch"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m helpers.train``); returns the exit status."""
    try:
        current_language()
    except CourseError as error:  # an unknown COURSE_LANGUAGE: one line, as for every other setting
        print(f"error: {error}", file=sys.stderr)
        return 2
    parser = _parser()
    args = parser.parse_args(argv)
    if args.validation_dir and args.validation_split is not None:
        parser.error(_("give --validation-split or --validation-dir, not both"))
    if args.scratch and (args.base != "auto" or args.random_weights or args.fine_tune_epochs):
        parser.error(_("--scratch trains the course CNN: it does not go with --base, --random-weights or --fine-tune-epochs"))
    if args.random_weights and args.base == "auto":
        parser.error(_("--random-weights goes with a named base, for example --base MobileNetV2-0.35"))
    if args.widths and not args.scratch:
        parser.error(_("--widths sizes the course CNN: add --scratch"))

    from helpers.predict import native_stderr_hidden

    with native_stderr_hidden():
        import tensorflow  # noqa: F401 - loaded here only to keep its start-up notices off the screen

    import keras

    from helpers.profile import apply_accelerator_settings
    from helpers.train import train_from_csv, train_from_folder

    source = Path(args.source)
    is_csv = source.suffix.lower() == ".csv" and not source.is_dir()
    output = Path(args.output or f"{source.stem if is_csv else source.resolve().name}.keras")
    options = dict(
        classes=[name for item in args.classes for name in item.split(",") if name] if args.classes else None,
        batch_size=args.batch_size, epochs=args.epochs, test_split=args.test_split, augment=not args.no_augment,
        patience=args.patience, seed=args.seed, save_to=output, verbose=1 if args.quiet else 2,
        learning_rate=args.learning_rate, schedule=args.schedule, clipnorm=args.clipnorm, run_dir=args.run_dir, fresh=args.fresh,
        base=None if args.scratch else args.base, weights=None if args.random_weights else "imagenet",
        fine_tune_epochs=args.fine_tune_epochs,
    )
    if args.widths:
        options["widths"] = args.widths
    split = args.validation_split if args.validation_split is not None else (None if args.validation_dir else 0.2)
    from helpers.train import callbacks, features, run_state

    run_state.last_run_dir = None  # set when the run takes its folder: Ctrl-C then says where it is saved
    features.last_run_computed_features = False  # set when the run computes cached features (nothing to resume)
    policy = keras.mixed_precision.global_policy()  # apply_accelerator_settings changes it: put it back when done
    try:
        print(apply_accelerator_settings().line)
        if is_csv:
            if args.quarantine:
                raise TrainSettingError(_("--quarantine works with a folder; with a CSV file, the unusable rows are only skipped."))
            if args.validation_dir:
                raise TrainSettingError(_("--validation-dir works with a folder; a CSV file is split with --validation-split."))
            result = train_from_csv(source, args.image_size, root=args.root, allow_outside_root=args.allow_outside_root,
                                    validation_split=split, **options)
        else:
            result = train_from_folder(source, args.image_size, validation_split=split, validation_dir=args.validation_dir,
                                       quarantine=args.quarantine, **options)
    except CourseError as error:
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line saying what was saved and how to go on, no traceback
        message = (_(features.INTERRUPTED) if features.last_run_computed_features
                   else callbacks.interrupted_message(args.run_dir or run_state.last_run_dir))
        print(f"\n{message}", file=sys.stderr)
        return 130
    finally:
        keras.mixed_precision.set_global_policy(policy)
    print(f"\n{result.report()}")
    print(_("saved the model and its {count} class names to {output}").format(count=len(result.class_names), output=output))
    print(_("predict new images with: python -m helpers.predict {model} -d FOLDER").format(model=shlex.quote(str(output))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
