"""MWS protocol errors, one class per wire ``Code``.

Every error a client can see over the MWS API is an ``MwsError``; the router
renders it as an ``ErrorResponse`` with the class's HTTP status::

    MwsError
    ├── SenderError (Type=Sender)
    │   ├── InvalidParameterValue        400
    │   ├── MissingParameter             400
    │   ├── InvalidRequest               400
    │   ├── InvalidAction                400  (unknown Action)
    │   ├── InvalidFeedType              400
    │   ├── InvalidFeedSubmissionId      400
    │   ├── InvalidMarketplace           400
    │   ├── NextTokenCorrupted           400
    │   ├── ContentMD5Missing            400
    │   ├── ContentMD5DoesNotMatch       400
    │   ├── FeedCanceled                 400
    │   ├── FeedProcessingResultNotReady 404
    │   ├── InvalidAddress               404  (unknown path)
    │   ├── MethodNotAllowed             405  (Code InvalidRequest; PUT, DELETE, ...)
    │   ├── AccessDenied                 401
    │   ├── InvalidAccessKeyId           403
    │   └── SignatureDoesNotMatch        403
    ├── ReceiverError (Type=Receiver)
    │   └── InternalError                500
    └── ThrottlingError (Type empty)
        ├── RequestThrottled             503
        └── QuotaExceeded                503
"""

from __future__ import annotations

from typing import ClassVar


class MwsError(Exception):
    """An error answered as an MWS ``ErrorResponse``."""

    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 500
    type: ClassVar[str] = "Receiver"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SenderError(MwsError):
    """The request was wrong; retrying it unchanged will fail again."""

    type = "Sender"
    status = 400


class ReceiverError(MwsError):
    """feedsvc failed; the request may be retried."""

    type = "Receiver"
    status = 500


class InternalError(ReceiverError):
    code = "InternalError"


class InvalidParameterValue(SenderError):
    code = "InvalidParameterValue"


class MissingParameter(SenderError):
    code = "MissingParameter"

    def __init__(self, name: str) -> None:
        super().__init__(f"The request must contain the parameter {name}.")
        self.parameter = name


class InvalidRequest(SenderError):
    code = "InvalidRequest"


class InvalidAction(SenderError):
    code = "InvalidAction"


class InvalidFeedType(SenderError):
    code = "InvalidFeedType"


class InvalidFeedSubmissionId(SenderError):
    code = "InvalidFeedSubmissionId"

    def __init__(self, submission_id: str) -> None:
        super().__init__(f"Failed to find feed with Feed Submission ID: {submission_id}")


class InvalidMarketplace(SenderError):
    code = "InvalidMarketplace"


class NextTokenCorrupted(SenderError):
    code = "NextTokenCorrupted"


class ContentMD5Missing(SenderError):
    code = "ContentMD5Missing"


class ContentMD5DoesNotMatch(SenderError):
    code = "ContentMD5DoesNotMatch"


class FeedCanceled(SenderError):
    code = "FeedCanceled"

    def __init__(self, submission_id: int) -> None:
        super().__init__(
            f"Feed Submission Result is not available for Feed Submission Id: {submission_id}."
            " The feed submission was cancelled."
        )


class FeedProcessingResultNotReady(SenderError):
    code = "FeedProcessingResultNotReady"
    status = 404

    def __init__(self, submission_id: int) -> None:
        super().__init__(
            f"Feed Submission Result is not ready for Feed Submission Id: {submission_id}"
        )


class InvalidAddress(SenderError):
    code = "InvalidAddress"
    status = 404


class MethodNotAllowed(SenderError):
    """An HTTP method other than GET or POST on an MWS path."""

    code = "InvalidRequest"
    status = 405


class AccessDenied(SenderError):
    code = "AccessDenied"
    status = 401


class InvalidAccessKeyId(SenderError):
    code = "InvalidAccessKeyId"
    status = 403

    def __init__(self) -> None:
        super().__init__("The AWS Access Key Id you provided does not exist in our records.")


class SignatureDoesNotMatch(SenderError):
    code = "SignatureDoesNotMatch"
    status = 403


class ThrottlingError(MwsError):
    """A quota is spent; MWS sent these with an empty Type."""

    type = ""
    status = 503


class RequestThrottled(ThrottlingError):
    code = "RequestThrottled"

    def __init__(self) -> None:
        super().__init__("Request is throttled")


class QuotaExceeded(ThrottlingError):
    code = "QuotaExceeded"

    def __init__(self, *, hourly: int, operation: str, resets_on: str) -> None:
        super().__init__(
            f"You exceeded your quota of {hourly:.1f} requests per 1 hour for operation "
            f"Feeds/2009-01-01/{operation}.  Your quota will reset on {resets_on}"
        )
