"""Exercises of ``07_ensembles.ipynb``: soft voting by hand, the same training compute for one network, the noise of a paired difference."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.evaluate import paired_difference
from helpers.exercises.base import Exercise, Feedback, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3", "TEAM", "THREE_MEMBERS"]

#: Three members' probabilities for two images and three classes: shape (members, images, classes).
THREE_MEMBERS = np.array(
    [
        [[0.90, 0.10, 0.00], [0.20, 0.30, 0.50]],  # member 1
        [[0.40, 0.60, 0.00], [0.10, 0.60, 0.30]],  # member 2
        [[0.45, 0.55, 0.00], [0.15, 0.50, 0.35]],  # member 3
    ]
)


# ---------------------------------------------------------------- ex1: soft voting


def _check_soft_vote(answer: Any) -> Feedback:
    predicted = np.asarray(answer)
    if predicted.shape == (2, 3):
        return wrong(_("these are probabilities; the answer is one class index per image: take .argmax(axis=-1) of the average."))
    if predicted.shape != (2,):
        return wrong(_("give one class index per image, two in all (for example [2, 0]); your answer has shape {shape}.")
                     .format(shape=predicted.shape))
    predicted = predicted.astype(int)
    soft = THREE_MEMBERS.mean(axis=0).argmax(-1)
    if np.array_equal(predicted, soft):
        return correct(_("image 1 goes to class 0 (mean 0.58) although two members of three vote for class 1: soft voting lets "
                         "member 1's confidence (0.90) outweigh two lukewarm votes (0.60 and 0.55)."))
    votes = THREE_MEMBERS.argmax(-1)  # (members, images)
    hard = np.array([np.bincount(column, minlength=3).argmax() for column in votes.T])
    if np.array_equal(predicted, hard):
        return wrong(_("that is the majority vote (hard voting): each member's top class, counted. Soft voting averages the "
                       "probabilities first, then takes the most probable class."))
    for member, labels in enumerate(votes, start=1):
        if np.array_equal(predicted, labels):
            return wrong(_("those are member {member}'s own predictions; average the three members' probabilities first.")
                         .format(member=member))
    if np.array_equal(predicted, THREE_MEMBERS.mean(axis=0).argmin(-1)):
        return wrong(_("those are the *least* probable classes: use argmax, not argmin."))
    return wrong(_("average the three members' probabilities for each image (axis 0 of the array), then take the most "
                   "probable class."))


ex1 = Exercise(
    "ex1",
    N_("the soft-vote class of each of the two images, as a list of two class indices"),
    _check_soft_vote,
    hint=N_("ex1.data has shape (members, images, classes): mean over axis 0, then argmax over the last axis "
            "(or combine.average(ex1.data))."),
    solution=N_('''
answer = ex1.data.mean(axis=0).argmax(axis=-1)   # or combine.average(ex1.data).argmax(-1)
print(answer)'''),
    answer=[0, 1],
    data=THREE_MEMBERS,
)


# ---------------------------------------------------------------- ex2: the same training compute for one network

#: A team of four members and one wider network: per photo, the multiply-adds of one forward pass and the parameters.
#: The 16x16 members hold three times the parameters of the 32x32 ones for about the same arithmetic.
TEAM = {
    "members": [
        {"sees": "16x16", "parameters": 60_000, "multiply_adds": 2_000_000},
        {"sees": "16x16", "parameters": 60_000, "multiply_adds": 2_000_000},
        {"sees": "32x32", "parameters": 20_000, "multiply_adds": 2_200_000},
        {"sees": "32x32", "parameters": 20_000, "multiply_adds": 2_200_000},
    ],
    "epochs": 10,  # each member, on the same training photos
    "single": {"parameters": 140_000, "multiply_adds": 16_800_000},
}
_TEAM_ADDS = sum(m["multiply_adds"] for m in TEAM["members"])  # 8,400,000 per photo for the four
_SINGLE_EPOCHS = _TEAM_ADDS * TEAM["epochs"] / TEAM["single"]["multiply_adds"]  # 5.0


def _check_same_compute(answer: Any) -> Feedback:
    value = float(answer)
    close = lambda target: abs(value - target) <= 0.02 * abs(target)  # noqa: E731
    team_params = sum(m["parameters"] for m in TEAM["members"])
    if close(_SINGLE_EPOCHS):
        return correct(_("the four members cost {team_adds:,} multiply-adds per photo and epoch, {epochs} epochs: "
                         "{team_total:,} per training photo. The wider network costs "
                         "{single_adds:,} per photo and epoch, so the same arithmetic buys it "
                         "{single_epochs:g} epochs. A fair sceptic's baseline gets exactly that, not more and not less.")
                       .format(team_adds=_TEAM_ADDS, epochs=TEAM["epochs"], team_total=_TEAM_ADDS * TEAM["epochs"],
                               single_adds=TEAM["single"]["multiply_adds"], single_epochs=_SINGLE_EPOCHS))
    if close(team_params * TEAM["epochs"] / TEAM["single"]["parameters"]) or close(team_params / TEAM["single"]["parameters"]):
        return wrong(_("that compares parameters. A convolution's weights are stored once but its multiply-adds are paid at "
                       "every pixel, so parameters say little about compute: the 16x16 members hold three times the "
                       "parameters of the 32x32 ones for about the same arithmetic. Use the multiply-adds."))
    if close(_SINGLE_EPOCHS / TEAM["epochs"]):
        return wrong(_("that is the ratio for one epoch of each. The members trained for several epochs each: multiply the "
                       "team's multiply-adds by their epochs."))
    if close(TEAM["epochs"]):
        return wrong(_("the same number of epochs is not the same compute: the wider network costs more per photo than the "
                       "team does. Divide the team's arithmetic by the single network's."))
    if any(close(m["multiply_adds"] * TEAM["epochs"] / TEAM["single"]["multiply_adds"]) for m in TEAM["members"]):
        return wrong(_("that is the compute of one member; the single network gets the whole team's: add up all four members."))
    return wrong(_("the team's training arithmetic is (sum of the members' multiply-adds per photo) x epochs x photos; the "
                   "single network's is its multiply-adds per photo x its epochs x the same photos. Set them equal."))


ex2 = Exercise(
    "ex2",
    N_("a number: the epochs that give the single network the team's training arithmetic"),
    _check_same_compute,
    hint=N_("Count the multiply-adds of training per photo: each member's multiply-adds x its epochs, summed over the members. "
            "The photos are the same for both sides, so they cancel."),
    solution='''
team_adds = sum(member["multiply_adds"] for member in ex2.data["members"]) * ex2.data["epochs"]
answer = team_adds / ex2.data["single"]["multiply_adds"]
print(answer)''',
    answer=_SINGLE_EPOCHS,
    data=TEAM,
)


# ---------------------------------------------------------------- ex3: the noise of a paired difference


def _check_paired_error(answer: Any, y_true: Any, predicted_a: Any, predicted_b: Any) -> Feedback:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return wrong(_("give one number (a fraction such as 0.0123), not {kind}.").format(kind=type(answer).__name__))
    y_true = np.asarray(y_true).astype(int).ravel()
    a, b = (np.asarray(p) for p in (predicted_a, predicted_b))
    a, b = (p.argmax(-1) if p.ndim == 2 else p for p in (a, b))
    right_a, right_b = a == y_true, b == y_true
    difference = right_a.astype(float) - right_b
    n = len(y_true)
    expected = paired_difference(right_a, right_b)[1]
    p_a, p_b = right_a.mean(), right_b.mean()
    close = lambda target: np.isclose(value, target, rtol=0.02)  # noqa: E731
    if close(expected):
        return correct(_("the two models differ on only {differing:,} of the {n:,} images: the per-image "
                         "difference (+1, -1 or 0) has a standard deviation of {deviation:.3f}, so the gain of "
                         "{gain:+.2f} points has a standard error of {error:.2f} points, less than "
                         "either accuracy's own, because the images both get right or both get wrong add no noise.")
                       .format(differing=np.sum(difference != 0), n=n, deviation=difference.std(ddof=1),
                               gain=100 * difference.mean(), error=100 * expected))
    if close(100 * expected):
        return wrong(_("that is the standard error in points ({value:.2f}); give it as a fraction, {expected:.4f}.")
                     .format(value=value, expected=expected))
    if close(np.sqrt(p_a * (1 - p_a) / n + p_b * (1 - p_b) / n)):
        return wrong(_("that treats the two accuracies as independent, as if they came from different test images. They were "
                       "scored on the same images: take the per-image difference (+1, -1 or 0) and its standard error."))
    if close(np.sqrt(p_a * (1 - p_a) / n)) or close(np.sqrt(p_b * (1 - p_b) / n)):
        return wrong(_("that is the standard error of one model's accuracy; the question is about the difference of the two, "
                       "image by image."))
    if close(difference.var(ddof=1) / n) or close(difference.var(ddof=1)):
        return wrong(_("that is a variance; the standard error is the standard deviation of the per-image difference divided "
                       "by sqrt(n)."))
    if close(difference.std(ddof=1)):
        return wrong(_("that is the standard deviation of one image's difference; divide by sqrt(n), the number of test images."))
    if close(abs(difference.mean())):
        return wrong(_("that is the gain itself (the mean of the per-image difference); the question asks for its standard error."))
    return wrong(_("per test image, compute (average right) - (majority vote right), which is +1, -1 or 0; "
                   "its standard deviation divided by sqrt(n) is the standard error of the gain."))


ex3 = Exercise(
    "ex3",
    N_("the standard error of the difference in test accuracy between the average and the majority vote, as a fraction"),
    _check_paired_error,
    hint=N_("Both were scored on the same images. d = (test_predictions[\"average\"] == y_test) * 1.0 - "
            "(test_predictions[\"majority vote\"] == y_test) is +1, -1 or 0 per image; the standard error of its mean is "
            "d.std(ddof=1) / np.sqrt(len(d))."),
    solution=N_('''
d = (test_predictions["average"] == y_test).astype(float) - (test_predictions["majority vote"] == y_test)
answer = d.std(ddof=1) / np.sqrt(len(d))   # or noise.paired_standard_error(y_test, test_predictions["average"], test_predictions["majority vote"])
print(f"gain {100 * d.mean():+.2f} ± {100 * answer:.2f} points")'''),
)
