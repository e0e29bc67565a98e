"""The sweep machinery behind :func:`recipes.sweep`: the grid (:mod:`.grid`), executors that run
its points (:mod:`.executors`), the records of what each run produced (:mod:`.records`), and the
driver (:mod:`.driver`)."""
