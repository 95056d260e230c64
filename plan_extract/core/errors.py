"""Errors that name the stage and the reason, for ``errors.jsonl``."""


class StageError(Exception):
    """A file failed in one pipeline stage; ``reason`` is for people."""

    def __init__(self, stage: str, reason: str):
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason
