"""Anomaly detection by reconstruction: :class:`AnomalyDetector` and its scores."""

from aekit.anomaly.detector import AnomalyDetector

__all__ = ["AnomalyDetector"]
