"""Unit tests for the ensembles' combiners (averages, votes, weight selection, stacking, cross-validation), on hand-made arrays.

Members, boosting, the scoreboard, the noise figures and the plots are in test_ensemble_members.py."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, log_loss

from helpers import errors
from helpers.ensembles import combine
from helpers.errors import CourseError

# Three members, four examples, three classes. True labels: 0, 1, 2, 1.
Y = np.array([0, 1, 2, 1])
PROBS = np.array(
    [
        [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4]],  # member 0: wrong on 2, 3
        [[0.6, 0.3, 0.1], [0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.1, 0.6, 0.3]],  # member 1: wrong on 1
        [[0.2, 0.5, 0.3], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6], [0.2, 0.5, 0.3]],  # member 2: wrong on 0
    ]
)


def test_accuracy_takes_labels_or_probabilities():
    assert combine.accuracy(Y, [0, 1, 0, 1]) == 0.75
    assert combine.accuracy(Y, PROBS[0]) == 0.5
    assert type(combine.accuracy(Y, PROBS[0])) is float


def test_accuracy_is_scikit_learns_accuracy_score():
    rng = np.random.default_rng(0)
    y, predicted = rng.integers(0, 10, 1_000), rng.integers(0, 10, 1_000)
    assert combine.accuracy(y, predicted) == accuracy_score(y, predicted) == np.mean(y == predicted)


def test_accuracy_refuses_predictions_for_other_images():
    with pytest.raises(errors.EnsembleError, match="same images"):
        combine.accuracy(Y, [0, 1, 2])


def test_selection_loss_is_scikit_learns_log_loss_above_the_clip():
    from helpers.ensembles.combine import _log_loss

    assert _log_loss(Y, PROBS[1]) == pytest.approx(-np.mean(np.log([0.6, 0.3, 0.7, 0.6])))
    assert _log_loss(Y, PROBS[1]) == pytest.approx(log_loss(Y, PROBS[1], labels=[0, 1, 2]), rel=1e-12)
    # a class missing from the labels and a probability of exactly 0 on a wrong class change nothing
    probs = np.array([[1.0, 0.0, 0.0], [0.2, 0.8, 0.0]])
    assert _log_loss(np.array([0, 1]), probs) == pytest.approx(log_loss([0, 1], probs, labels=[0, 1, 2]))
    # where they differ: a certain, wrong member costs -log(1e-7) here, not -log(2.2e-16)
    assert _log_loss(np.array([1]), np.array([[1.0, 0.0]])) == pytest.approx(-np.log(1e-7))


def test_average_is_the_mean_over_members():
    expected = np.array([[1.5, 1.0, 0.5], [0.4, 1.8, 0.8], [0.8, 0.5, 1.7], [0.6, 1.4, 1.0]]) / 3
    assert np.allclose(combine.average(PROBS), expected)
    assert combine.average(PROBS).argmax(-1).tolist() == [0, 1, 2, 1]


def test_weighted_average_normalises_the_weights():
    # weights 2:0:2 are the mean of members 0 and 2
    assert np.allclose(combine.average(PROBS, [2, 0, 2]), (PROBS[0] + PROBS[2]) / 2)
    assert np.allclose(combine.average(PROBS, [0, 1, 0]), PROBS[1])


@pytest.mark.parametrize("weights", [[1, 1], [1, -1, 1], [0, 0, 0]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(errors.EnsembleError):
        combine.average(PROBS, weights)


def test_predictions_must_be_stacked():
    with pytest.raises(errors.EnsembleError, match=r"shape \(members, examples, classes\), got shape \(4, 3\)") as raised:
        combine.average(PROBS[0])
    assert isinstance(raised.value, CourseError)  # shown in Jupyter as its message alone


def test_vote_counts():
    # member labels: m0 [0, 1, 0, 2], m1 [0, 2, 2, 1], m2 [1, 1, 2, 1]
    assert combine.vote_counts(PROBS).tolist() == [[2, 1, 0], [0, 2, 1], [1, 0, 2], [0, 2, 1]]


def test_majority_vote_with_a_clear_majority():
    assert combine.majority_vote(PROBS).tolist() == [0, 1, 2, 1]


def test_majority_vote_tie_goes_to_the_higher_average_probability():
    # two members, one vote each for class 0 and class 2; class 2 has the higher mean (0.5 vs 0.45)
    probs = np.array([[[0.5, 0.1, 0.4]], [[0.4, 0.0, 0.6]]])
    assert combine.vote_counts(probs).tolist() == [[1, 0, 1]]
    assert combine.majority_vote(probs).tolist() == [2]


def test_majority_vote_full_tie_goes_to_the_lowest_class():
    probs = np.array([[[0.6, 0.4, 0.0]], [[0.4, 0.6, 0.0]]])  # one vote each, equal mean 0.5
    assert combine.majority_vote(probs).tolist() == [0]


def test_select_weights_mixes_complementary_members():
    # A is wrong on example 1, B on example 0; symmetric, so ties go to the lower index.
    y = np.array([0, 1])
    probs = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.4, 0.6], [0.1, 0.9]]])
    assert combine.select_weights(probs, y, rounds=1).tolist() == [1.0, 0.0]
    assert combine.select_weights(probs, y, rounds=2).tolist() == [0.5, 0.5]
    assert combine.select_weights(probs, y, rounds=3).tolist() == pytest.approx([2 / 3, 1 / 3])
    assert combine.select_weights(probs, y, rounds=4).tolist() == [0.5, 0.5]


def test_select_weights_ignores_a_useless_member():
    y = np.array([0, 1, 0])
    good = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]
    bad = [[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]]
    weights = combine.select_weights(np.array([bad, good]), y, rounds=10)
    assert weights.tolist() == [0.0, 1.0]


def test_weighted_average_estimator():
    y = np.array([0, 1])
    probs = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.4, 0.6], [0.1, 0.9]]])
    fitted = combine.WeightedAverage(rounds=4).fit(probs, y)
    assert fitted.weights_.tolist() == [0.5, 0.5]
    assert np.allclose(fitted.predict_proba(probs), [[0.65, 0.35], [0.35, 0.65]])


def test_stacking_features_are_member_major_log_probabilities():
    features = combine.stacking_features(PROBS)
    assert features.shape == (4, 9)
    assert np.allclose(features[0], np.log([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.5, 0.3]))
    zero = combine.stacking_features(np.array([[[1.0, 0.0]]]))
    assert np.allclose(zero, [[0.0, np.log(1e-7)]])


def _label_probs(labels, classes=3, confidence=0.8):
    probs = np.full((len(labels), classes), (1 - confidence) / (classes - 1))
    probs[np.arange(len(labels)), labels] = confidence
    return probs


def test_stacking_learns_to_undo_a_member_that_is_systematically_wrong():
    # Member 0 always answers (true + 1) % 3, member 1 guesses at random: averaging fails,
    # a meta-learner can learn the relabelling.
    rng = np.random.default_rng(0)
    y = np.tile([0, 1, 2], 40)
    probs = np.stack([_label_probs((y + 1) % 3), _label_probs(rng.integers(0, 3, len(y)))])
    assert combine.accuracy(y, combine.average(probs)) < 0.5
    stacker = combine.Stacking().fit(probs, y)
    out = stacker.predict_proba(probs)
    assert out.shape == (len(y), 3) and np.allclose(out.sum(axis=1), 1)
    assert combine.accuracy(y, out) == 1.0
    assert stacker.params == 2 * 3 * 3 + 3


def test_stacking_keeps_every_class_column_when_a_class_is_missing():
    y = np.array([0, 1] * 10)  # class 2 never appears
    probs = np.stack([_label_probs(y), _label_probs(y)])
    out = combine.Stacking().fit(probs, y).predict_proba(probs)
    assert out.shape == (20, 3) and np.all(out[:, 2] == 0)


COMBINERS = [combine.WeightedAverage(rounds=7), combine.Stacking(C=0.3, max_iter=500)]


@pytest.mark.parametrize("combiner", COMBINERS, ids=lambda c: type(c).__name__)
def test_combiners_clone_into_unfitted_copies_that_fit_the_same(combiner):
    rng = np.random.default_rng(0)
    y = np.tile([0, 1, 2], 20)
    probs = np.stack([_label_probs(np.where(rng.random(len(y)) < p, y, (y + 1) % 3)) for p in (0.9, 0.6, 0.3)])
    fitted = clone(combiner).fit(probs, y)
    assert isinstance(fitted, type(combiner)) and fitted is not combiner  # fit returns self
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() == combiner.get_params()
    assert [name for name in vars(copy) if name.endswith("_")] == []
    with pytest.raises(NotFittedError):
        copy.predict_proba(probs)
    assert copy.fit(probs, y) is copy
    assert np.array_equal(copy.predict_proba(probs), fitted.predict_proba(probs))
    assert np.array_equal(copy.predict(probs), fitted.predict_proba(probs).argmax(-1))
    assert copy.score(probs, y) == combine.accuracy(y, fitted.predict_proba(probs))


def test_combiner_parameters_can_be_set_like_scikit_learns():
    stacker = combine.Stacking().set_params(C=0.05)
    assert (stacker.C, stacker.max_iter) == (0.05, 1000)
    assert repr(combine.WeightedAverage(rounds=5)) == "WeightedAverage(rounds=5)"
    with pytest.raises(ValueError):
        combine.WeightedAverage().set_params(weights=[1, 0])


def test_cross_validated_accuracy_scores_only_held_out_folds():
    # A "method" that memorises: it knows the labels of the examples it was fitted on and
    # answers class 0 for any other one.
    class Memoriser:
        def fit(self, probs, y):
            self.known = dict(zip(probs[0, :, 0].tolist(), np.asarray(y).tolist()))
            return self

        def predict_proba(self, probs):
            return np.eye(2)[[self.known.get(key, 0) for key in probs[0, :, 0].tolist()]]

    y = np.array([0, 1] * 10)
    probs = np.linspace(0, 1, 20)[None, :, None].repeat(2, axis=2)  # one distinct key per example
    assert combine.accuracy(y, Memoriser().fit(probs, y).predict_proba(probs)) == 1.0  # in-sample: perfect
    # held out, it always answers 0, and every stratified fold is half 0s, half 1s
    assert combine.cross_validated_accuracy(Memoriser(), probs, y, folds=5) == 0.5


def test_cross_validated_accuracy_pools_the_folds():
    # The weighted average always picks member 1, right on 9 of 10 images: every held-out fold
    # is scored with it, and the pooled accuracy is 9 / 10 whatever the folds are.
    y = np.array([0, 1] * 5)
    wrong_once = np.eye(2)[y] * 0.8 + 0.1
    wrong_once[9] = [0.6, 0.4]
    probs = np.stack([np.eye(2)[1 - y] * 0.8 + 0.1, wrong_once])
    for seed in range(3):
        assert combine.cross_validated_accuracy(combine.WeightedAverage(rounds=3), probs, y, folds=2, seed=seed) == 0.9
