"""The tree-structured Parzen estimator sampler (TPE).

``truncnorm`` (the truncated Gaussian), ``parzen_estimator`` (the kernel mixture), ``split``
(good/bad trials, MOTPE, constraints) and ``sampler`` (:class:`TPESampler`, the study glue).
"""

from tunekit.samplers.tpe.sampler import TPESampler

__all__ = ["TPESampler"]
