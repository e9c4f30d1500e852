"""The one error of extraction: a file that cannot be read as a release, named with its problem."""

from __future__ import annotations


class ReleaseError(ValueError):
    """A file that cannot be read as a release; the message names the file and the problem."""

    def __init__(self, source_file: str, problem: str, line: int | None = None):
        self.source_file, self.problem, self.line = source_file, problem, line
        where = f"{source_file}:{line}" if line else source_file
        super().__init__(f"{where}: {problem}")
