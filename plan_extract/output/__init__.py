"""What leaves the pipeline: the record layout (``record``, the only module
that knows it), its JSON Schema, flat tables (``export``) and the review page
(``report``)."""
