// Progressive enhancement: without this file the form posts and the server renders the answer.
(function () {
  const form = document.getElementById("ask-form");
  const result = document.getElementById("result");
  if (!form || !window.fetch) return;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(data) {
    const article = el("article", { class: "answer" + (data.abstained ? " abstained" : ""),
                                    "data-inquiry": data.inquiry_id });
    if (data.episode_id) article.dataset.episode = data.episode_id;
    if (data.abstained) {
      article.append(el("h2", {}, "Not covered by vetted content"));
      article.append(el("p", { class: "reason" }, data.abstain_reason));
      if (data.suggestions && data.suggestions.length) {
        article.append(el("p", { class: "suggest-lead" }, "Closest cards we have:"));
        const list = el("ul", { class: "suggestions" });
        data.suggestions.forEach((s) => {
          const item = el("li");
          item.append(el("a", { href: "/content/" + encodeURIComponent(s.doc_id) }, s.title));
          list.append(item);
        });
        article.append(list);
      }
      if (data.gap) article.append(el("p", { class: "gap-logged" },
        "We logged this question as a content gap for the CME planners."));
    } else {
      if (data.demo) article.append(el("p", { class: "demo-label" },
        "Demonstration content: verify before clinical use."));
      if (data.confidence === "low") article.append(el("p", { class: "low-confidence" },
        "Low confidence: the closest card may not answer exactly this. Check the source."));
      if (data.notice) article.append(el("p", { class: "notice" }, data.notice));
      const text = el("div", { class: "answer-text" });
      data.answer.split("\n").forEach((line) => {
        const shown = line.replace(/^- /, "");
        const calc = /^For [\d.]+ kg: /.test(shown);
        text.append(el("p", calc ? { class: "calculation" } : {}, shown));
      });
      article.append(text);
      const card = data.citations[0];
      const source = el("p", { class: "source-card" }, "From ");
      source.append(el("a", { href: "/content/" + encodeURIComponent(card.doc_id) +
        (data.episode_id ? "?from=" + data.inquiry_id : "") }, card.title));
      if (card.last_reviewed) source.append(" · reviewed " + card.last_reviewed);
      article.append(source);
      const list = el("ol", { class: "citations" });
      data.citations.forEach((c, i) => {
        const details = el("details", { class: "chip", "data-doc": c.doc_id });
        details.append(el("summary", {}, "[" + (i + 1) + "] " + c.title));
        details.append(el("blockquote", {}, c.snippet));
        if (c.url) {
          const a = el("a", { href: c.url, rel: "noopener noreferrer", target: "_blank" }, "Source");
          details.append(a);
        }
        const item = el("li");
        item.append(details);
        list.append(item);
      });
      article.append(list);
    }
    if (data.episode_id) {
      const claim = el("p");
      claim.append(el("a", { class: "claim-link", href: "/learning/episodes/" + data.episode_id },
        form.dataset.claimPrompt || "Claim credit for this question"));
      article.append(claim);
    }
    article.append(el("p", { class: "meta" },
      data.latency_ms + " ms · inquiry " + data.inquiry_id.slice(0, 8) +
      (data.follow_up ? " · read as a follow-up" : "")));
    result.replaceChildren(article);
    form.follow_up_to.value = data.inquiry_id;
  }

  // Step 2 of the learning cycle: tell the server which sources the learner opened.
  function opened(target, via) {
    const article = target.closest("article.answer[data-episode]");
    const chip = target.closest("details.chip[data-doc]");
    if (!article || !chip) return;
    fetch("/api/v1/inquiries/" + article.dataset.inquiry + "/opened", {
      method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ doc_id: chip.dataset.doc, via }),
    }).catch(() => {});
  }
  result.addEventListener("toggle", (e) => { if (e.target.open) opened(e.target, "chip"); }, true);
  result.addEventListener("click", (e) => {
    const link = e.target.closest("details.chip a");
    if (link) opened(link, "source");
  });

  function showError(message) {
    result.replaceChildren(el("p", { class: "error", role: "alert" }, message));
  }

  // Verified sentences as the server confirms them. The stream sends only sentences the
  // grounding guard kept (or quoted ones), so nothing unverified is ever put on screen;
  // the closing `answer` event is authoritative and replaces them (it may be the quoted
  // answer with a notice when too little of a model's draft survived).
  function streaming() {
    const article = el("article", { class: "answer streaming", "aria-busy": "true" });
    const text = el("div", { class: "answer-text" });
    article.append(text, el("p", { class: "meta checking" }, "Checking each sentence against vetted content…"));
    result.replaceChildren(article);
    return (sentence) => {
      const marker = sentence.citation ? " [" + sentence.citation + "]" : "";
      text.append(el("p", { class: "streamed" }, sentence.text + marker));
    };
  }

  // Server-sent events over fetch (EventSource cannot POST): split frames on blank lines,
  // read `event:` and `data:` fields, tolerate CRLF line ends.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      buffer = buffer.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let kind = "message";
        const data = [];
        frame.split("\n").forEach((line) => {
          if (line.startsWith("event:")) kind = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(kind, JSON.parse(data.join("\n")));
      }
      if (done) return;
    }
  }

  async function ask(question) {
    const body = JSON.stringify({ question, follow_up_to: form.follow_up_to.value || null });
    const headers = { "Content-Type": "application/json" };
    const canStream = window.ReadableStream && window.TextDecoder;
    const response = await fetch(canStream ? "/api/v1/ask/stream" : "/api/v1/ask",
                                 { method: "POST", headers, body });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      showError(data.detail || "Curbside could not answer (HTTP " + response.status + ").");
      return;
    }
    if (!canStream) {
      render(await response.json());
      return;
    }
    let add = null;
    let finished = false;
    await readEvents(response, (kind, data) => {
      if (kind === "sentence") {
        add = add || streaming();
        add(data);
      } else if (kind === "answer") {
        finished = true;
        render(data);
      } else if (kind === "error") {
        finished = true;
        showError(data.detail);
      }
    });
    if (!finished) showError("The answer was interrupted. Please ask again.");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.question.value;
    result.replaceChildren(el("p", { class: "meta" }, "Looking it up…"));
    try {
      await ask(question);
    } catch (err) {
      showError("Could not reach Curbside. Check your connection and try again.");
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) asks from the question box.
  form.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
