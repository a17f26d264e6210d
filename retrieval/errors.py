"""Domain errors of the retrieval package, translated to HTTP or CLI messages at the edges."""


class RetrievalError(Exception):
    """Base class: something the user can fix, with a message that says how."""


class ContentError(RetrievalError):
    """A content card or corpus record is invalid; names the file, the field and the reason."""

    def __init__(self, source: str, field: str, reason: str) -> None:
        self.source, self.field, self.reason = source, field, reason
        super().__init__(f"{source}: {field}: {reason}")


class IndexMissingError(RetrievalError):
    """Search was asked of an index that has never been built."""


class VectorStoreUnavailable(IndexMissingError):
    """The Chroma server cannot be reached (stopped, restarting, network): nothing is
    damaged, so the fix is to bring the server back, and answers resume by themselves."""
