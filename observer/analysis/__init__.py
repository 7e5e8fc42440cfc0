"""Analysis of coded sessions: descriptive statistics and inter-observer agreement.

Plain Python on the session models (no textual, no numpy): ``stats`` (per-code
counts, rates and durations), ``kappa`` (Cohen's κ on tallies, Landis & Koch
bands), ``timeunit``, ``align`` and ``timeslice`` (the three agreement methods),
``agreement`` (all of them for a pair of sessions), ``alpha`` and ``ratings``
(Krippendorff's α, ICC and weighted κ), ``report`` (the plain-text views).
"""
