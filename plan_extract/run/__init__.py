"""Around the pipeline, never inside it: inputs (folders, archives, limits),
the worker that runs one input under guard, local batches with resume, and Dask."""
