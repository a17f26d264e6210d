"""A scripted OpenAI-compatible chat server on a free loopback port (DESIGN.md section 6).

It stands in for a hosted model in tests and benches, driven through the real `openai`
and LangChain clients. The model name picks the script; drafts are built from the passages
in the prompt, so they cite the ids the server was shown:

- `faithful`: the opening sentence of the first two passages, cited to them;
- `paraphrase`: paraphrases of the shipped croup card (one cites a passage not shown);
- `planted`: `faithful` plus planted claims: an invented drug, a tenfold dose, a false
  certainty (`PLANTED` lists them);
- `hallucinated`: nothing but planted claims;
- `sentinel`: the "not covered" sentinel phrase;
- `slow`: waits `SLOW_SECONDS` before its first token; `dribble`: a token every 0.5 s;
  `keepalive`: SSE comments every 0.2 s for `SLOW_SECONDS`, never text;
- `error500`, `ratelimit`: HTTP 500 / 429; `malformed`: a stream that is not JSON;
- `runaway`: ignores max_tokens and writes on and on;
- `paced`: the `planted` draft with a `PACE_SECONDS` pause after each sentence, so a
  browser can watch verified sentences arrive one at a time.

Every request body is kept in `server.requests` so tests can see what was sent.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

SLOW_SECONDS = 5.0
PACE_SECONDS = 0.6
_PASSAGE = re.compile(r'<passage id="(P\d+)"[^>]*>\n(.*?)\n</passage>', re.S)
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")
_MARK = re.compile(r"\s*\[\d+(?:\s*[,-]\s*\d+)*\]")
_NUMBER = re.compile(r"\b(\d+(?:\.\d+)?)(\s?(?:mg|mcg|g|mL|units|mg/kg|mmol))\b")

# Planted claims: `{p}` is the first passage id. None of them is in any card.
PLANTED = (
    "Zorbanexin 900 mg IV once is curative in every patient [{p}].",
    "This treatment always works and never causes any adverse effect [{p}].",
)


def passages(body: dict) -> list[tuple[str, str]]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return _PASSAGE.findall(user)


def _first_sentence(text: str) -> str:
    text = _MARK.sub("", " ".join(text.split()))
    match = _SENTENCE.match(text)
    return match.group(1) if match else text


def _tenfold(shown: list[tuple[str, str]]) -> str | None:
    """A real passage sentence with its first dose multiplied by ten (an absurd dose)."""
    for pid, text in shown:
        for sentence in _SENTENCE.findall(_MARK.sub("", " ".join(text.split()))):
            match = _NUMBER.search(sentence)
            if match:
                wrong = f"{float(match.group(1)) * 10:g}{match.group(2)}"
                return sentence[: match.start()] + wrong + sentence[match.end():-1] + f" [{pid}]."
    return None


def _faithful(shown: list[tuple[str, str]]) -> list[str]:
    return [f"{_first_sentence(text)[:-1]} [{pid}]." for pid, text in shown[:2]]


def _paraphrase(shown: list[tuple[str, str]]) -> list[str]:
    def cite(words: str) -> str:
        return next((pid for pid, text in shown if words in text), "P1")

    return [
        "Every child with croup, including mild cases, should get a single dose of "
        f"dexamethasone by mouth [{cite('including mild cases')}].",
        "The MSD Manual gives dexamethasone 0.6 mg/kg orally or IM as a single dose, with a "
        f"maximum of 10 mg [{cite('Professional Version')}].",
        # Miscited on purpose: the guard must re-point it to a passage that says it.
        "A single oral dose of dexamethasone 0.15 mg/kg was as effective as 0.6 mg/kg in "
        "children hospitalized with croup [P9].",
    ]


def draft(model: str, body: dict) -> str:
    shown = passages(body)
    first = shown[0][0] if shown else "P1"
    planted = [claim.format(p=first) for claim in PLANTED]
    if (dose := _tenfold(shown)) is not None:
        planted.insert(1, dose)
    if model == "sentinel":
        return "NOT COVERED BY THE PASSAGES"
    if model == "paraphrase":
        return " ".join(_paraphrase(shown))
    if model in ("planted", "paced"):
        faithful = _faithful(shown)
        return " ".join(faithful[:1] + planted + faithful[1:])
    if model == "hallucinated":
        return " ".join(planted)
    if model == "runaway":
        return "Croup is common. " * 2000
    return " ".join(_faithful(shown))


def _chunk(text: str | None, finish: str | None = None) -> str:
    delta = {"content": text} if text is not None else {}
    payload = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0,
               "model": "scripted", "choices": [{"index": 0, "delta": delta,
                                                 "finish_reason": finish}]}
    return f"data: {json.dumps(payload)}\n\n"


def build_app(requests: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request):
        body = await request.json()
        requests.append(body)
        model = body.get("model", "faithful")
        if model == "error500":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if model == "ratelimit":
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429)
        text = draft(model, body)
        words = re.findall(r"\S+\s*", text)

        def events():
            if model == "slow":
                time.sleep(SLOW_SECONDS)
            if model == "keepalive":
                for _ in range(int(SLOW_SECONDS / 0.2)):
                    time.sleep(0.2)
                    yield ": keep-alive\n\n"
            if model == "malformed":
                yield "data: {this is not json\n\n"
                return
            yield _chunk("")
            for word in words:
                if model == "dribble":
                    time.sleep(0.5)
                yield _chunk(word)
                if model == "paced" and word.rstrip().endswith("."):
                    time.sleep(PACE_SECONDS)
            yield _chunk(None, "stop")
            yield "data: [DONE]\n\n"

        if body.get("stream"):
            return StreamingResponse(events(), media_type="text/event-stream")
        return {"id": "chatcmpl-scripted", "object": "chat.completion", "created": 0,
                "model": model, "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": text}}]}

    return app


class ScriptedServer:
    """Runs the scripted app with uvicorn in a thread; `base_url` ends in /v1."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(build_app(self.requests), host="127.0.0.1", port=self.port,
                                log_level="error", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("scripted LLM server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
