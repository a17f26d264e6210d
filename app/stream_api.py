"""`POST /api/v1/ask/stream`: server-sent events of verified sentences, then the answer.

Events (DESIGN.md section 3):
- `sentence`: `{"text", "citation", "doc_id"}`, one per sentence as soon as it is verified
  (a model-written answer) or quoted (an extractive one); never unverified text;
- `answer`: the answer object of `POST /api/v1/ask`, last. It is authoritative: when too
  little of a model's draft survives, it is the extractive answer with a `notice`, and a
  client replaces the sentences it showed;
- `error`: `{"detail"}` when the question could not be answered at all.

The route stays thin: it validates, then runs the same `Curbside.ask` in a worker thread
and relays what that reports.
"""

from __future__ import annotations

import json
import logging
import queue
import threading

from fastapi import APIRouter
from sse_starlette.sse import EventSourceResponse

from app.api import AskRequest
from app.deps import CurbsideDep, CurrentUserDep
from app.errors import SignInRequired
from retrieval.errors import RetrievalError

router = APIRouter(prefix="/api/v1", tags=["api"])
log = logging.getLogger("curbside")


@router.post("/ask/stream", summary="Answer a question, streaming verified sentences (SSE)")
def ask_stream(body: AskRequest, curbside: CurbsideDep, user: CurrentUserDep):
    if user is None and not curbside.settings.allow_anonymous:
        raise SignInRequired()
    curbside.validate_question(body.question)  # a bad question is a 422, not an event
    learner_id = user.id if user else None
    events: queue.Queue = queue.Queue()

    def work() -> None:
        streamed = []

        def on_claim(claim: dict) -> None:
            streamed.append(claim)
            events.put(("sentence", claim))

        try:
            outcome = curbside.ask(body.question, specialty=body.specialty,
                                   learner_id=learner_id, follow_up_to=body.follow_up_to,
                                   on_claim=on_claim)
            if not streamed:  # extractive (or fallback): its quoted sentences, in order
                for claim in quoted_sentences(outcome.answer):
                    events.put(("sentence", claim))
            events.put(("answer", outcome.as_dict()))
        except RetrievalError as exc:
            events.put(("error", {"detail": str(exc)}))
        except Exception:  # never a half-open stream: say so and end it
            log.exception("streamed ask failed")
            events.put(("error", {"detail": "The answer could not be computed."}))
        finally:
            events.put(None)

    def stream():
        threading.Thread(target=work, daemon=True, name="ask-stream").start()
        while (item := events.get()) is not None:
            kind, data = item
            yield {"event": kind, "data": json.dumps(data)}

    return EventSourceResponse(stream())


def quoted_sentences(answer) -> list[dict]:
    """An answer's sentences as `sentence` events, numbered as its citations are."""
    marker = {c.doc_id: i for i, c in enumerate(answer.citations, start=1)}
    return [{"text": text, "citation": marker.get(doc_id), "doc_id": doc_id}
            for text, doc_id in answer.sentences]
