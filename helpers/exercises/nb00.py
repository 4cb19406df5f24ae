"""Exercises of ``00_setup.ipynb``: look at the data you loaded and check a download's checksum."""

from __future__ import annotations

from typing import Any

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3"]

MNIST_TRAIN_SHAPE = (60_000, 28, 28)
MNIST_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
MNIST_TEST_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)


# ---------------------------------------------------------------- ex1: shape, dtype, pixel range


def _check_arrays(answer: Any) -> Feedback:
    if not isinstance(answer, dict):
        return wrong(_('give a dict such as {"shape": ..., "dtype": ..., "lowest pixel": ..., "highest pixel": ...}.'))
    missing = [key for key in ("shape", "dtype", "lowest pixel", "highest pixel") if key not in answer]
    if missing:
        return wrong(_("the dict has no {keys}: keep the four keys of the template.").format(keys=", ".join(repr(k) for k in missing)))
    shape = tuple(int(side) for side in answer["shape"])
    if shape != MNIST_TRAIN_SHAPE:
        if shape[1:] == (28, 28, 1):
            return wrong(_("{shape} has a channel axis, but load_mnist returns (60000, 28, 28); notebook 02 adds the channel axis "
                           "itself.").format(shape=shape))
        if shape == (28, 28):
            return wrong(_("(28, 28) is the shape of one image; the array's shape starts with the number of images."))
        if shape and shape[0] == 10_000:
            return wrong(_("{shape} is the test set; the question is about x_train.").format(shape=shape))
        if shape and shape[0] == 70_000:
            return wrong(_("{shape} counts the test images too; x_train holds the training images only.").format(shape=shape))
        return wrong(_("x_train.shape is not {shape}: print it (number of images, height, width).").format(shape=shape))
    dtype = str(getattr(answer["dtype"], "__name__", answer["dtype"]))
    if "uint8" not in dtype:
        return wrong(_(
            "{dtype!r} is not the dtype: the pixels are stored as 8-bit unsigned integers (uint8, 0 to 255); "
            "they become floats only inside the model, in its Rescaling layer."
        ).format(dtype=dtype))
    low, high = float(answer["lowest pixel"]), float(answer["highest pixel"])
    if high <= 1:
        return wrong(_("a highest pixel of {high:g} would mean pixels already scaled to [0, 1]; here they are raw, 0 (black) "
                       "to 255 (white ink).").format(high=high))
    if (low, high) != (0, 255):
        return wrong(_("the pixel range is not {low:g} to {high:g}: use x_train.min() and x_train.max().").format(low=low, high=high))
    return correct(_("60,000 grayscale images of 28x28 uint8 pixels, 0 (black) to 255 (white ink)."))


ex1 = Exercise(
    "ex1",
    N_("the shape, the dtype, and the lowest and highest pixel values of x_train"),
    _check_arrays,
    hint=N_("Every NumPy array has .shape and .dtype; .min() and .max() give its smallest and largest value."),
    solution='answer = {"shape": x_train.shape, "dtype": x_train.dtype, "lowest pixel": x_train.min(), "highest pixel": x_train.max()}',
    answer={"shape": MNIST_TRAIN_SHAPE, "dtype": "uint8", "lowest pixel": 0, "highest pixel": 255},
)


# ---------------------------------------------------------------- ex2: the checksum of a download

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_MD5 = "8a61469f7ea1b51cbae51d4f78837e45"
PREFIX = 12


def _check_checksum(answer: Any) -> Feedback:
    if not isinstance(answer, str):
        return wrong(_("give the first {prefix} hex characters as a string, such as 'a1b2c3d4e5f6', not a value of type "
                       "{kind}.").format(prefix=PREFIX, kind=type(answer).__name__))
    digest = answer.strip().lower()
    if not digest or any(char not in "0123456789abcdef" for char in digest):
        return wrong(_("{answer!r} is not hexadecimal: hexdigest() gives the digits 0-9 and the letters a-f.").format(answer=answer))
    if MNIST_SHA256.startswith(digest) and len(digest) >= PREFIX:
        return correct(_(
            "{digest}..., the very digest Keras's own mnist loader passes to get_file as file_hash. "
            "One changed byte gives a different digest, so a damaged or swapped file is caught before it is used."
        ).format(digest=MNIST_SHA256[:PREFIX]))
    if MNIST_SHA256.startswith(digest):
        return wrong(_("right so far, but give at least the first {prefix} characters: a short prefix could match another "
                       "file.").format(prefix=PREFIX))
    if MNIST_MD5.startswith(digest[:8]):
        return wrong(_(
            "that is the file's MD5; the question asks for SHA-256 (hashlib.sha256), the 64-character digest "
            "that Keras's datasets give get_file as file_hash."
        ))
    if len(digest) == 64 or len(digest) >= PREFIX:
        return wrong(_(
            "that is the SHA-256 of something else: hash the file's bytes (path.read_bytes()), "
            "not the text of its path, and hash the whole file."
        ))
    return wrong(_("give the first {prefix} hex characters of hashlib.sha256(path.read_bytes()).hexdigest().").format(prefix=PREFIX))


ex2 = Exercise(
    "ex2",
    N_("the first 12 hex characters of the SHA-256 of the MNIST file (a string)"),  # 12 is PREFIX
    _check_checksum,
    hint=N_("hashlib.sha256(some_bytes).hexdigest() gives 64 hex characters; path.read_bytes() gives the file's bytes."),
    solution=f"answer = hashlib.sha256(path.read_bytes()).hexdigest()[:{PREFIX}]\nprint(answer)",
    answer=MNIST_SHA256[:PREFIX],
)


# ---------------------------------------------------------------- ex3: how many 5s


def _check_fives(answer: Any) -> Feedback:
    count = as_int(answer, _("the count"))
    if count == MNIST_TRAIN_COUNTS[5]:
        return correct(_("5,421 fives: the fewest of any digit. MNIST's classes are close to balanced, not exactly."))
    if count == MNIST_TEST_COUNTS[5]:
        return wrong(_("{count} is how many fives the *test* set holds; count them in y_train.").format(count=count))
    if count == MNIST_TRAIN_COUNTS[5] + MNIST_TEST_COUNTS[5]:
        return wrong(_("{count:,} counts the fives of both sets; the question is about y_train only.").format(count=count))
    if count in MNIST_TRAIN_COUNTS:
        return wrong(_("{count:,} is how many {digit}s y_train holds: np.bincount's list starts with digit 0.").format(
            count=count, digit=MNIST_TRAIN_COUNTS.index(count)))
    if count == 6_000:
        return wrong(_("6,000 assumes the classes are exactly balanced; they are not. Count them."))
    return wrong(_("y_train does not hold {count:,} fives: count them with (y_train == 5).sum().").format(count=count))


ex3 = Exercise(
    "ex3",
    N_("the number of training images (y_train) showing the digit 5"),
    _check_fives,
    hint=N_("y_train == 5 is an array of True/False; summing it counts the True values. np.bincount(y_train) counts every "
            "digit at once."),
    solution=N_("answer = int((y_train == 5).sum())  # or np.bincount(y_train)[5]\nprint(answer)"),
    answer=MNIST_TRAIN_COUNTS[5],
)
