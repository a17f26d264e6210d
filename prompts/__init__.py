"""Reviewed, versioned prompt templates (DESIGN.md section 2: `prompts/` imports nothing).

A template is a Markdown file with front matter (`id`, `version`, reviewer) and two
sections, `## system` and `## user`. HTML comments in it are why-comments for reviewers:
they are stripped before anything is sent to a model, so explaining a line never changes
what the model reads. The id and version travel with every inquiry that used the prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

# What a model must answer, alone, when the passages do not cover the question. Plain
# words a small model can copy, unlikely to appear in a real answer.
NOT_COVERED = "NOT COVERED BY THE PASSAGES"

_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_SECTION = re.compile(r"^## (system|user)\s*$", re.M)
_FOLDER = Path(__file__).parent


class PromptError(ValueError):
    """A template file that is missing, malformed or asks for an unknown placeholder."""


@dataclass(frozen=True)
class Prompt:
    """One reviewed template: render it with the question and the fenced passages."""

    id: str
    version: int
    system: str
    user: str

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) messages; every placeholder must be given, none may be left."""
        try:
            return self.system.format(**values), self.user.format(**values)
        except (KeyError, IndexError) as exc:
            raise PromptError(f"prompt {self.id} v{self.version}: missing value {exc}") from exc

    @property
    def label(self) -> dict:
        """What is stored with an inquiry: enough to find the exact wording again."""
        return {"id": self.id, "version": self.version}


@cache
def load_prompt(name: str = "grounded_answer") -> Prompt:
    """The template `prompts/<name>.md`, parsed once per process."""
    path = _FOLDER / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"{path}: no such prompt template")
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
    if not match:
        raise PromptError(f"{path}: front matter (id, version) is missing")
    front = yaml.safe_load(match.group(1)) or {}
    if not isinstance(front.get("id"), str) or not isinstance(front.get("version"), int):
        raise PromptError(f"{path}: front matter needs a string id and an integer version")
    body = _COMMENT.sub("", match.group(2))
    parts = _SECTION.split(body)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"{path}: needs exactly one '## system' and one '## user' section")
    return Prompt(id=front["id"], version=front["version"], system=sections["system"],
                  user=sections["user"])
