"""Domain errors of the credit cycle (episodes, reflections, claims, exports).

Each error carries a message a learner or planner can act on, plus the facts behind it as
attributes, so the web app and the CLI translate them at the edges without parsing text.
They live apart from :mod:`credit_capture.errors` so that file stays small and shared.
"""

from __future__ import annotations

from credit_capture.errors import CreditError


class AnonymousInquiry(CreditError):
    """Only a signed-in learner's question can become a credit episode."""

    def __init__(self, inquiry_id: str) -> None:
        self.inquiry_id = inquiry_id
        super().__init__(
            f"Inquiry {inquiry_id!r} was asked without signing in, so it cannot earn credit. "
            "Sign in before asking to have questions count toward credit."
        )


class EpisodeNotFound(CreditError):
    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(f"No learning episode with id {episode_id!r}.")


class ClaimNotFound(CreditError):
    def __init__(self, claim_id: str) -> None:
        self.claim_id = claim_id
        super().__init__(f"No credit claim with id {claim_id!r}.")


class NotYourEpisode(CreditError):
    """Raised instead of revealing or changing another learner's episode."""

    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(f"Learning episode {episode_id!r} belongs to another learner.")


class WindowClosed(CreditError):
    def __init__(self, episode_id: str, due_at: str, action: str) -> None:
        self.episode_id, self.due_at, self.action = episode_id, due_at, action
        super().__init__(
            f"The window to {action} for this question closed on {due_at}; "
            "credit can no longer be earned for it."
        )


class AlreadyReflected(CreditError):
    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(
            f"A reflection was already recorded for episode {episode_id!r}; "
            "reflections cannot be changed once submitted."
        )


class InvalidReflection(CreditError):
    """The reflection form has a missing or out-of-range answer (messages name the field)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The reflection is incomplete: " + "; ".join(problems))


class ReflectionRequired(CreditError):
    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(
            "Credit needs a reflection on how the answer applies to your practice; "
            f"record one for episode {episode_id!r} first."
        )


class SourcesRequired(CreditError):
    """An abstained answer showed no sources, so the learner must name the ones they used."""

    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(
            "Curbside did not answer this question from vetted content, so list at least one "
            "source you consulted yourself (own_sources) to complete the learning cycle."
        )


class CapExceeded(CreditError):
    def __init__(
        self, *, credit_label: str, year: int, cap: float, claimed: float, amount: float
    ) -> None:
        self.credit_label, self.year, self.cap = credit_label, year, cap
        self.claimed, self.amount = claimed, amount
        super().__init__(
            f"Annual limit reached: you have {claimed:g} of the {cap:g} {credit_label} "
            f"allowed for {year}, so another {amount:g} cannot be claimed this year."
        )


class UnknownCreditType(CreditError):
    def __init__(self, credit_type: str, known: list[str]) -> None:
        self.credit_type, self.known = credit_type, known
        super().__init__(
            f"Unknown credit type {credit_type!r}; choose one of: {', '.join(known)}."
        )


class ConsentRequired(CreditError):
    def __init__(self, credit_label: str) -> None:
        self.credit_label = credit_label
        super().__init__(
            f"{credit_label} must be reported to your certifying board; tick the consent to "
            "share your completion data (name, board ID, birth month and day) to claim it."
        )


class InvalidCorrection(CreditError):
    def __init__(self, message: str) -> None:
        super().__init__(f"Correction rejected: {message}")


class InvalidRules(CreditError):
    """The credit rules file is missing, unreadable or fails validation."""

    def __init__(self, path: str, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"Credit rules file {path}: {problem}")


class InvalidExport(CreditError):
    """A report row would be rejected by the receiver; nothing is written."""

    def __init__(self, learner: str, field: str, problem: str) -> None:
        self.learner, self.field, self.problem = learner, field, problem
        super().__init__(f"Cannot export learner {learner!r}: {field} {problem}.")


class ProfessionRequired(CreditError):
    """Which credit a cycle earns depends on the learner's profession; it must be known."""

    def __init__(self, offered: list[str]) -> None:
        self.offered = offered
        super().__init__(
            "Tell us your profession (and your name, for the certificate) before claiming: "
            f"it decides which credit you can earn. Choose one of: {', '.join(offered)}."
        )


class NotForProfession(CreditError):
    """E.g. a physician asking for nursing contact hours for the same cycle."""

    def __init__(self, credit_label: str, profession: str, offered: list[str]) -> None:
        self.credit_label, self.profession, self.offered = credit_label, profession, offered
        super().__init__(
            f"{credit_label} is not offered for your profession ({profession}); "
            f"you can claim: {', '.join(offered) or 'nothing'}."
        )


class DemoContentOnly(CreditError):
    """Every source of the cycle was unreviewed demonstration content."""

    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(
            "Not creditable: every source of this answer was demonstration content that no "
            "clinical reviewer has approved, and this provider's rules do not accept it "
            "for credit."
        )


class NameRequired(CreditError):
    def __init__(self) -> None:
        super().__init__(
            "Add your first and last name in your profile: the certificate is issued in "
            "your name, never your e-mail address."
        )


class ProviderNotConfigured(CreditError):
    """PARS reports real credit; a demonstration install has none to report."""

    def __init__(self) -> None:
        super().__init__(
            "No accredited provider is configured (provider name, accreditation statement "
            "and accrediting bodies in the credit rules file), so there is no credit to "
            "report to PARS: every record is a demonstration, not valid for credit."
        )


class SourcesNotOpened(CreditError):
    """Step 2 of the cycle is reading a source, not merely being shown one."""

    def __init__(self, episode_id: str) -> None:
        self.episode_id = episode_id
        super().__init__(
            "Open at least one of the answer's sources (expand a citation or open the card) "
            "before reflecting: the learning cycle records the sources you consulted."
        )
