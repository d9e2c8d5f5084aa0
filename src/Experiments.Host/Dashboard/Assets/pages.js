// The three pages: all sweeps, one sweep, one trial-fold. Each render() redraws from the API and
// says whether to keep polling (false once what it shows has ended).
"use strict";
window.Pages = (function () {
  const D = () => window.Dashboard;
  const enc = encodeURIComponent;
  // Where a trial-fold runs or ended (null node: waiting for a slot, or journalled before nodes were).
  const nodeText = t => t.node ?? (t.status === "running" ? "waiting for a slot" : "—");

  function sweeps() {
    return {
      async render() {
        const { h, state, progress, link } = D();
        D().crumbs(h("span", {}, "sweeps"));
        const list = await D().json("/sweeps");
        const rows = list.map(s => h("tr", { "data-sweep": s.name },
          h("td", {}, link("sweeps/" + enc(s.name), s.name)), h("td", {}, state(s.state)),
          h("td", {}, progress(s.done, s.trialFolds), " ", h("span", { class: "done" }, `${s.done}/${s.trialFolds}`)),
          h("td", { class: "num" }, s.running)));
        document.getElementById("page").replaceChildren(h("h1", {}, "Sweeps"), h("section", {},
          list.length === 0 ? h("p", { class: "muted" }, "No sweeps yet: submit one with `experiments submit FILE` or drop it in the inbox.")
            : h("table", { id: "sweeps" }, h("thead", {}, h("tr", {}, h("th", {}, "sweep"), h("th", {}, "state"), h("th", {}, "trial-folds done"), h("th", { class: "num" }, "running"))),
              h("tbody", {}, rows))));
        return true;
      },
    };
  }

  // The leaderboard's sort survives refreshes: column key and direction.
  function sweep(name) {
    let sort = { key: "rank", dir: 1 };
    let samplesShown = "";
    return {
      async render() {
        const { h, state, progress, link } = D();
        D().crumbs(link("", "sweeps"), h("span", {}, name));
        const [status, view] = await Promise.all([D().json("/sweeps/" + enc(name)), D().json("/sweeps/" + enc(name) + "/trials")]);
        const main = document.getElementById("page");
        if (!main.querySelector("#leaderboard-section") || main.dataset.sweep !== name) {
          main.dataset.sweep = name;
          main.replaceChildren(
            h("h1", {}, name, " ", h("span", { id: "sweep-state" })),
            h("p", { id: "sweep-progress" }),
            h("section", { id: "leaderboard-section" }, h("h2", {}, "Leaderboard"), h("div", { id: "leaderboard-holder" })),
            h("div", { class: "charts" },
              h("section", {}, h("h2", {}, `Learning curves: ${view.metric} (mean over folds, min–max band)`), h("div", { id: "curves" }), h("div", { id: "curves-legend", class: "legend" })),
              h("section", {}, h("h2", {}, `Parameters against ${view.metric}`), h("div", { id: "parallel" }))),
            h("section", {}, h("h2", {}, "Trial-folds"), h("div", { id: "trials-holder" })),
            h("section", { id: "samples-section", hidden: true }, h("h2", {}, "GAN sample grids by epoch"), h("div", { id: "samples", class: "samples" })));
        }
        main.querySelector("#sweep-state").replaceChildren(state(status.state));
        main.querySelector("#sweep-progress").replaceChildren(progress(status.done, status.trialFolds),
          ` ${status.done}/${status.trialFolds} trial-folds done, ${status.running} running, ${status.failed} failed; ranked by ${view.metric} (${view.mode})`);
        leaderboard(view);
        curves(view);
        parallel(view);
        trials(view);
        await samples(view);
        return !D().ended.has(status.state);
      },
    };

    function leaderboard(view) {
      const { h, state } = D();
      const columns = [
        { key: "rank", label: "rank", num: true, value: r => r.rank, text: r => r.rank },
        { key: "config", label: "config", num: true, value: r => r.config, text: r => r.config },
        ...view.varying.map(p => ({ key: "param:" + p, label: p, num: true, value: r => r.parameters[p], text: r => r.parameterText[p] })),
        { key: "mean", label: `mean ${view.metric}`, num: true, value: r => r.mean, text: r => r.text.mean },
        { key: "sd", label: "sd", num: true, value: r => r.sd, text: r => r.text.sd },
        { key: "folds", label: "folds", num: true, value: r => r.folds, text: r => `${r.folds}/${r.foldsTotal}` },
        { key: "epochs", label: "epochs", num: true, value: r => r.epochs, text: r => r.text.epochs },
        { key: "state", label: "state", num: false, value: r => r.state, text: r => state(r.state) },
      ];
      const column = columns.find(c => c.key === sort.key) || columns[0];
      const compare = (a, b) => {
        const x = column.value(a), y = column.value(b);
        if (x === null || x === undefined) return (y === null || y === undefined) ? a.rank - b.rank : 1;  // blanks last either way
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || a.rank - b.rank;
      };
      const rows = view.leaderboard.slice().sort(compare);
      const best = view.leaderboard.find(r => r.mean !== null);
      const head = columns.map(c => h("th", {
        class: "sortable" + (c.num ? " num" : ""), "data-key": c.key, "aria-sort": c.key === sort.key ? (sort.dir > 0 ? "ascending" : "descending") : null,
        onclick: () => { sort = { key: c.key, dir: c.key === sort.key ? -sort.dir : 1 }; leaderboard(view); },
      }, c.label));
      const body = rows.map(r => h("tr", { "data-config": r.config, class: best && r.config === best.config ? "best" : null },
        columns.map(c => h("td", { class: c.num ? "num" : null, "data-key": c.key }, c.text(r)))));
      document.getElementById("leaderboard-holder").replaceChildren(h("table", { id: "leaderboard" }, h("thead", {}, h("tr", {}, head)), h("tbody", {}, body)));
    }

    function curves(view) {
      const { h } = D();
      const series = view.curves.map((c, i) => ({
        id: "config-" + c.config, best: c.best, color: c.best ? "#d9480f" : Charts.color(i),
        label: `config ${c.config}${c.label ? " (" + c.label + ")" : ""}`,
        points: c.points.map(p => ({ x: p.epoch, y: p.mean })),
        band: c.points.map(p => ({ x: p.epoch, lo: p.min, hi: p.max })),
        ends: c.ends.map(e => ({ x: e.epoch, y: e.value, status: e.status, title: `${e.trial} ${e.status} at epoch ${e.epoch}` })),
      }));
      Charts.line(document.getElementById("curves"), series, { xLabel: "epoch", yLabel: view.metric, integerX: true, title: "learning curves" });
      document.getElementById("curves-legend").replaceChildren(...series.map(s =>
        h("span", {}, h("i", { style: `background:${s.color}` }), s.label + (s.best ? " · best" : ""))));
    }

    function parallel(view) {
      const axes = view.varying.map(p => {
        const values = view.leaderboard.map(r => r.parameters[p]).filter(v => v !== null);
        const numeric = values.every(v => typeof v === "number");
        const positive = numeric && values.every(v => v > 0);
        const spread = positive ? Math.max(...values) / Math.min(...values) : 0;
        return { name: p, kind: numeric ? "number" : "category", log: spread >= 20 };
      }).concat([{ name: view.metric, kind: "number" }]);
      const best = view.leaderboard.find(r => r.mean !== null);
      const rows = view.leaderboard.filter(r => r.mean !== null).map(r => ({
        id: r.config, score: r.mean, best: best && r.config === best.config,
        label: `config ${r.config}: ${view.metric} ${r.text.mean}`,
        values: view.varying.map(p => r.parameters[p]).concat([r.mean]),
      }));
      const holder = document.getElementById("parallel");
      if (view.varying.length === 0) { holder.replaceChildren(D().h("p", { class: "muted" }, "No parameter varies across configs.")); return; }
      if (rows.length === 0) { holder.replaceChildren(D().h("p", { class: "muted" }, "No config has a score yet.")); return; }
      Charts.parallel(holder, axes, rows, { mode: view.mode });
    }

    function trials(view) {
      const { h, state, link } = D();
      const body = view.trials.map(t => h("tr", { "data-trial": t.name },
        h("td", {}, link(`sweeps/${enc(name)}/trials/${enc(t.name)}`, t.name)), h("td", { class: "num" }, t.config),
        h("td", { class: "num" }, t.fold === null ? "all (final)" : t.fold), h("td", {}, state(t.status)),
        h("td", { class: "num" }, t.epochs), h("td", { class: "num" }, t.last), h("td", { "data-key": "node" }, nodeText(t))));
      document.getElementById("trials-holder").replaceChildren(h("table", { id: "trials" },
        h("thead", {}, h("tr", {}, ["trial-fold", "config", "fold", "state", "epochs", `last ${view.metric}`, "node"].map((l, i) => h("th", { class: i === 0 || i === 3 || i === 6 ? null : "num" }, l)))),
        h("tbody", {}, body)));
    }

    // One figure per trial-fold with sample grids: its latest epoch, and a slider to go back.
    async function samples(view) {
      const withSamples = view.trials.filter(t => t.samples.length > 0);
      const signature = withSamples.map(t => t.name + ":" + t.samples.length).join(",");
      if (signature === samplesShown) return;
      samplesShown = signature;
      document.getElementById("samples-section").hidden = withSamples.length === 0;
      const { h } = D();
      const figures = await Promise.all(withSamples.map(async t => {
        const url = file => `/sweeps/${enc(name)}/trials/${enc(t.name)}/samples/${enc(file)}`;
        const img = h("img", { alt: `${t.name} samples`, src: await D().image(url(t.samples[t.samples.length - 1])) });
        const caption = h("figcaption", {}, `${t.name} · ${t.samples[t.samples.length - 1]}`);
        const slider = h("input", { type: "range", min: 0, max: t.samples.length - 1, value: t.samples.length - 1, oninput: async e => {
          const file = t.samples[Number(e.target.value)];
          img.src = await D().image(url(file));
          caption.textContent = `${t.name} · ${file}`;
        } });
        return h("figure", { "data-trial": t.name }, img, slider, caption);
      }));
      document.getElementById("samples").replaceChildren(...figures);
    }
  }

  function trial(sweepName, trialName) {
    let after = 0;
    const lines = [];
    const latest = { file: null, url: null };  // the grid shown, fetched again only when a newer one appears
    return {
      async render() {
        const { h, state, link } = D();
        D().crumbs(link("", "sweeps"), link("sweeps/" + enc(sweepName), sweepName), h("span", {}, trialName));
        const t = await D().json(`/sweeps/${enc(sweepName)}/trials/${enc(trialName)}`);
        const logs = await D().json(`/sweeps/${enc(sweepName)}/logs?after=${after}`);
        const fold = t.fold === null ? -1 : t.fold;
        for (const e of logs.events) {
          after = Math.max(after, e.seq);
          if (e.trial === t.config && (e.fold === null || e.fold === fold)) lines.push(e);
        }
        const params = Object.entries(t.parameters || {}).map(([k, v]) => `${k}=${v}`).join(", ");
        const outcome = t.outcome ? `${t.outcome.status} after ${t.outcome.epochsRun} epochs; best ${t.metric} ${t.outcome.bestText}` +
          (t.outcome.bestEpoch ? ` at epoch ${t.outcome.bestEpoch}` : "") + (t.outcome.reason ? ` (${t.outcome.reason})` : "") : "running";
        const where = t.node ? (t.status === "running" ? "on " : "ended on ") + t.node : (t.status === "running" ? "waiting for a slot" : "");
        const table = h("table", { id: "metrics" },
          h("thead", {}, h("tr", {}, h("th", { class: "num" }, "epoch"), t.metrics.map(m => h("th", { class: "num", "data-metric": m }, m)), h("th", { class: "num" }, "seconds"))),
          h("tbody", {}, t.epochs.map(e => h("tr", { "data-epoch": e.epoch }, h("td", { class: "num" }, e.epoch),
            t.metrics.map(m => h("td", { class: "num", "data-metric": m }, e.text[m] ?? "—")), h("td", { class: "num" }, e.secondsText)))));
        const charts = t.metrics.map(m => {
          const holder = h("div", { class: "metric-chart", "data-metric": m });
          Charts.line(holder, [{ id: m, best: m === t.metric, color: m === t.metric ? "#d9480f" : "#2f6fdf", label: m,
            points: t.epochs.filter(e => e.values[m] !== undefined).map(e => ({ x: e.epoch, y: e.values[m] })) }], { yLabel: m, integerX: true, title: m });
          return h("section", {}, h("h2", {}, m), holder);
        });
        const log = h("div", { id: "log" }, lines.map(e => h("div", { class: "log-line " + e.level, "data-seq": e.seq },
          `${new Date(e.time).toLocaleTimeString()} ${e.level.slice(0, 3).toUpperCase()} ${e.message}${e.error ? " — " + e.error : ""}`)));
        const newest = t.samples[t.samples.length - 1];
        if (newest && newest !== latest.file) {
          if (latest.url) URL.revokeObjectURL(latest.url);
          Object.assign(latest, { file: newest, url: await D().image(`/sweeps/${enc(sweepName)}/trials/${enc(trialName)}/samples/${enc(newest)}`) });
        }
        const samples = !newest ? null : h("section", {}, h("h2", {}, "Latest sample grid"),
          h("div", { class: "samples" }, h("figure", {}, h("img", { id: "latest-sample", alt: "samples", src: latest.url }), h("figcaption", {}, newest))));
        document.getElementById("page").replaceChildren(...[
          h("h1", {}, trialName, " ", state(t.status)),
          h("p", {}, `config ${t.config}${params ? " (" + params + ")" : ""} · ${outcome}${where ? " · " + where : ""}`),
          h("section", {}, h("h2", {}, "Metrics by epoch"), table),
          h("div", { class: "charts" }, charts),
          samples,
          h("section", {}, h("h2", {}, "Recent log events"), lines.length === 0 ? h("p", { class: "muted", id: "log-empty" }, "No log events kept for this trial-fold.") : log)].filter(n => n));
        return t.status === "running";
      },
    };
  }

  return { sweeps, sweep, trial };
})();
