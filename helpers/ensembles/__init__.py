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
:func:`average_model`, :func:`multiply_adds`); :class:`~helpers.ensembles.scoreboard.Scoreboard` keeps every
member and ensemble with its accuracies and costs; :mod:`helpers.ensembles.noise`'s
:func:`accuracy_standard_error` and :func:`paired_standard_error` say how big a real difference is;
:mod:`helpers.ensembles.figures` draws the gains and the disputed images (:func:`plot_gain_with_errors`,
:func:`plot_disagreements`).

Import each from its module, as notebook 07 does::

    from helpers.ensembles import combine, figures, noise, scoreboard
    from helpers.ensembles.members import average_model, multiply_adds, predict_members
"""
