"""The pipeline's stages, one per module or package, in flow order: ``read``,
``clean``, ``split``, ``sections``, ``deadlines``, ``targets``.  A stage is a
pure function over the data classes of :mod:`plan_extract.core`; it imports
the shared language layer and the rule tables, never another stage or a model
(a model's decision is passed in by :mod:`plan_extract.api`)."""
