import numpy as np
import pytest

from helpers.evaluate import Evaluation, evaluate_classifier
from helpers.models import mnist_cnn


@pytest.fixture
def evaluation():
    # 3 classes, 6 examples: two mistakes, both "b" read as "c"; one of them very confident.
    y_true = np.array([0, 1, 1, 2, 1, 0])
    probabilities = np.array(
        [[0.8, 0.1, 0.1], [0.1, 0.3, 0.6], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.0, 0.05, 0.95], [0.6, 0.3, 0.1]]
    )
    return Evaluation(y_true=y_true, probabilities=probabilities, class_names=["a", "b", "c"])


def test_accuracy_and_predictions(evaluation):
    assert evaluation.y_pred.tolist() == [0, 2, 1, 2, 2, 0]
    assert evaluation.accuracy == pytest.approx(4 / 6)


def test_confusion_rows_are_true_classes(evaluation):
    assert evaluation.confusion().tolist() == [[2, 0, 0], [0, 1, 2], [0, 0, 1]]


def test_per_class_accuracy_and_most_confused(evaluation):
    assert evaluation.per_class_accuracy() == pytest.approx({"a": 1.0, "b": 1 / 3, "c": 1.0})
    assert evaluation.most_confused(5) == [("b", "c", 2)]


def test_mistakes_most_confident_first(evaluation):
    assert evaluation.mistakes().tolist() == [4, 1]


def test_report_has_a_row_per_class_with_its_scores(evaluation):
    lines = evaluation.report().splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    rows = {line.split()[0]: [float(cell) for cell in line.split()[1:]] for line in lines[1:] if len(line.split()) == 5}
    assert list(rows) == ["a", "b", "c"], "one row per class, in the order of class_names"
    assert {name: row[1] for name, row in rows.items()} == pytest.approx(evaluation.per_class_accuracy(), abs=5e-4), "recall"
    assert rows["c"][0] == pytest.approx(1 / 3, abs=5e-4), "precision: one of the three read as c is a c"
    assert [row[3] for row in rows.values()] == [2, 3, 1], "support: the true examples of each class"


def test_evaluate_classifier_uses_the_model_probabilities(dataset_here):
    from helpers.data.arrays import load_mnist

    dataset_here("mnist")
    _, (x_test, y_test) = load_mnist(verbose=False)
    model = mnist_cnn()
    result = evaluate_classifier(model, x_test[:32, ..., None], y_test[:32], [str(i) for i in range(10)])
    assert result.probabilities.shape == (32, 10)
    assert np.allclose(result.probabilities.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(result.probabilities, model.predict(x_test[:32, ..., None], verbose=0), atol=1e-6)
    assert result.accuracy == np.mean(result.probabilities.argmax(axis=1) == y_test[:32]), "scored against the labels given"
