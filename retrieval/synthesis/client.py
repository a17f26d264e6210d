"""The one place that talks to the model: LangChain's `ChatOpenAI` over the `openai` SDK.

Everything that can go wrong on the wire (timeouts, refused connections, 429, 5xx, bodies
that are not a chat completion, drafts that run on) becomes a `SynthesisError` with a
short kind, so the caller can always fall back to the extractive answer: never a 500, never
a wait longer than `timeout_s`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from retrieval.synthesis.config import SynthesisConfig
from retrieval.synthesis.errors import SynthesisError

# A token is rarely longer than this many characters; a draft past this many characters
# per allowed token is a server that ignored the token limit.
_CHARS_PER_TOKEN = 8


class ChatDrafter:
    """Streams a draft's text for (system, user) messages; build once, reuse per question."""

    def __init__(self, config: SynthesisConfig) -> None:
        self.config = config
        self._chat = None  # built on first use: importing never opens a client

    def _client(self):
        if self._chat is None:
            from langchain_openai import ChatOpenAI

            c = self.config
            self._chat = ChatOpenAI(
                model=c.model,
                base_url=c.base_url,
                # A local server needs no key, but the SDK refuses to start without one.
                api_key=c.api_key or "not-needed",
                temperature=c.temperature,
                # LangChain sends `max_completion_tokens`, which llama.cpp and some other
                # OpenAI-compatible servers ignore: send the classic `max_tokens` as well.
                max_tokens=c.max_tokens,
                extra_body={"max_tokens": c.max_tokens},
                timeout=c.timeout_s,
                max_retries=0,  # a retry would double the clinician's wait; fall back instead
                streaming=True,
            )
        return self._chat

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Text pieces of the draft as they arrive, within the deadline and length limit.

        The HTTP read runs in a helper thread and this generator waits on it with the
        deadline: a server that keeps the connection alive without sending text (SSE
        comments, a stalled proxy) resets every read timeout but cannot outlast the deadline.
        """
        deadline = time.monotonic() + self.config.timeout_s
        limit = self.config.max_tokens * _CHARS_PER_TOKEN
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        threading.Thread(target=self._pump, args=(system, user, pieces, stop), daemon=True,
                         name="llm-draft").start()
        length = 0
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=max(deadline - time.monotonic(), 0))
                except queue.Empty:
                    raise SynthesisError(
                        "timeout", f"no full draft within {self.config.timeout_s} s"
                    ) from None
                if kind == "end":
                    return
                if kind == "error":
                    raise _translate(value) from value
                length += len(value)
                if length > limit:
                    raise SynthesisError("too_long", "the draft ran past its token limit")
                if value:
                    yield value
        finally:
            stop.set()  # the helper stops reading at its next piece

    def _pump(self, system: str, user: str, pieces: queue.Queue, stop: threading.Event) -> None:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            for chunk in self._client().stream([SystemMessage(system), HumanMessage(user)]):
                if stop.is_set():
                    break
                pieces.put(("text", chunk.content if isinstance(chunk.content, str) else ""))
        except Exception as exc:  # the SDK's and httpx's errors, and anything unparseable
            pieces.put(("error", exc))
        finally:
            pieces.put(("end", None))


def _translate(exc: Exception) -> SynthesisError:
    """A library error as one of a few kinds a reviewer can read in the inquiry log."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return SynthesisError("timeout", "the model did not answer in time")
    if isinstance(exc, openai.APIConnectionError):
        return SynthesisError("connection", "the model server could not be reached")
    if isinstance(exc, openai.RateLimitError):
        return SynthesisError("rate_limited", "the model server is rate-limiting (429)")
    if isinstance(exc, openai.InternalServerError):
        return SynthesisError("server_error", f"the model server failed ({exc.status_code})")
    if isinstance(exc, openai.APIStatusError):
        return SynthesisError("client_error", f"the model server refused ({exc.status_code})")
    return SynthesisError("malformed", f"unusable reply from the model ({type(exc).__name__})")
