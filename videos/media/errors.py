"""The one error type of the media layer."""


class MediaError(Exception):
    """A file that cannot become a video on the canonical timeline, or a media step that failed.

    ``reason`` is a sentence for a person (it becomes the ``error`` of a failed video): what is
    wrong with the file, not which library call failed.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
