// The dashboard's frame: reads the API (with the token when the service asks for one), routes
// /dashboard/... to a page, and refreshes it every 1.5 s while anything runs.
"use strict";
(function () {
  const refreshEvery = 1500;
  const ended = new Set(["completed", "cancelled", "failed"]);
  let timer = null;

  async function api(path) {
    const headers = {};
    const token = sessionStorage.getItem("experiments-token");
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(path, { headers, cache: "no-store" });
    if (response.status === 401) { askForToken(); throw new Error("the service asks for its token"); }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || (body.errors || []).join("; ") || `${path}: ${response.status}`);
    }
    return response;
  }
  const json = async path => (await api(path)).json();
  // <img> cannot send the token: fetched here and shown from a blob.
  async function image(path) { return URL.createObjectURL(await (await api(path)).blob()); }

  function askForToken() {
    const form = document.getElementById("token-form");
    if (!form.hidden) return;
    form.hidden = false;
    form.onsubmit = e => {
      e.preventDefault();
      sessionStorage.setItem("experiments-token", document.getElementById("token").value);
      form.hidden = true;
      start();
    };
  }

  function h(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes || {})) {
      if (v === null || v === undefined || v === false) continue;
      // A style attribute would be refused by the page's Content-Security-Policy; the CSSOM is not.
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else if (k === "style") node.style.cssText = v; else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const state = s => h("span", { class: "state " + s }, s);
  const progress = (done, total) => h("span", { class: "progress", title: `${done}/${total}` },
    h("div", { style: `width:${total ? (100 * done / total).toFixed(1) : 0}%` }));
  const link = (path, label) => h("a", { href: "/dashboard/" + path }, label);

  function crumbs(...parts) {
    const nav = document.getElementById("crumbs");
    nav.replaceChildren(...parts.flatMap((p, i) => i === 0 ? [p] : [h("span", {}, "›"), p]));
  }

  function route() {
    const parts = location.pathname.replace(/^\/dashboard\/?/, "").split("/").filter(p => p).map(decodeURIComponent);
    if (parts.length === 0) return Pages.sweeps();
    if (parts[0] === "sweeps" && parts.length === 2) return Pages.sweep(parts[1]);
    if (parts[0] === "sweeps" && parts[2] === "trials" && parts.length === 4) return Pages.trial(parts[1], parts[3]);
    return null;
  }

  // page: { render(): Promise<boolean keepPolling> }
  async function start() {
    clearTimeout(timer);
    const page = route();
    const main = document.getElementById("page");
    if (!page) { main.replaceChildren(h("p", {}, "No such page. ", link("", "All sweeps"))); return; }
    const tick = async () => {
      let again = true;
      try {
        again = await page.render();
        document.getElementById("live").textContent = again ? "live · " + new Date().toLocaleTimeString() : "final";
        document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
      } catch (e) {
        document.getElementById("live").textContent = e.message;
      }
      if (again) timer = setTimeout(tick, refreshEvery);
    };
    tick();
  }

  window.Dashboard = { api, json, image, h, state, progress, link, crumbs, ended };
  start(); // a deferred script: the document is parsed already
})();
