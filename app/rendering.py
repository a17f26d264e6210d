"""Safe Markdown for card pages: no raw HTML, no script URLs, ever reaches the browser.

markdown-it with `html: False` escapes any tag a card contains, and its link validator
refuses `javascript:`, `vbscript:` and `data:` URLs. Citation markers become superscripts
after rendering, on already-escaped text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKER = re.compile(r"\[(\d+(?:,\s*\d+)*)\]")


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> Markup:
    html = _renderer().render(text)
    return Markup(_MARKER.sub(r'<sup class="ref">[\1]</sup>', html))  # noqa: S704
