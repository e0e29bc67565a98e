"""The run machinery behind :func:`recipes.run`: backend choice, the one door (:mod:`.door`),
the run lifecycle, trainers, evaluation, the recording and the run folder."""
