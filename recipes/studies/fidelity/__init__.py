"""The fidelity report (``make fidelity``): every number the four tutorials publish, beside
the recipes' distribution over seeds (Keras-correct and tutorial semantics), the tutorials' own
code over the same seeds (``benchmarks/tutorials/``), the rings' Bayes limit and a verdict per
number. ``python -m recipes.studies.fidelity --help``; the pieces: ``published`` (the numbers
as data), ``plan`` (the jobs), ``execute`` (runs them with progress), ``summary``
(distributions and verdicts), ``bayes``, ``figures``, ``report`` (everything the report
writes) and ``__main__`` (the command line).
"""
