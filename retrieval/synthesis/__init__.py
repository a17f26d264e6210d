"""LLM synthesis behind a grounding guard (issue 12, DESIGN.md section 4).

Any OpenAI-compatible model (hosted, vLLM, llama.cpp, Ollama) drafts an answer from the
retrieved passages; the guard splits the draft into claims, keeps only those the grounding
verifier finds supported by a passage, re-points their citations, and falls back to the
extractive answer when too little survives. The model is asked only after retrieval has
decided the content covers the question: abstention stays Curbside's decision.

Library objects (LangChain, openai) never leave this package; callers see `Answer`.
"""

from retrieval.synthesis.config import SynthesisConfig
from retrieval.synthesis.errors import SynthesisError
from retrieval.synthesis.synthesizer import Synthesizer

__all__ = ["SynthesisConfig", "SynthesisError", "Synthesizer"]
