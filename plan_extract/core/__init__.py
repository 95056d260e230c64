"""What every layer shares: the data classes that flow between stages, the
closed vocabularies of a record, offset maps, errors, atomic writes and the
start-up cache.  Nothing here imports another part of the package."""
