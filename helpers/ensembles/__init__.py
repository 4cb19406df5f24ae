"""Ensembles: combine several classifiers into one that makes fewer mistakes.

Introduced in ``07_ensembles.ipynb``. The combination methods (:mod:`helpers.ensembles.combine`)
work on the members' predicted probabilities stacked into one array ``probs`` of shape
``(members, examples, classes)`` (``np.stack([m.predict(x) for m in models])``), so they are plain
NumPy / scikit-learn, fast, and can be reused on predictions that were computed once:

- :func:`average` (soft voting) and its weighted form, with weights chosen on validation data by
  :func:`select_weights` (:class:`WeightedAverage`);
- :func:`majority_vote` (hard voting);
- :class:`Stacking`: a scikit-learn ``LogisticRegression`` trained on the members' held-out predictions;
- boosting: :func:`samme_combine`, the weighted vote of AdaBoost's SAMME;
- :func:`cross_validated_accuracy`: an honest validation score for a method that is itself fitted
  on the validation split.

:class:`WeightedAverage` and :class:`Stacking` are scikit-learn estimators (``get_params``,
``set_params``, ``sklearn.base.clone``; fitted state in attributes ending in ``_``) whose input is
``probs`` rather than an (examples, features) array.

:mod:`helpers.ensembles.members` is the Keras side (:func:`predict_members`,
:func:`average_model`, :func:`multiply_adds`); :class:`Scoreboard` keeps every member and ensemble with its accuracies and costs;
:func:`accuracy_standard_error` and :func:`paired_standard_error` say how big a real difference is;
:func:`plot_gain_with_errors` and :func:`plot_disagreements` draw the gains and the disputed images.
"""

from helpers.ensembles.combine import (
    Combiner,
    EnsembleError,
    Stacking,
    WeightedAverage,
    accuracy,
    average,
    cross_validated_accuracy,
    majority_vote,
    samme_combine,
    select_weights,
    stacking_features,
    vote_counts,
)
from helpers.ensembles.figures import disagreement_order, plot_disagreements, plot_gain_with_errors
from helpers.ensembles.members import average_model, multiply_adds, predict_members
from helpers.ensembles.noise import accuracy_standard_error, in_standard_errors, paired_standard_error
from helpers.ensembles.scoreboard import Entry, Scoreboard

__all__ = [
    "Combiner", "EnsembleError", "Entry", "Scoreboard", "Stacking", "WeightedAverage", "accuracy",
    "accuracy_standard_error", "average", "average_model", "cross_validated_accuracy",
    "disagreement_order", "in_standard_errors", "majority_vote", "multiply_adds", "paired_standard_error", "plot_disagreements",
    "plot_gain_with_errors", "predict_members", "samme_combine", "select_weights",
    "stacking_features", "vote_counts",
]
