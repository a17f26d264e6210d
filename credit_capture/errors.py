"""Domain errors of credit capture, translated to HTTP or CLI messages at the edges."""


class CreditError(Exception):
    """Base class for credit-capture errors a user can act on."""


class InquiryNotFound(CreditError):
    """No inquiry has the requested id."""
