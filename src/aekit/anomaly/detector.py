"""An anomaly detector that scores rows by how badly an autoencoder reconstructs them.

An autoencoder trained on (mostly) normal data reconstructs such data well and unusual rows
badly, so its reconstruction loss is an anomaly score (Japkowicz et al. 1995; Sakurada &
Yairi 2014; for a VAE the negative ELBO, An & Cho 2015). The scores are in
:mod:`aekit.anomaly.scores`, the threshold in :mod:`aekit.anomaly.thresholds`; the scikit-learn
side follows :class:`sklearn.ensemble.IsolationForest`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from aekit.anomaly.code_terms import fitted_code_terms
from aekit.anomaly.params import DETECTOR_PARAMS
from aekit.anomaly.saved import (
    code_terms_shapes,
    code_terms_tensors,
    feature_names,
    rebuilt_code_terms,
    saved_code_terms,
)
from aekit.anomaly.scores import feature_losses, row_scores
from aekit.anomaly.thresholds import holdout_split, rate_above, threshold_for
from aekit.data.validation import check_array
from aekit.errors import AekitError, ConfigError, DataError, ModelFileError
from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.base import BaseAutoencoder, _image_shape, _resolve_seed
from aekit.estimators.declare import document, make_init
from aekit.estimators.inference import fitted_input
from aekit.estimators.nested import (
    BuildsOnMember,
    checked_member,
    fitted_member,
    is_fitted,
    member_config,
    member_shapes,
    member_tensors,
    rebuilt_member,
)
from aekit.estimators.params import check_values
from aekit.estimators.persistence import SavesItself
from aekit.io import layout, model_files

MEMBER_PREFIX = "member."  # the member's tensors in model.safetensors
# The default member's code_neighbors: 3 % of its training rows, at least 5. On the class
# tables of benchmarks/anomaly_dev.py's panel, 3 members: 0.8075 mean ROC AUC against 0.8021
# for k = 5 (benchmarks/anomaly_neighbors.py).
NEIGHBOR_SHARE = 0.03


class AnomalyDetector(BuildsOnMember, SavesItself, OutlierMixin, BaseEstimator):
    """Flags rows that an aekit autoencoder reconstructs badly.

    ``fit`` holds out a seeded part of the rows (``holdout_fraction``), trains the member on
    the rest (unless it is fitted already) and sets the threshold on the held-out scores,
    so that the share of normal rows flagged is what was asked for: the (1 - contamination)
    quantile, or with ``contamination="auto"`` the (1 - false_alarm_rate) quantile.

    ``anomaly_score`` (higher is more anomalous, PyOD's sign) is the member's loss per row
    under its own likelihood, in its training (scaled) space: the squared error summed over
    features (Gaussian) or the binary cross-entropy summed over features less each pixel's
    own entropy (Bernoulli: the KL divergence from Bern(x) to Bern(x̂), so that a row does
    not score higher for having more grey pixels); the negative ELBO, less the same entropy,
    for a :class:`~aekit.VariationalAutoencoder`; the free energy for an
    :class:`~aekit.RBM` (see :mod:`aekit.anomaly.scores`). scikit-learn's conventions, as
    :class:`sklearn.ensemble.IsolationForest`:
    ``score_samples = -anomaly_score`` (lower is more abnormal), ``decision_function =
    score_samples - offset_`` (negative for anomalies), ``predict`` +1 for inliers and -1
    for anomalies. ``attribution`` splits a score over the features, ``top_features`` names
    the largest parts.

    Attributes
    ----------
    member_ : aekit estimator
        The fitted member that scores (a copy of a fitted ``member``, never the object itself);
        with ``n_members > 1`` the first of ``members_``.
    members_ : list of aekit estimators
        Every fitted member (one unless ``n_members > 1``).
    loss_scales_ : list of float
        Each member's mean loss on the held-out rows, the unit its scores are averaged in
        (``[1.0]`` for a single member, whose score is its loss as it is).
    code_terms_ : list of CodeTerms or None
        With ``code_neighbors`` or ``code_density``, one per member: the terms read off its
        code (the training rows' codes, the Gaussian) and the held-out units of each term
        and of its loss (:mod:`aekit.anomaly.code_terms`); None otherwise.
    module_ : torch.nn.Module
        The member's network (``member_.module_``).
    threshold_ : float
        Rows whose ``anomaly_score`` exceeds it are anomalies.
    offset_ : float
        ``-threshold_``: ``decision_function = score_samples - offset_``, as in scikit-learn.
    false_alarm_rate_ : float
        The share of the held-out rows flagged by ``threshold_``, as measured.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when fitted on a data frame with string column names; ``top_features`` gives names.

    Notes
    -----
    ``member=None`` trains ``Autoencoder(hidden=(max(8, n_features),),
    code_size=max(2, n_features // 4), scale="standard", epochs=50)`` (a code of at most
    n_features - 1 units, so two columns get one), seeded with the detector's
    ``random_state``: one hidden layer as wide as the input and a code of a quarter of it,
    on standardised columns (so that no column dominates the squared error by its units
    alone). With the ``"auto"`` defaults it trains 3 such members, each scored by its loss
    plus its code's density and its distance to its k-th nearest training code, k being 3 %
    of the training rows (at least 5): on the development panel of
    ``benchmarks/anomaly_dev.py`` (class tables built as ODDS builds its own, no ODDS table
    among them) that recipe was chosen over the loss alone, and k over 5 to 10 % of the rows
    (``benchmarks/anomaly_neighbors.py``). A given member is scored by its loss alone unless
    asked otherwise.

    ``clone`` (so grid searches) keeps a fitted member as it is, as
    :class:`~aekit.PretrainedClassifier` keeps its encoder.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import AnomalyDetector, Autoencoder
    >>> rng = np.random.default_rng(0)
    >>> X = (rng.normal(size=(400, 2)) @ rng.normal(size=(2, 6))).astype(np.float32)
    >>> ae = Autoencoder(hidden=(8,), code_size=2, epochs=20, random_state=0)
    >>> det = AnomalyDetector(ae, contamination=0.05, random_state=0).fit(X)
    >>> odd = np.full((1, 6), 5.0, dtype=np.float32)
    >>> det.predict(odd), bool(det.anomaly_score(odd)[0] > det.threshold_)
    (array([-1]), True)
    >>> det.attribution(X[:2]).shape, det.top_features(X[:2], k=2).shape
    ((2, 6), (2, 2))
    """

    _parameter_constraints: ClassVar[dict[str, Any]] = {
        n: p.constraints() for n, p in DETECTOR_PARAMS.items()
    }
    __init__ = make_init(DETECTOR_PARAMS, positional=("member",))

    def fit(self, X: Any, y: Any = None) -> AnomalyDetector:
        """Train on ``X`` of shape (n_samples, n_features), held-out rows aside; ``y`` ignored."""
        check_values(DETECTOR_PARAMS, self.get_params(deep=False), type(self).__name__)
        seed = _resolve_seed(self.random_state)
        # Feature names only (a data frame's columns); aekit's own check reads the values.
        validate_data(self, X, reset=True, skip_check_array=True, ensure_2d=False)
        image_shape = _image_shape(X)  # ([C,] H, W) of images: the member reads it, if given
        X = check_array(X, name="X")
        train, held_out = holdout_split(X.shape[0], self.holdout_fraction, seed)
        rows = X[train] if image_shape is None else X[train].reshape(-1, *image_shape)
        n_members, neighbors, density = self._recipe(len(train))
        members = [fitted_member(self._member(X.shape[1], seed, k), rows) for k in range(n_members)]
        if X.shape[1] != members[0].n_features_in_:
            raise DataError(
                f"X has {X.shape[1]} features, but the member was trained on "
                f"{members[0].n_features_in_} features"
            )
        # One member: its own loss. Several: each loss in units of its held-out mean.
        losses = [row_scores(m, X[held_out]) for m in members]  # each (n_held_out,)
        self.members_ = members
        self.loss_scales_ = [1.0] if len(members) == 1 else [float(v.mean()) for v in losses]
        self.code_terms_ = None
        if neighbors is not None or density is not None:  # each member's own code terms
            self.code_terms_ = [
                fitted_code_terms(m.transform(rows), neighbors, density) for m in members
            ]
            for terms, member, loss in zip(self.code_terms_, members, losses, strict=True):
                terms.calibrate(loss, member.transform(X[held_out]))
        scores = self._scores(losses, X[held_out])  # (n_held_out,)
        rate = self.false_alarm_rate if self.contamination == "auto" else self.contamination
        threshold = threshold_for(scores, rate)
        self.member_ = members[0]
        self.threshold_ = threshold
        self.offset_ = -threshold
        self.false_alarm_rate_ = rate_above(scores, threshold)
        self.n_features_in_ = X.shape[1]
        return self

    # -- scores ------------------------------------------------------------------------
    def anomaly_score(self, X: Any) -> np.ndarray:
        """The member's loss per row (higher is more anomalous): ndarray of shape (n_samples,).

        With ``code_neighbors`` or ``code_density``, the loss and the code's terms, each in
        held-out standard deviations, added."""
        X = self._input(X)  # checks fitting before member_ is read
        return self._scores([row_scores(m, X) for m in self.members_], X)

    def score_samples(self, X: Any) -> np.ndarray:
        """``-anomaly_score(X)``: lower is more abnormal; ndarray of shape (n_samples,)."""
        return -self.anomaly_score(X)

    def decision_function(self, X: Any) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for anomalies; shape (n_samples,)."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:
        """+1 for an inlier, -1 for an anomaly: ndarray of shape (n_samples,), int."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    def attribution(self, X: Any) -> np.ndarray:
        """Each feature's part of each row's score: ndarray of shape (n_samples, n_features).

        The per-feature loss terms of the member's reconstruction, in its scaled space; for
        an autoencoder (Gaussian or Bernoulli) a row sums to its ``anomaly_score``. For a VAE
        or an RBM, whose score is no sum over features, they are the terms of the
        deterministic reconstruction (posterior mean, mean field): they rank the features
        but do not add up to the score. With ``code_neighbors`` or ``code_density`` they are
        the loss's terms in the score's units; the code's terms are no sum over features and
        are left out.
        """
        X = self._input(X)
        parts = [feature_losses(m, X) for m in self.members_]
        terms = getattr(self, "code_terms_", None)
        if terms is None:
            return self._combined(parts)
        return np.mean([p / t.loss_std for p, t in zip(parts, terms, strict=True)], axis=0)

    def top_features(self, X: Any, k: int = 3) -> np.ndarray:
        """The ``k`` features with the largest ``attribution``, largest first, per row.

        Returns
        -------
        ndarray of shape (n_samples, k)
            Feature indices, or names when the detector has ``feature_names_in_``.
        """
        check_is_fitted(self, "threshold_")
        n = self.n_features_in_
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
            raise ConfigError(f"k must be an integer in [1, {n}] (the features), got {k!r}")
        parts = self.attribution(X)  # (n_samples, n_features)
        top = np.argsort(-parts, axis=1, kind="stable")[:, :k]  # (n_samples, k)
        names = getattr(self, "feature_names_in_", None)
        return top if names is None else np.asarray(names, dtype=object)[top]

    @property
    def history_(self) -> dict[str, list[float]]:
        """The member's per-epoch losses (saved beside the detector as history.json)."""
        return self.member_.history_

    @property
    def module_(self) -> torch.nn.Module:
        """The member's network: what saving and the input checks look for when fitted."""
        return self.member_.module_

    # -- saving: the threshold in the config, the member nested beside it --------------
    def _config_out(self) -> dict[str, Any]:
        params = self.get_params(deep=False)
        kept = {k: _plain(v) for k, v in params.items() if k != "member"}
        names = getattr(self, "feature_names_in_", None)
        return {
            "params": kept,
            "n_features": int(self.n_features_in_),
            "threshold": float(self.threshold_),
            "false_alarm_rate": float(self.false_alarm_rate_),
            "feature_names": None if names is None else [str(n) for n in names],
            "member": member_config(self.member_),
            "more_members": [member_config(m) for m in self.members_[1:]],
            "loss_scales": [float(v) for v in self.loss_scales_],
            "code_terms": None
            if self.code_terms_ is None
            else [t.units() for t in self.code_terms_],
        }

    def _state_out(self) -> dict[str, torch.Tensor]:
        tensors: dict[str, torch.Tensor] = {}
        for k, member in enumerate(self.members_):
            tensors |= member_tensors(member, _prefix(k))
        if self.code_terms_ is not None:
            tensors |= code_terms_tensors(self.code_terms_)
        return tensors

    @classmethod
    def _from_saved(cls, folder: Path, config: dict[str, Any]) -> AnomalyDetector:
        where = folder / layout.CONFIG
        fields = {
            "params": dict,
            "n_features": int,
            "threshold": float,
            "false_alarm_rate": float,
            "member": dict,
        }
        model_files.require_fields(folder, config, fields)
        try:
            detector = cls(**config["params"])
            check_values(DETECTOR_PARAMS, detector.get_params(deep=False), cls.__name__)
            n_features = config["n_features"]
            names = feature_names(config.get("feature_names"), n_features)
            if not math.isfinite(config["threshold"]):
                raise ConfigError(f"threshold must be a finite number, got {config['threshold']}")
            if not 0.0 <= config["false_alarm_rate"] <= 1.0:
                raise ConfigError(
                    f"false_alarm_rate must be in [0, 1], got {config['false_alarm_rate']}"
                )
        except (AekitError, TypeError) as exc:
            raise ModelFileError(f"{where}: {exc}") from None
        nested = {"member": config["member"]}  # older folders: one member, its own loss
        more = config.get("more_members", [])
        scales = config.get("loss_scales", [1.0])
        if not isinstance(more, list) or not all(isinstance(m, dict) for m in more):
            raise ModelFileError(f"{where}: more_members must be a list of member configs")
        nested |= {f"member{k}": m for k, m in enumerate(more, start=1)}
        if (
            not isinstance(scales, list)
            or len(scales) != len(nested)
            or not all(isinstance(v, (int, float)) and v > 0 for v in scales)
        ):
            raise ModelFileError(
                f"{where}: loss_scales must list one positive number per member ({len(nested)})"
            )
        kinds = []
        for k, key in enumerate(nested):
            member_cls, checked = checked_member(folder, {**config, **nested}, key)
            if checked.n_features != n_features:
                raise ModelFileError(
                    f"{where}: n_features is {n_features}, but the {key} takes {checked.n_features}"
                )
            kinds.append((member_cls, checked, _prefix(k)))
        shapes: dict[str, tuple[int, ...]] = {}
        for member_cls, checked, prefix in kinds:
            shapes |= member_shapes(member_cls, checked, prefix)
        units = saved_code_terms(config.get("code_terms"), len(kinds), where)
        if units is not None:
            shapes |= code_terms_shapes(units)
        tensors = model_files.read_tensors(folder, shapes)
        members = [rebuilt_member(c, checked, tensors, prefix) for c, checked, prefix in kinds]
        detector.code_terms_ = None
        if units is not None:
            sizes = [getattr(getattr(m, "config_", None), "code_size", None) for m in members]
            detector.code_terms_ = rebuilt_code_terms(units, tensors, sizes, where)
        detector.members_ = members
        detector.loss_scales_ = [float(v) for v in scales]
        if len(members) == 1:  # refitting uses it as it is; an ensemble trains anew
            detector.member = members[0]
        detector.member_ = members[0]
        detector.threshold_ = float(config["threshold"])
        detector.offset_ = -detector.threshold_
        detector.false_alarm_rate_ = float(config["false_alarm_rate"])
        detector.n_features_in_ = n_features
        if names is not None:
            detector.feature_names_in_ = names
        return detector

    # -- helpers -----------------------------------------------------------------------
    def _member(self, n_features: int, seed: int, k: int = 0) -> Any:
        """Member ``k``: as given (reseeded past the first), or the default (see Notes)."""
        if self.member is None:
            return Autoencoder(
                hidden=(max(8, n_features),),
                code_size=max(1, min(max(2, n_features // 4), n_features - 1)),  # < columns
                scale="standard",
                epochs=50,
                random_state=seed + k,
            )
        if k == 0:
            return self.member
        if not isinstance(self.member, BaseAutoencoder) or is_fitted(self.member):
            raise ConfigError(
                "n_members > 1 trains its members itself: give an unfitted member or "
                "member=None, not a fitted member or a model folder"
            )
        own = self.member.random_state
        return clone(self.member).set_params(random_state=(seed if own is None else own) + k)

    def _recipe(self, n_train: int) -> tuple[int, int | None, str | None]:
        """n_members, code_neighbors and code_density, "auto" resolved for ``n_train`` rows
        (see Notes)."""
        default = self.member is None
        n = self.n_members if self.n_members != "auto" else (3 if default else 1)
        k = self.code_neighbors
        if k == "auto":  # a few rows: no error for an unasked k
            k = min(n_train, max(5, round(NEIGHBOR_SHARE * n_train))) if default else None
        auto_density = "gaussian" if default else None
        return n, k, auto_density if self.code_density == "auto" else self.code_density

    def _scores(self, losses: list[np.ndarray], X: np.ndarray) -> np.ndarray:
        """The members' losses on the rows ``X``, with each member's code terms if any."""
        terms = getattr(self, "code_terms_", None)
        if terms is None:
            return self._combined(losses)
        return np.mean(
            [
                t.score(v, m.transform(X))
                for t, v, m in zip(terms, losses, self.members_, strict=True)
            ],
            axis=0,
        )

    def _combined(self, losses: list[np.ndarray]) -> np.ndarray:
        """The members' losses (rows, or rows x features) in held-out units, averaged."""
        if len(losses) == 1:
            return losses[0]
        return np.mean([v / s for v, s in zip(losses, self.loss_scales_, strict=True)], axis=0)

    def _input(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "threshold_")
        validate_data(self, X, reset=False, skip_check_array=True, ensure_2d=False)  # names
        return fitted_input(self, X)


def _prefix(k: int) -> str:
    """Member k's tensors in model.safetensors: "member." for the first, as before."""
    return MEMBER_PREFIX if k == 0 else f"member{k}."


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number JSON writes."""
    return value.item() if isinstance(value, np.generic) else value


AnomalyDetector.__doc__ = document(AnomalyDetector.__doc__, DETECTOR_PARAMS, "")
