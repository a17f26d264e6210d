"""Infobutton knowledge responses: an Atom feed (the default), its JSON form, and JSONP.

The JSON form follows the guide's Atom-to-JSON mapping as EHRs already consume it from
other knowledge resources: element text in `_value`, attributes as plain keys.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from xml.etree import ElementTree as ET

from integrations.infobutton import Entry, InfobuttonResult

ATOM_NS = "http://www.w3.org/2005/Atom"
_FEED_TITLE = "Curbside: vetted point-of-care answers"
_AUTHOR = "Curbside"
ET.register_namespace("", ATOM_NS)


def entry_url(entry: Entry, base_url: str) -> str:
    """Cards open on their Curbside page; corpus records at their own URL."""
    if entry.doc.kind == "card" or not entry.doc.url:
        return f"{base_url.rstrip('/')}/content/{entry.doc.id}"
    return entry.doc.url


def _feed_id(result: InfobuttonResult) -> str:
    """Stable for the same request, so an EHR can cache by id."""
    key = "&".join(f"{k}={v}" for k, v in result.request.context)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'curbside-infobutton?' + key)}"


def _categories(result: InfobuttonResult) -> list[dict[str, str]]:
    """The request's context echoed as categories, as the guide's responses do."""
    return [{"scheme": name, "term": value} for name, value in result.request.context
            if name not in {"callback", "knowledgeResponseType"}]


def as_atom(result: InfobuttonResult, *, base_url: str, now: datetime) -> bytes:
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "en"})
    _text(feed, "title", _FEED_TITLE)
    _text(feed, "subtitle", f"Cards for: {result.question}")
    _text(feed, "id", _feed_id(result))
    _text(feed, "updated", now.isoformat(timespec="seconds"))
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", _AUTHOR)
    _text(author, "uri", base_url)
    for category in _categories(result):
        ET.SubElement(feed, f"{{{ATOM_NS}}}category", category)
    for entry in result.entries:
        url = entry_url(entry, base_url)
        node = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(node, "title", entry.doc.title)
        ET.SubElement(node, f"{{{ATOM_NS}}}link",
                      {"href": url, "rel": "alternate", "type": "text/html",
                       "title": entry.doc.title})
        _text(node, "id", url)
        _text(node, "updated", f"{entry.updated or now.date().isoformat()}T00:00:00Z")
        _text(node, "summary", entry.summary)
        for system, code in entry.codes:
            ET.SubElement(node, f"{{{ATOM_NS}}}category", {"scheme": system, "term": code})
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def as_json(result: InfobuttonResult, *, base_url: str, now: datetime) -> dict:
    entries = []
    for entry in result.entries:
        url = entry_url(entry, base_url)
        entries.append({
            "lang": "en",
            "title": {"_value": entry.doc.title, "type": "text"},
            "link": [{"href": url, "rel": "alternate", "type": "text/html",
                      "title": entry.doc.title}],
            "id": {"_value": url},
            "updated": {"_value": f"{entry.updated or now.date().isoformat()}T00:00:00Z"},
            "summary": {"_value": entry.summary, "type": "text"},
            "category": [{"scheme": s, "term": c} for s, c in entry.codes],
        })
    return {"feed": {
        "lang": "en",
        "base": base_url,
        "title": {"_value": _FEED_TITLE, "type": "text"},
        "subtitle": {"_value": f"Cards for: {result.question}", "type": "text"},
        "id": {"_value": _feed_id(result)},
        "updated": {"_value": now.isoformat(timespec="seconds")},
        "author": {"name": {"_value": _AUTHOR}, "uri": {"_value": base_url}},
        "category": _categories(result),
        "entry": entries,
    }}


def as_jsonp(callback: str, payload: dict) -> str:
    """`callback({...});` – the callback name was validated as a JavaScript identifier."""
    return f"{callback}({json.dumps(payload, ensure_ascii=False)});"


def atom_error(message: str) -> bytes:
    """A 400 body in the Atom format: an empty feed whose subtitle says what was wrong."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "en"})
    _text(feed, "title", "Curbside: bad Infobutton request")
    _text(feed, "subtitle", message)
    _text(feed, "id", "urn:curbside:infobutton:error")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    node.text = text
    return node
