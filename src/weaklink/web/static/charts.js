// weaklink dashboard charts: each <div data-chart="KIND" data-api="/api/..."> is drawn with Plotly (served by
// the app from the installed plotly package) from the JSON of its API endpoint. Data are only ever passed to
// Plotly as values or set with textContent: nothing from the data becomes HTML. Where a chart has nothing to
// draw it says "no data", never an empty frame.
"use strict";
(function () {
  const COLORS = ["#1f5f99", "#c2562b", "#2f6b3a", "#7b4ea3", "#8c6d1f", "#3b8ea5"];
  const STATUS_LEVEL = {no_data: 0, not_seen: 1, emerging: 2, seen: 3};
  const fetched = {};

  function getJSON(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url, {headers: {Accept: "application/json"}}).then((r) => {
        if (!r.ok) throw new Error("the API answered " + r.status + " for " + url);
        return r.json();
      });
    }
    return fetched[url];
  }

  function note(el, text) {
    el.replaceChildren();
    const p = document.createElement("p");
    p.className = "chart-note nodata";
    p.textContent = text;
    el.appendChild(p);
  }

  function layout(extra) {
    return Object.assign({
      margin: {l: 48, r: 16, t: 12, b: 40}, font: {family: "DejaVu Sans, sans-serif", size: 12, color: "#16202b"},
      paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", hovermode: "closest",
      legend: {orientation: "h", y: -0.18},
    }, extra || {});
  }

  function draw(el, traces, extra) {
    el.replaceChildren();
    const config = {displayModeBar: false, responsive: true, staticPlot: false};
    return window.Plotly.newPlot(el, traces, layout(extra), config).then(() => { el.dataset.drawn = "1"; });
  }

  // Bloc graph: members on a circle, ties as lines as thick as their strength, labelled with the interval.
  function blocGraph(el, data) {
    const bloc = (data.blocs || []).find((b) => b.bloc === el.dataset.bloc);
    const w = bloc && bloc.weakest;
    if (!w || !(w.members || []).length) return note(el, "no data for this bloc's graph");
    const n = w.members.length;
    const pos = {};
    w.members.forEach((m, i) => {
      const angle = Math.PI / 2 + (2 * Math.PI * i) / n;
      pos[m.actor] = [Math.cos(angle), Math.sin(angle)];
    });
    const traces = [];
    const mids = {x: [], y: [], text: [], hover: []};
    (w.components || []).forEach((c) => {
      const [a, b] = c.dyad.split("-");
      if (!pos[a] || !pos[b]) return;
      const known = c.tie_strength !== null && c.tie_strength !== undefined;
      traces.push({x: [pos[a][0], pos[b][0]], y: [pos[a][1], pos[b][1]], mode: "lines", hoverinfo: "skip",
        line: {width: known ? 1 + 12 * c.tie_strength : 1, color: known ? "#8aa4bf" : "#cccccc",
          dash: known ? "solid" : "dot"}, showlegend: false});
      if (!known) return;  // dotted, unlabelled: no data on this tie
      mids.x.push((pos[a][0] + pos[b][0]) / 2);
      mids.y.push((pos[a][1] + pos[b][1]) / 2);
      mids.text.push(c.tie_strength.toFixed(2));
      mids.hover.push(c.dyad + ": tie strength " + fmt(c.tie_strength) + " (" + fmt(c.low) + "–" + fmt(c.high) + ")");
    });
    traces.push({x: mids.x, y: mids.y, text: mids.text, hovertext: mids.hover, mode: "text", hoverinfo: "text",
      textfont: {size: 12, color: "#16202b"}, showlegend: false});
    const flagged = w.weakest || w.lowest;
    traces.push({
      x: w.members.map((m) => pos[m.actor][0]), y: w.members.map((m) => pos[m.actor][1]),
      text: w.members.map((m) => m.actor), mode: "markers+text", textposition: "middle center",
      textfont: {color: "#fff", size: 12},
      hovertext: w.members.map((m) => m.actor + ": commitment " + fmt(m.commitment) + " (" + fmt(m.low) + "–" +
        fmt(m.high) + ")"),
      hoverinfo: "text", showlegend: false,
      marker: {size: 42, color: w.members.map((m) => (m.actor === flagged ? "#a3261b" : "#1f5f99")),
        line: {width: 2, color: "#fff"}},
    });
    const axis = {visible: false, range: [-1.5, 1.5], fixedrange: true};
    return draw(el, traces, {xaxis: axis, yaxis: Object.assign({scaleanchor: "x"}, axis),
      margin: {l: 4, r: 4, t: 4, b: 4}, height: 240});
  }

  function fmt(v) { return v === null || v === undefined ? "no data" : Number(v).toFixed(2); }

  function cohesion(el, data) {
    const rows = data.cohesion || [];
    const blocs = [...new Set(rows.map((r) => r.bloc))];
    if (!rows.length) return note(el, "no data: no bloc has a measured dyad in any year");
    const traces = blocs.map((bloc, i) => {
      const mine = rows.filter((r) => r.bloc === bloc);
      return {x: mine.map((r) => r.period), y: mine.map((r) => r.cohesion), name: bloc, mode: "lines+markers",
        connectgaps: false, line: {color: COLORS[i % COLORS.length], width: 2}};
    });
    return draw(el, traces, {yaxis: {title: {text: "cohesion"}, range: [0, 1]}, height: 300});
  }

  function dyadSeries(el, data) {
    const rows = data.series || [];
    if (!rows.some((r) => r.events)) return note(el, "no data: no stored event between these actors in this window");
    const traces = [
      {x: rows.map((r) => r.period), y: rows.map((r) => r.events), type: "bar", name: "events",
        marker: {color: "#8aa4bf"}},
      {x: rows.map((r) => r.period), y: rows.map((r) => r.goldstein_mean), name: "mean Goldstein", yaxis: "y2",
        mode: "lines+markers", connectgaps: false, line: {color: "#16202b", width: 1.5}},
    ];
    const alerts = data.alerts || [];
    if (alerts.length) {
      const counts = Object.fromEntries(rows.map((r) => [r.period, r.events]));
      traces.push({x: alerts.map((a) => a.period), y: alerts.map((a) => counts[a.period] || 0), name: "alert",
        mode: "markers", marker: {symbol: "triangle-down", size: 14, color: "#a3261b"},
        hovertext: alerts.map((a) => a.explanation), hoverinfo: "text"});
    }
    return draw(el, traces, {yaxis: {title: {text: "events"}}, height: 320, margin: {l: 48, r: 56, t: 12, b: 40},
      yaxis2: {title: {text: "Goldstein"}, overlaying: "y", side: "right", range: [-10, 10], zeroline: false}});
  }

  function quads(el, data) {
    const rows = data.quads || [];
    const names = [["verbal_coop", "verbal cooperation", "#6fa86f"], ["material_coop", "material cooperation", "#2f6b3a"],
      ["verbal_conflict", "verbal conflict", "#e39b7b"], ["material_conflict", "material conflict", "#a3261b"]];
    if (!rows.some((r) => names.some(([k]) => r[k]))) return note(el, "no data: no coded event in this window");
    const traces = names.map(([key, label, color]) => ({x: rows.map((r) => r.period), y: rows.map((r) => r[key]),
      type: "bar", name: label, marker: {color}}));
    return draw(el, traces, {barmode: "stack", height: 260});
  }

  function voteMatrix(el, data) {
    const actors = data.actors || [];
    const cell = {};
    (data.matrix || []).forEach((r) => {
      const v = r.votes ? r.agreement : null;
      cell[r.a + "|" + r.b] = v;
      cell[r.b + "|" + r.a] = v;
    });
    if (!Object.values(cell).some((v) => v !== null && v !== undefined)) {
      return note(el, "no data: no vote cast by two of these states in this window");
    }
    // Squares of a scatter, not a heatmap: plotly draws heatmaps and colour bars with inline styles (CSP).
    const x = [], y = [], color = [], text = [];
    const gap = {x: [], y: [], text: []};  // pairs that never voted on the same decision: "no data", not blank
    actors.forEach((a) => actors.forEach((b) => {
      const v = cell[a + "|" + b];
      if (a === b) return;
      if (v === null || v === undefined) {
        gap.x.push(b); gap.y.push(a); gap.text.push(a + "–" + b + ": no data (no decision both voted on)");
        return;
      }
      x.push(b); y.push(a); color.push(v); text.push(a + "–" + b + ": agreement " + v.toFixed(2));
    }));
    return draw(el, [{type: "scatter", mode: "markers", x, y, hovertext: text, hoverinfo: "text",
      marker: {symbol: "square", size: 26, color, cmin: 0, cmax: 1, showscale: false,
        colorscale: [[0, "#c2562b"], [0.5, "#f1e6c8"], [1, "#1f5f99"]]}},
    {type: "scatter", mode: "markers", x: gap.x, y: gap.y, hovertext: gap.text, hoverinfo: "text",
      marker: {symbol: "square-open", size: 24, color: "#9a9a9a"}}],
    {height: 90 + 30 * actors.length, showlegend: false, margin: {l: 60, r: 16, t: 12, b: 60},
      xaxis: {type: "category", categoryorder: "array", categoryarray: actors, range: [-0.5, actors.length - 0.5],
        showgrid: false},
      yaxis: {type: "category", categoryorder: "array", categoryarray: actors, range: [actors.length - 0.5, -0.5],
        showgrid: false}});
  }

  function achScores(el, data) {
    const hyps = data.hypotheses || [];
    if (!hyps.length) return note(el, "no data: the watch file declares no hypothesis");
    const leaders = new Set(data.leaders || []);
    return draw(el, [{type: "bar", x: hyps.map((h) => h.id + " " + h.title), y: hyps.map((h) => h.inconsistency),
      text: hyps.map((h) => fmt(h.inconsistency)), textposition: "outside", cliponaxis: false,
      marker: {color: hyps.map((h) => (leaders.has(h.id) ? "#2f6b3a" : "#8aa4bf"))}, name: "inconsistency"}],
    {height: 240, yaxis: {title: {text: "inconsistency"}}, showlegend: false});
  }

  function coverage(el, data) {
    const sources = ((data.coverage || {}).sources || []);
    const covered = sources.filter((s) => (s.spans || []).length);
    if (!covered.length) return note(el, "no data: the store covers no span of time yet");
    const traces = covered.map((s, i) => {
      const x = [];
      const y = [];
      const label = s.source.startsWith(s.kind) ? s.source : s.source + " (" + s.kind + ")";
      s.spans.forEach(([from, to]) => { x.push(from, to, null); y.push(label, label, null); });
      return {x, y, mode: "lines+markers", name: label, showlegend: false, hoverinfo: "x+y",
        line: {width: 10, color: COLORS[i % COLORS.length]}, marker: {size: 6, color: COLORS[i % COLORS.length]}};
    });
    return draw(el, traces, {height: 60 + 28 * covered.length, margin: {l: 16, r: 16, t: 12, b: 40},
      xaxis: {type: "date"}, yaxis: {autorange: "reversed", automargin: true}});
  }

  function signpostHistory(el, data) {
    const rows = data.history || [];
    if (!rows.length) return note(el, "no recorded history yet");
    return draw(el, [{x: rows.map((r) => r.as_of), y: rows.map((r) => STATUS_LEVEL[r.status] ?? 0), mode: "lines+markers",
      line: {shape: "hv", color: "#1f5f99"}, hovertext: rows.map((r) => r.status.replace("_", " ")), hoverinfo: "x+text"}],
    {height: 220, yaxis: {tickvals: [0, 1, 2, 3], ticktext: ["no data", "not seen", "emerging", "seen"], range: [-0.3, 3.3]}});
  }

  const KINDS = {"bloc-graph": blocGraph, cohesion, "dyad-series": dyadSeries, quads, "vote-matrix": voteMatrix,
    "ach-scores": achScores, coverage, "signpost-history": signpostHistory};

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach((el) => {
      const kind = KINDS[el.dataset.chart];
      if (!kind || !window.Plotly) return note(el, "chart unavailable");
      getJSON(el.dataset.api).then((data) => kind(el, data)).catch((err) => note(el, "chart unavailable: " + err.message));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
