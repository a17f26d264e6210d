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
    if (data.abstained) {
      article.append(el("h2", {}, "Not covered by vetted content"));
      article.append(el("p", { class: "reason" }, data.abstain_reason));
      article.append(el("p", { class: "gap-logged" },
        "We logged this question as a content gap for the CME planners."));
    } else {
      if (data.demo) article.append(el("p", { class: "demo-label" },
        "Demonstration content: verify before clinical use."));
      const text = el("div", { class: "answer-text" });
      data.answer.split("\n").forEach((line) => text.append(el("p", {}, line.replace(/^- /, ""))));
      article.append(text);
      const list = el("ol", { class: "citations" });
      data.citations.forEach((c, i) => {
        const details = el("details", { class: "chip" });
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
        "Claim 0.5 AMA PRA Category 1 Credit™ for this question"));
      article.append(claim);
    }
    article.append(el("p", { class: "meta" },
      data.latency_ms + " ms · inquiry " + data.inquiry_id.slice(0, 8)));
    result.replaceChildren(article);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.question.value;
    result.replaceChildren(el("p", { class: "meta" }, "Looking it up…"));
    try {
      const response = await fetch("/api/v1/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question }),
      });
      const data = await response.json();
      if (!response.ok) {
        result.replaceChildren(el("p", { class: "error", role: "alert" }, data.detail));
        return;
      }
      render(data);
    } catch (err) {
      result.replaceChildren(el("p", { class: "error", role: "alert" },
        "Could not reach Curbside. Check your connection and try again."));
    }
  });
})();
