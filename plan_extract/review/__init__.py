"""The analyst's loop around a run: ``plan-extract review OUTDIR`` serves a
local page to accept, reject, edit and add items (``server``, with the queue
in ``queue`` and the page in ``static/``), every decision goes to
``OUTDIR/corrections.jsonl`` (``corrections``), ``apply`` gives the records as
corrected, and ``gold`` turns them into a gold set that ``train --data`` and
``eval`` read.  It reads records and writes corrections; it never runs the
pipeline."""
