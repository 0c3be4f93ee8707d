// The counter's page, keyboard first: Enter searches (the form), ↑ ↓ move between results,
// ← → between the words found in a document, + − zoom. No build step, no library.
"use strict";

function typing(event) {
  const tag = (event.target.tagName || "").toLowerCase();
  return tag === "input" || tag === "textarea" || event.target.isContentEditable;
}

function placeBoxes() {
  // Boxes are placed from data attributes: the page's security policy allows no inline styles.
  for (const box of document.querySelectorAll(".box[data-box]")) {
    const [left, top, width, height] = box.dataset.box.split(" ").map(Number);
    Object.assign(box.style, { left: left + "%", top: top + "%", width: width + "%", height: height + "%" });
  }
}

function centreWithin(container, element) {
  // Scroll only the panel that holds the element, so the search box and the toolbar stay in view.
  const outer = container.getBoundingClientRect(), inner = element.getBoundingClientRect();
  container.scrollTop += inner.top - outer.top - (outer.height - inner.height) / 2;
  container.scrollLeft += inner.left - outer.left - (outer.width - inner.width) / 2;
}

function resultsKeys() {
  const results = Array.from(document.querySelectorAll("a.result"));
  if (!results.length) return;
  document.addEventListener("keydown", (event) => {
    if (typing(event) && event.key !== "ArrowDown") return;
    const at = results.indexOf(document.activeElement);
    if (event.key === "ArrowDown") { results[Math.min(at + 1, results.length - 1)].focus(); event.preventDefault(); }
    if (event.key === "ArrowUp" && at >= 0) {
      (at === 0 ? document.getElementById("q") : results[at - 1]).focus(); event.preventDefault();
    }
  });
}

function documentKeys() {
  const hits = Array.from(document.querySelectorAll(".box.hit"));
  const count = document.getElementById("hit-count");
  let current = -1, zoom = 1;
  function show(index) {
    if (!hits.length) return;
    current = (index + hits.length) % hits.length;
    document.querySelectorAll(".current").forEach((node) => node.classList.remove("current"));
    const box = hits[current];
    box.classList.add("current");
    centreWithin(document.getElementById("scans"), box);
    const word = document.querySelector(`.word[data-word="${box.dataset.word}"]`);
    if (word) { word.classList.add("current"); centreWithin(document.getElementById("text"), word); }
    if (count) count.textContent = `${current + 1} / ${hits.length}`;
  }
  function zoomBy(factor) {
    zoom = Math.min(4, Math.max(0.5, zoom * factor));
    document.querySelectorAll(".sheet").forEach((sheet) => sheet.style.setProperty("--zoom", zoom));
  }
  const buttons = { "next-hit": () => show(current + 1), "previous-hit": () => show(current - 1),
                    "zoom-in": () => zoomBy(1.25), "zoom-out": () => zoomBy(0.8) };
  for (const [id, action] of Object.entries(buttons)) {
    const button = document.getElementById(id);
    if (button) button.addEventListener("click", action);
  }
  document.addEventListener("keydown", (event) => {
    if (typing(event)) return;
    const keys = { ArrowRight: buttons["next-hit"], ArrowDown: buttons["next-hit"], ArrowLeft: buttons["previous-hit"],
                   ArrowUp: buttons["previous-hit"], "+": buttons["zoom-in"], "=": buttons["zoom-in"],
                   "-": buttons["zoom-out"] };
    if (keys[event.key]) { keys[event.key](); event.preventDefault(); }
  });
  if (hits.length) {
    // The server says where the words typed stand together (the phrase, not the header's "Số:").
    const section = document.querySelector("section.document");
    const start = Math.max(0, hits.findIndex((box) => box.dataset.word === section.dataset.start));
    const first = hits[start].closest(".sheet").querySelector("img");
    if (first.complete) show(start); else first.addEventListener("load", () => show(start), { once: true });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  placeBoxes();
  if (document.querySelector(".document")) documentKeys(); else resultsKeys();
});
