"""Unit tests for helpers.ensembles (and the ensemble additions to models and plots), on hand-made arrays."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, log_loss

from helpers import ensembles
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
    assert ensembles.accuracy(Y, [0, 1, 0, 1]) == 0.75
    assert ensembles.accuracy(Y, PROBS[0]) == 0.5
    assert type(ensembles.accuracy(Y, PROBS[0])) is float


def test_accuracy_is_scikit_learns_accuracy_score():
    rng = np.random.default_rng(0)
    y, predicted = rng.integers(0, 10, 1_000), rng.integers(0, 10, 1_000)
    assert ensembles.accuracy(y, predicted) == accuracy_score(y, predicted) == np.mean(y == predicted)


def test_accuracy_refuses_predictions_for_other_images():
    with pytest.raises(ensembles.EnsembleError, match="same images"):
        ensembles.accuracy(Y, [0, 1, 2])


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
    assert np.allclose(ensembles.average(PROBS), expected)
    assert ensembles.average(PROBS).argmax(-1).tolist() == [0, 1, 2, 1]


def test_weighted_average_normalises_the_weights():
    # weights 2:0:2 are the mean of members 0 and 2
    assert np.allclose(ensembles.average(PROBS, [2, 0, 2]), (PROBS[0] + PROBS[2]) / 2)
    assert np.allclose(ensembles.average(PROBS, [0, 1, 0]), PROBS[1])


@pytest.mark.parametrize("weights", [[1, 1], [1, -1, 1], [0, 0, 0]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ensembles.EnsembleError):
        ensembles.average(PROBS, weights)


def test_predictions_must_be_stacked():
    with pytest.raises(ensembles.EnsembleError, match=r"shape \(members, examples, classes\), got shape \(4, 3\)") as raised:
        ensembles.average(PROBS[0])
    assert isinstance(raised.value, CourseError)  # shown in Jupyter as its message alone


def test_vote_counts():
    # member labels: m0 [0, 1, 0, 2], m1 [0, 2, 2, 1], m2 [1, 1, 2, 1]
    assert ensembles.vote_counts(PROBS).tolist() == [[2, 1, 0], [0, 2, 1], [1, 0, 2], [0, 2, 1]]


def test_majority_vote_with_a_clear_majority():
    assert ensembles.majority_vote(PROBS).tolist() == [0, 1, 2, 1]


def test_majority_vote_tie_goes_to_the_higher_average_probability():
    # two members, one vote each for class 0 and class 2; class 2 has the higher mean (0.5 vs 0.45)
    probs = np.array([[[0.5, 0.1, 0.4]], [[0.4, 0.0, 0.6]]])
    assert ensembles.vote_counts(probs).tolist() == [[1, 0, 1]]
    assert ensembles.majority_vote(probs).tolist() == [2]


def test_majority_vote_full_tie_goes_to_the_lowest_class():
    probs = np.array([[[0.6, 0.4, 0.0]], [[0.4, 0.6, 0.0]]])  # one vote each, equal mean 0.5
    assert ensembles.majority_vote(probs).tolist() == [0]


def test_select_weights_mixes_complementary_members():
    # A is wrong on example 1, B on example 0; symmetric, so ties go to the lower index.
    y = np.array([0, 1])
    probs = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.4, 0.6], [0.1, 0.9]]])
    assert ensembles.select_weights(probs, y, rounds=1).tolist() == [1.0, 0.0]
    assert ensembles.select_weights(probs, y, rounds=2).tolist() == [0.5, 0.5]
    assert ensembles.select_weights(probs, y, rounds=3).tolist() == pytest.approx([2 / 3, 1 / 3])
    assert ensembles.select_weights(probs, y, rounds=4).tolist() == [0.5, 0.5]


def test_select_weights_ignores_a_useless_member():
    y = np.array([0, 1, 0])
    good = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]
    bad = [[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]]
    weights = ensembles.select_weights(np.array([bad, good]), y, rounds=10)
    assert weights.tolist() == [0.0, 1.0]


def test_weighted_average_estimator():
    y = np.array([0, 1])
    probs = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.4, 0.6], [0.1, 0.9]]])
    fitted = ensembles.WeightedAverage(rounds=4).fit(probs, y)
    assert fitted.weights_.tolist() == [0.5, 0.5]
    assert np.allclose(fitted.predict_proba(probs), [[0.65, 0.35], [0.35, 0.65]])


def test_stacking_features_are_member_major_log_probabilities():
    features = ensembles.stacking_features(PROBS)
    assert features.shape == (4, 9)
    assert np.allclose(features[0], np.log([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.5, 0.3]))
    zero = ensembles.stacking_features(np.array([[[1.0, 0.0]]]))
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
    assert ensembles.accuracy(y, ensembles.average(probs)) < 0.5
    stacker = ensembles.Stacking().fit(probs, y)
    out = stacker.predict_proba(probs)
    assert out.shape == (len(y), 3) and np.allclose(out.sum(axis=1), 1)
    assert ensembles.accuracy(y, out) == 1.0
    assert stacker.params == 2 * 3 * 3 + 3


def test_stacking_keeps_every_class_column_when_a_class_is_missing():
    y = np.array([0, 1] * 10)  # class 2 never appears
    probs = np.stack([_label_probs(y), _label_probs(y)])
    out = ensembles.Stacking().fit(probs, y).predict_proba(probs)
    assert out.shape == (20, 3) and np.all(out[:, 2] == 0)


COMBINERS = [ensembles.WeightedAverage(rounds=7), ensembles.Stacking(C=0.3, max_iter=500)]


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
    assert copy.score(probs, y) == ensembles.accuracy(y, fitted.predict_proba(probs))


def test_combiner_parameters_can_be_set_like_scikit_learns():
    stacker = ensembles.Stacking().set_params(C=0.05)
    assert (stacker.C, stacker.max_iter) == (0.05, 1000)
    assert repr(ensembles.WeightedAverage(rounds=5)) == "WeightedAverage(rounds=5)"
    with pytest.raises(ValueError):
        ensembles.WeightedAverage().set_params(weights=[1, 0])


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
    assert ensembles.accuracy(y, Memoriser().fit(probs, y).predict_proba(probs)) == 1.0  # in-sample: perfect
    # held out, it always answers 0, and every stratified fold is half 0s, half 1s
    assert ensembles.cross_validated_accuracy(Memoriser(), probs, y, folds=5) == 0.5


def test_cross_validated_accuracy_pools_the_folds():
    # The weighted average always picks member 1, right on 9 of 10 images: every held-out fold
    # is scored with it, and the pooled accuracy is 9 / 10 whatever the folds are.
    y = np.array([0, 1] * 5)
    wrong_once = np.eye(2)[y] * 0.8 + 0.1
    wrong_once[9] = [0.6, 0.4]
    probs = np.stack([np.eye(2)[1 - y] * 0.8 + 0.1, wrong_once])
    for seed in range(3):
        assert ensembles.cross_validated_accuracy(ensembles.WeightedAverage(rounds=3), probs, y, folds=2, seed=seed) == 0.9


def test_bootstrap_indices():
    sample = ensembles.bootstrap_indices(10_000, seed=1)
    assert sample.shape == (10_000,) and sample.dtype.kind == "i"
    # drawn uniformly with replacement, an index is drawn k times with probability e^-1 / k! (Poisson(1))
    times = np.bincount(sample, minlength=10_000)
    assert len(times) == 10_000  # no index beyond range(n)
    assert np.mean(times == 2) == pytest.approx(np.exp(-1) / 2, abs=0.01)
    assert ensembles.out_of_bag_mask(sample, 10_000).mean() == pytest.approx(np.exp(-1), abs=0.01)
    assert np.array_equal(sample, ensembles.bootstrap_indices(10_000, seed=1))
    assert not np.array_equal(sample, ensembles.bootstrap_indices(10_000, seed=2))
    assert len(np.unique(sample)) / 10_000 == pytest.approx(1 - np.exp(-1), abs=0.01)


def test_out_of_bag_mask():
    assert ensembles.out_of_bag_mask([0, 0, 2, 3, 3], 5).tolist() == [False, True, False, False, True]


def test_samme_update_exact_values():
    weights, alpha = ensembles.samme_update(np.ones(4), [True, True, True, False], num_classes=10)
    # err = 1/4: alpha = log(3) + log(9) = log(27); the wrong example's weight becomes 27, then mean 1
    assert alpha == pytest.approx(np.log(27))
    assert weights == pytest.approx(np.array([1, 1, 1, 27]) * 4 / 30)
    assert weights.mean() == pytest.approx(1.0)


def test_samme_update_learning_rate_and_wrong_share():
    weights, alpha = ensembles.samme_update(np.ones(4), [True, True, True, False], num_classes=10, learning_rate=0.5)
    assert alpha == pytest.approx(0.5 * np.log(27))
    assert weights[3] / weights[0] == pytest.approx(np.sqrt(27))
    # with the full step, the misclassified examples always end up with (K-1)/K of the weight
    full, _ = ensembles.samme_update(np.ones(100), np.arange(100) >= 3, num_classes=10)
    assert full[:3].sum() / full.sum() == pytest.approx(0.9)


def test_samme_update_refuses_a_member_no_better_than_guessing():
    with pytest.raises(ensembles.EnsembleError, match="no better than guessing"):
        ensembles.samme_update(np.ones(10), [True] + [False] * 9, num_classes=10)


def test_samme_combine_weighted_votes():
    # members vote 0, 0, 1 on example 0 and 2, 1, 1 on example 1
    probs = np.array([[[0.9, 0.1, 0.0], [0.1, 0.2, 0.7]], [[0.6, 0.4, 0.0], [0.2, 0.5, 0.3]], [[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]]])
    scores = ensembles.samme_combine(probs, [1.0, 1.0, 1.5])
    assert np.allclose(scores, [[2 / 3.5, 1.5 / 3.5, 0], [0, 2.5 / 3.5, 1 / 3.5]])
    assert ensembles.samme_combine(probs, [1.0, 1.0, 2.5]).argmax(-1).tolist() == [1, 1]
    with pytest.raises(ensembles.EnsembleError):
        ensembles.samme_combine(probs, [1.0, 1.0])


def _table_rows(table):
    """The rows of :meth:`Scoreboard.table` as dicts of their text fields, by model name."""
    head, rule, *lines, _footnote = table.splitlines()
    assert head.split() == ["model", "kind", "n", "val", "acc", "test", "acc", "±", "se", "gain", "train", "s",
                            "pred", "s", "params"] and set(rule) == {"-"}
    keys = ("model", "kind", "n", "val acc", "test acc", "se", "gain", "train s", "pred s", "params")
    rows = {}
    for line in lines:
        fields = line.split()
        if len(fields) == len(keys) - 1:
            fields.insert(keys.index("gain"), "")  # a single model has no gain
        rows[fields[0]] = dict(zip(keys, fields))
    return rows


def test_scoreboard_sums_costs_and_picks_on_validation():
    y_val, y_test = np.array([0, 1, 2, 1]), np.array([0, 1])
    board = ensembles.Scoreboard(y_val, y_test)
    board.add_member("a", [0, 1, 2, 2], [0, 0], train_seconds=10, predict_seconds=1, params=100)  # val .75, test .5
    board.add_member("b", [0, 1, 0, 0], [0, 1], train_seconds=20, predict_seconds=2, params=100)  # val .5, test 1
    board.add_ensemble("ab", ["a", "b"], [0, 1, 2, 1], [0, 0], extra_seconds=0.5, extra_params=7)
    board.add_ensemble("cv", ["a", "b"], [0, 0, 0, 0], [0, 1], val_accuracy=0.9)
    ab = board.entries["ab"]
    assert (ab.members, ab.val_accuracy, ab.test_accuracy) == (2, 1.0, 0.5)
    assert (ab.train_seconds, ab.predict_seconds, ab.params) == (30.5, 3, 207)
    assert board.best("member").name == "a"  # by validation, although b is better on test
    assert board.best("ensemble").name == "ab"
    assert board.best_on_test("member").name == "b"  # the bar a gain is measured against
    table = board.table()
    rows = _table_rows(table)
    assert rows["ab"] == {"model": "ab", "kind": "ensemble", "n": "2", "val acc": "100.00%", "test acc": "50.00%",
                          "se": "35.36", "gain": "-50.00", "train s": "30.5", "pred s": "3.00", "params": "207"}
    assert rows["a"]["se"] == "35.36"  # standard error of "a" on test: sqrt(0.5 * 0.5 / 2) = 35.36 points
    assert rows["a"]["gain"] == rows["b"]["gain"] == ""  # gains only for ensembles
    assert rows["cv"]["gain"] == "+0.00" and rows["cv"]["val acc"] == "90.00%"  # 1.0 - 1.0, not "-0.00"
    assert table.splitlines()[-1] == "gain: test accuracy minus that of b (the best single model on test), in points"
    assert str(board) == table
    with pytest.raises(ensembles.EnsembleError, match="no entry of kind"):
        board.best_on_test("boost")


def test_accuracy_standard_error():
    y = np.array([0] * 100)
    predicted = np.array([0] * 60 + [1] * 40)  # 60% right
    assert np.isclose(ensembles.accuracy_standard_error(y, predicted), np.sqrt(0.6 * 0.4 / 100))
    assert ensembles.accuracy_standard_error(y, np.zeros(100)) == 0.0  # always right: no spread
    onehot = np.eye(2)[predicted]
    assert np.isclose(ensembles.accuracy_standard_error(y, onehot), np.sqrt(0.6 * 0.4 / 100))  # probabilities too
    with pytest.raises(ensembles.EnsembleError, match="same images"):
        ensembles.accuracy_standard_error(y, predicted[:50])


def test_paired_standard_error_counts_only_the_images_where_the_models_differ():
    y = np.zeros(100, dtype=int)
    a = np.array([0] * 60 + [1] * 40)  # right on images 0-59
    b = np.array([0] * 50 + [1] * 50)  # right on images 0-49: a is right on 10 more, never worse
    difference = np.r_[np.zeros(50), np.ones(10), np.zeros(40)]
    expected = difference.std(ddof=1) / 10
    assert np.isclose(ensembles.paired_standard_error(y, a, b), expected)
    assert ensembles.paired_standard_error(y, a, b) < ensembles.accuracy_standard_error(y, a)  # agreement removes noise
    assert ensembles.paired_standard_error(y, a, a) == 0.0


def test_disagreement_order_puts_split_votes_first():
    # 3 members, 3 images: image 0 all agree, image 1 votes split 1-1-1, image 2 split 2-1
    probs = np.array([
        [[0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.7, 0.3, 0.0]],
        [[0.8, 0.2, 0.0], [0.2, 0.6, 0.2], [0.6, 0.4, 0.0]],
        [[0.9, 0.0, 0.1], [0.2, 0.2, 0.6], [0.1, 0.9, 0.0]],
    ])
    assert ensembles.disagreement_order(probs).tolist() == [1, 2, 0]


def test_plot_disagreements_shows_right_and_wrong_disputed_images():
    # 2 members, 4 images, 2 classes; true labels 0, 1, 1, 0
    probs = np.array([
        [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55]],
        [[0.8, 0.2], [0.4, 0.6], [0.4, 0.6], [0.6, 0.4]],
    ])
    images = np.zeros((4, 8, 8, 3), dtype="uint8")
    ensemble = [0, 0, 1, 0]  # right on 0, 2, 3; wrong on 1
    fig = ensembles.plot_disagreements(images, probs, [0, 1, 1, 0], ["cat", "dog"], ensemble_pred=ensemble, count=2, ncols=2)
    shown = [ax for ax in fig.axes if ax.get_title()]
    titles = [ax.get_title() for ax in shown]
    assert len(titles) == 2
    # first the most disputed image the ensemble gets right (image 3: split 1-1), then the one it gets wrong (image 1)
    assert titles[0] == "true: cat\nvotes: cat 1 · dog 1\nensemble: cat"  # the one wording test of the titles
    true, _votes, answer = titles[1].split("\n")
    assert (true, answer) == ("true: dog", "ensemble: cat")
    assert [ax.title.get_color() for ax in shown] == ["green", "red"]


def test_plot_gain_with_errors_starts_at_zero_and_draws_the_gains():
    fig = ensembles.plot_gain_with_errors(
        ["m1", "m2", "average"], [0.40, 0.42, 0.47], [0.011, 0.011, 0.011], ["member", "member", "ensemble"],
        baseline="m2", gain_errors=[0, 0, 0.009],
    )
    left, right = fig.axes[:2]
    assert left.get_xlim()[0] == 0  # no truncated axis
    assert [t.get_text() for t in left.texts] == [" 40.0%", " 42.0%", " 47.0%"]
    assert [t.get_text() for t in right.get_yticklabels()] == ["average"]
    assert [t.get_text() for t in right.texts] == [" +5.0 ± 1.8"]  # gain in points, ± 2 standard errors
    assert right.get_title() == "Gain over m2"


def test_cifar_small_cnn_sizes_and_no_randomness_at_inference():
    from helpers.models import cifar_small_cnn

    small = cifar_small_cnn(width=32, downsample=True)
    large = cifar_small_cnn(width=16, flip=True, seed=3)
    assert small.output_shape == large.output_shape == (None, 10)
    assert small.count_params() == 58_890 and large.count_params() == 19_466
    x = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype("uint8")
    assert np.allclose(large.predict(x, verbose=0), large.predict(x, verbose=0))  # the flip acts only in training


def test_members_train_together_with_their_own_sample_weights():
    """One Functional model with one output per member: each output's loss uses its own weights."""
    import keras

    from helpers.data import load_mnist

    (x, y), _ = load_mnist(verbose=False)
    x, y = x[:128, ..., None], y[:128].astype(int)
    members = [keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                                 keras.layers.Dense(10, activation="softmax")], name=f"m{i}") for i in range(2)]
    before = [m.get_weights()[0].copy() for m in members]
    inputs = keras.Input((28, 28, 1))
    team = keras.Model(inputs, [m(inputs) for m in members])
    team.compile(optimizer="adam", loss=["sparse_categorical_crossentropy"] * 2)
    weights = [np.ones(len(x), "float32"), np.zeros(len(x), "float32")]  # member 2 gets no training signal
    history = team.fit(x, [y, y], sample_weight=weights, epochs=1, batch_size=64, verbose=0)
    assert {"m0_loss", "m1_loss"} <= set(history.history)
    assert not np.allclose(members[0].get_weights()[0], before[0])
    assert np.allclose(members[1].get_weights()[0], before[1])


def test_train_predict_and_average_model_agree():
    from helpers.data import load_mnist
    from helpers.models import mnist_cnn

    (x, y), _ = load_mnist(verbose=False)
    x, y = x[:256, ..., None], y[:256]
    members = [ensembles.train_member(mnist_cnn, x, y, seed=seed, epochs=1, name=f"m{seed}")[0] for seed in (0, 1)]
    probs, seconds = ensembles.predict_members(members, x[:64])
    assert probs.shape == (2, 64, 10) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    assert len(seconds) == 2 and all(s > 0 for s in seconds)
    assert not np.allclose(probs[0], probs[1]), "different seeds give different members"
    combined = ensembles.average_model(members).predict(x[:64], verbose=0)
    assert np.allclose(combined, ensembles.average(probs), atol=1e-5)


def test_mnist_strong_cnn_shape_parameters_and_inference_without_augmentation():
    from helpers.models import mnist_strong_cnn

    model = mnist_strong_cnn()
    assert model.output_shape == (None, 10)
    assert model.count_params() == 327_242
    assert mnist_strong_cnn(augment=False).count_params() == 327_242  # augmentation layers have no weights
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)).astype("uint8")
    assert np.allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))  # no randomness at inference
