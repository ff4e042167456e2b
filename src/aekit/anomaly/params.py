"""The parameters of :class:`aekit.AnomalyDetector`: names, defaults, checks and documentation."""

from __future__ import annotations

from aekit.estimators.params import Choice, Int, Number, Objects, Param, by_name

DETECTOR_PARAMS = by_name(
    [
        Param(
            "member",
            None,
            Objects(checked=False),
            "the aekit autoencoder that scores: an unfitted member (fit fits a clone of it on "
            "the rows not held out), a fitted one (used as it is), or a model folder written "
            "by save; None: a default sized to the data (see Notes)",
            cli=False,
        ),
        Param(
            "contamination",
            "auto",
            Number(0.0, 0.5, closed="right"),
            "the expected share of anomalies: the threshold is the (1 - contamination) "
            "quantile of the held-out scores; 'auto' takes the quantile that gives "
            "false_alarm_rate instead",
            words=("auto",),
        ),
        Param(
            "false_alarm_rate",
            0.01,
            Number(0.0, 1.0, closed="neither"),
            "with contamination='auto', the share of normal rows to flag: the threshold is "
            "the (1 - false_alarm_rate) quantile of the held-out scores",
        ),
        Param(
            "holdout_fraction",
            0.2,
            Number(0.0, 1.0, closed="neither"),
            "the share of the rows kept out of the member's training to set the threshold on "
            "(at least one row)",
        ),
        Param(
            "n_members",
            "auto",
            Int(1),
            "how many members to train on the same rows, seeded apart (random_state + k); "
            "above 1, a row's score is the mean of the members' scores, each loss divided by "
            "its mean on the held-out rows (an ensemble: its scores vary less from seed to "
            "seed); auto: 3 for the default member, 1 for a given one",
            words=("auto",),
        ),
        Param(
            "code_neighbors",
            "auto",
            Int(1),
            "add the distance from a row's code to its k-th nearest code among the training "
            "rows, each term standardised on the held-out rows: it sees rows reconstructed "
            "well but encoded where no training row lies; auto: 3 % of the training rows (at "
            "least 5) for the default member, none for a given one",
            none=True,
            none_means="no distance term",
            words=("auto",),
        ),
        Param(
            "code_density",
            "auto",
            Choice(("auto", "gaussian")),
            "add how unlikely a row's code is under a Gaussian fitted to the training rows' "
            "codes (its squared Mahalanobis distance, Ledoit-Wolf covariance), each term "
            "standardised on the held-out rows: it sees rows reconstructed well but encoded "
            "away from most codes; auto: gaussian for the default member, none for a given one",
            none=True,
            none_means="no density term",
        ),
        Param(
            "random_state",
            None,
            Int(0),
            "seed of the held-out split and of the default member",
            none=True,
            none_means="a fresh seed",
        ),
    ]
)
