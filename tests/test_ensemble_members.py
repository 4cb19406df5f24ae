"""Unit tests for the ensembles' members and scoring: boosting's weighted vote (SAMME), the scoreboard, the
noise figures, the disagreement plots, and the member builders in helpers.models; on hand-made arrays.

The combiners (averages, votes, stacking, cross-validation) are in test_ensembles.py."""

import numpy as np
import pytest

from helpers import errors
from helpers.ensembles import combine, figures, noise, scoreboard
from helpers.ensembles.members import average_model, multiply_adds, predict_members


def test_samme_combine_weighted_votes():
    # members vote 0, 0, 1 on example 0 and 2, 1, 1 on example 1
    probs = np.array([[[0.9, 0.1, 0.0], [0.1, 0.2, 0.7]], [[0.6, 0.4, 0.0], [0.2, 0.5, 0.3]], [[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]]])
    scores = combine.samme_combine(probs, [1.0, 1.0, 1.5])
    assert np.allclose(scores, [[2 / 3.5, 1.5 / 3.5, 0], [0, 2.5 / 3.5, 1 / 3.5]])
    assert combine.samme_combine(probs, [1.0, 1.0, 2.5]).argmax(-1).tolist() == [1, 1]
    with pytest.raises(errors.EnsembleError):
        combine.samme_combine(probs, [1.0, 1.0])


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
    board = scoreboard.Scoreboard(y_val, y_test)
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
    with pytest.raises(errors.EnsembleError, match="no entry of kind"):
        board.best_on_test("boost")


def test_accuracy_standard_error():
    y = np.array([0] * 100)
    predicted = np.array([0] * 60 + [1] * 40)  # 60% right
    assert np.isclose(noise.accuracy_standard_error(y, predicted), np.sqrt(0.6 * 0.4 / 100))
    assert noise.accuracy_standard_error(y, np.zeros(100)) == 0.0  # always right: no spread
    onehot = np.eye(2)[predicted]
    assert np.isclose(noise.accuracy_standard_error(y, onehot), np.sqrt(0.6 * 0.4 / 100))  # probabilities too
    with pytest.raises(errors.EnsembleError, match="same images"):
        noise.accuracy_standard_error(y, predicted[:50])


def test_paired_standard_error_counts_only_the_images_where_the_models_differ():
    y = np.zeros(100, dtype=int)
    a = np.array([0] * 60 + [1] * 40)  # right on images 0-59
    b = np.array([0] * 50 + [1] * 50)  # right on images 0-49: a is right on 10 more, never worse
    difference = np.r_[np.zeros(50), np.ones(10), np.zeros(40)]
    expected = difference.std(ddof=1) / 10
    assert np.isclose(noise.paired_standard_error(y, a, b), expected)
    assert noise.paired_standard_error(y, a, b) < noise.accuracy_standard_error(y, a)  # agreement removes noise
    assert noise.paired_standard_error(y, a, a) == 0.0


def test_disagreement_order_puts_split_votes_first():
    # 3 members, 3 images: image 0 all agree, image 1 votes split 1-1-1, image 2 split 2-1
    probs = np.array([
        [[0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.7, 0.3, 0.0]],
        [[0.8, 0.2, 0.0], [0.2, 0.6, 0.2], [0.6, 0.4, 0.0]],
        [[0.9, 0.0, 0.1], [0.2, 0.2, 0.6], [0.1, 0.9, 0.0]],
    ])
    assert figures.disagreement_order(probs).tolist() == [1, 2, 0]


def test_plot_disagreements_shows_right_and_wrong_disputed_images():
    # 2 members, 4 images, 2 classes; true labels 0, 1, 1, 0
    probs = np.array([
        [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55]],
        [[0.8, 0.2], [0.4, 0.6], [0.4, 0.6], [0.6, 0.4]],
    ])
    images = np.zeros((4, 8, 8, 3), dtype="uint8")
    ensemble = [0, 0, 1, 0]  # right on 0, 2, 3; wrong on 1
    fig = figures.plot_disagreements(images, probs, [0, 1, 1, 0], ["cat", "dog"], ensemble_pred=ensemble, count=2, ncols=2)
    shown = [ax for ax in fig.axes if ax.get_title()]
    titles = [ax.get_title() for ax in shown]
    assert len(titles) == 2
    # first the most disputed image the ensemble gets right (image 3: split 1-1), then the one it gets wrong (image 1)
    assert titles[0] == "true: cat\nvotes: cat 1 · dog 1\nensemble: cat"  # the one wording test of the titles
    true, _votes, answer = titles[1].split("\n")
    assert (true, answer) == ("true: dog", "ensemble: cat")
    assert [ax.title.get_color() for ax in shown] == ["green", "red"]


def test_plot_gain_with_errors_starts_at_zero_and_draws_the_gains():
    fig = figures.plot_gain_with_errors(
        ["m1", "m2", "average"], [0.40, 0.42, 0.47], [0.011, 0.011, 0.011], ["member", "member", "ensemble"],
        baseline="m2", gain_errors=[0, 0, 0.009],
    )
    left, right = fig.axes[:2]
    assert left.get_xlim()[0] == 0  # no truncated axis
    assert [t.get_text() for t in left.texts] == [" 40.00%", " 42.00%", " 47.00%"]
    assert [t.get_text() for t in right.get_yticklabels()] == ["average"]
    assert [t.get_text() for t in right.texts] == [" +5.00 ± 1.80"]  # gain in points, ± 2 standard errors
    assert right.get_title() == "Gain over m2"


def test_cifar_small_cnn_sizes_and_no_randomness_at_inference():
    from helpers.models import cifar_small_cnn

    small = cifar_small_cnn(width=32, downsample=True)
    large = cifar_small_cnn(width=16, flip=True, seed=3)
    assert small.output_shape == large.output_shape == (None, 10)
    assert small.count_params() == 58_890 and large.count_params() == 19_466
    x = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype("uint8")
    assert np.allclose(large.predict(x, verbose=0), large.predict(x, verbose=0))  # the flip acts only in training


def test_members_train_together_with_their_own_sample_weights(dataset_here):
    """One Functional model with one output per member: each output's loss uses its own weights."""
    import keras

    from helpers.data.arrays import load_mnist

    dataset_here("mnist")
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


def test_predict_members_and_average_model_agree():
    import keras

    from helpers.models import mnist_cnn

    x = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1)).astype("uint8")
    members = []
    for seed in (0, 1):
        keras.utils.set_random_seed(seed)  # a member per seed: different initial weights
        members.append(mnist_cnn(name=f"m{seed}"))
    probs, seconds = predict_members(members, x[:64])
    assert probs.shape == (2, 64, 10) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    assert len(seconds) == 2 and all(s > 0 for s in seconds)
    assert not np.allclose(probs[0], probs[1]), "different seeds give different members"
    combined = average_model(members).predict(x[:64], verbose=0)
    assert np.allclose(combined, combine.average(probs), atol=1e-5)


def test_mnist_strong_cnn_shape_parameters_and_inference_without_augmentation():
    from helpers.models import mnist_strong_cnn

    model = mnist_strong_cnn()
    assert model.output_shape == (None, 10)
    assert model.count_params() == 327_242
    assert mnist_strong_cnn(augment=False).count_params() == 327_242  # augmentation layers have no weights
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)).astype("uint8")
    assert np.allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))  # no randomness at inference


def test_multiply_adds_counts_convolutions_at_every_pixel_and_dense_layers_once():
    import keras

    from helpers.models import cifar_small_cnn

    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, padding="same"), keras.layers.MaxPooling2D(),
                              keras.layers.Flatten(), keras.layers.Dense(5)])
    assert multiply_adds(model) == 8 * 8 * 4 * 3 * 3 * 3 + 4 * 4 * 4 * 5
    # the two member kinds of notebook 07: three times the parameters, about the same arithmetic
    small, large = cifar_small_cnn(width=32, downsample=True, name="a"), cifar_small_cnn(width=16, name="b")
    assert multiply_adds(small) == 16 * 16 * 32 * 27 + 8 * 8 * 64 * 9 * 32 + 4 * 4 * 64 * 9 * 64 + 2 * 2 * 64 * 10
    assert multiply_adds(large) == 32 * 32 * 16 * 27 + 16 * 16 * 32 * 9 * 16 + 8 * 8 * 32 * 9 * 32 + 4 * 4 * 32 * 10
    inputs = keras.Input((32, 32, 3))
    team = keras.Model(inputs, [small(inputs), large(inputs)])
    assert multiply_adds(team) == multiply_adds(small) + multiply_adds(large)
