// aekit report: draws the page from the JSON in #aekit-data. No library, no network.
// Every string from the data goes into the page as text (textContent), never as markup.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("aekit-data").textContent);
  // The SVG namespace, from an <svg> the HTML parser made: the file holds no URL at all.
  const SVG = document.getElementById("svg-namespace").namespaceURI;
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];
  const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37]];

  // -- small helpers -----------------------------------------------------------------------
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function byId(id) { return document.getElementById(id); }
  function bytes(b64) {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const HALF = (function () { // float16 bit pattern -> value, for all 65536 patterns
    const t = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, f = h & 1023;
      t[h] = e === 0 ? s * Math.pow(2, -14) * (f / 1024)
        : e === 31 ? (f ? NaN : s * Infinity) : s * Math.pow(2, e - 15) * (1 + f / 1024);
    }
    return t;
  })();
  function floats(rec) { // {dtype: f16|f32, data} -> Float32Array
    const b = bytes(rec.data), v = new DataView(b.buffer);
    if (rec.dtype === "f16") {
      const out = new Float32Array(b.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = HALF[v.getUint16(2 * i, true)];
      return out;
    }
    const out = new Float32Array(b.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = v.getFloat32(4 * i, true);
    return out;
  }
  function uints(b64, size) {
    const b = bytes(b64), v = new DataView(b.buffer), n = b.length / size;
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = size === 2 ? v.getUint16(2 * i, true) : size === 4 ? v.getUint32(4 * i, true) : b[i];
    return out;
  }
  function fmt(x) {
    if (x === null || x === undefined || !isFinite(x)) return "-";
    const a = Math.abs(x);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
    return a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  }
  function ticks(lo, hi, n) { // "nice" tick values inside [lo, hi]
    if (!(hi > lo)) { hi = lo + 1; }
    const step0 = (hi - lo) / Math.max(1, n), mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
    out.step = step;
    return out;
  }
  function tickText(t, step) { // as many decimals as the step needs
    const d = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
    return Math.abs(t) >= 1e5 ? t.toExponential(1) : t.toFixed(d + (step / Math.pow(10, -d) % 1 ? 1 : 0));
  }
  function viridis(t) {
    t = Math.min(1, Math.max(0, isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
    return "rgb(" + [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))).join(",") + ")";
  }
  function quantile(values, q) {
    const s = Array.from(values).filter((v) => isFinite(v)).sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] : 0;
  }

  // -- pictures: sprites (one PNG per kind) and vectors decoded in the page ---------------
  const loading = [];
  function Sprite(rec) {
    this.rec = rec;
    this.img = new Image();
    this.img.src = "data:image/png;base64," + rec.png;
    loading.push(this.img.decode().catch(function () { /* drawn when it loads */ }));
  }
  Sprite.prototype.then = function (fn) { // fn() once the PNG is decoded
    if (this.img.complete && this.img.naturalWidth) fn(); else this.img.addEventListener("load", fn);
  };
  Sprite.prototype.draw = function (ctx, i, x, y, w, h) {
    const r = this.rec, col = i % r.cols, row = Math.floor(i / r.cols);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.img, col * r.w, row * r.h, r.w, r.h, x, y, w, h);
  };
  function thumbCanvas(size) {
    const c = el("canvas", { width: size, height: size, class: "pixels" });
    c.style.width = size + "px"; c.style.height = size + "px";
    return c;
  }
  function vectorImage(vec) { // data units, (c, h, w) order -> a small canvas
    const im = D.image, n = im.h * im.w, span = im.hi - im.lo || 1;
    const c = el("canvas", { width: im.w, height: im.h });
    const ctx = c.getContext("2d"), data = ctx.createImageData(im.w, im.h);
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < 3; k++) {
        const v = vec[(im.c === 3 ? k : 0) * n + p];
        data.data[4 * p + k] = Math.round(255 * Math.min(1, Math.max(0, (v - im.lo) / span)));
      }
      data.data[4 * p + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
    return c;
  }
  function drawItem(canvas, item) { // item: {sprite, index} or {vector}
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (item.sprite) item.sprite.draw(ctx, item.index, 0, 0, canvas.width, canvas.height);
    else ctx.drawImage(vectorImage(item.vector), 0, 0, canvas.width, canvas.height);
  }
  function labelled(canvas, text) {
    const box = el("div", { class: "thumb" });
    box.appendChild(canvas);
    box.appendChild(el("span", {}, text));
    return box;
  }
  function spriteGrid(sprite, nCols, cell, captions) { // a canvas of sprite cells, in order
    const n = sprite.rec.n, rows = Math.ceil(n / nCols), gap = 2;
    const c = el("canvas", { width: nCols * (cell + gap), height: rows * (cell + gap), class: "pixels" });
    c.style.width = c.width + "px";
    const draw = function () {
      const ctx = c.getContext("2d");
      for (let i = 0; i < n; i++) sprite.draw(ctx, i, (i % nCols) * (cell + gap), Math.floor(i / nCols) * (cell + gap), cell, cell);
    };
    sprite.then(draw);
    if (captions) c.title = captions;
    return c;
  }

  // -- the decoder, run in the page -------------------------------------------------------
  const ACT = {
    elu: (x) => (x > 0 ? x : Math.expm1(x)), relu: (x) => (x > 0 ? x : 0),
    sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh,
    gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), leaky_relu: (x) => (x > 0 ? x : 0.01 * x),
    silu: (x) => x / (1 + Math.exp(-x)),
  };
  function erf(x) { // Abramowitz & Stegun 7.1.26: error below 1.5e-7
    const s = x < 0 ? -1 : 1, a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
    return s * y;
  }
  function Decoder(rec) {
    this.layers = rec.layers.map((l) => ({ w: floats(l.w), b: floats(l.b), n: l.b.shape[0], act: l.act ? ACT[l.act] : null }));
    this.sigmoid = rec.output === "sigmoid";
    this.offset = rec.unscale ? floats(rec.unscale.offset) : null;
    this.scale = rec.unscale ? floats(rec.unscale.scale) : null;
  }
  Decoder.prototype.scaled = function (code) { // the model's output before un-scaling
    let h = Float64Array.from(code);
    for (const l of this.layers) {
      const m = h.length, out = new Float64Array(l.n);
      for (let o = 0; o < l.n; o++) {
        let s = l.b[o];
        const row = o * m;
        for (let i = 0; i < m; i++) s += l.w[row + i] * h[i];
        out[o] = l.act ? l.act(s) : s;
      }
      h = out;
    }
    if (this.sigmoid) for (let i = 0; i < h.length; i++) h[i] = 1 / (1 + Math.exp(-h[i]));
    return h;
  };
  Decoder.prototype.decode = function (code) { // in the data's units, as inverse_transform
    const h = this.scaled(code);
    if (this.offset) for (let i = 0; i < h.length; i++) h[i] = h[i] * this.scale[i] + this.offset[i];
    return h;
  };

  // -- charts (SVG) -------------------------------------------------------------------------
  function lineChart(opts) { // {title, series: [{values, dash, colour, name}], width, height, xLabel}
    const W = opts.width || 330, H = opts.height || 210, m = { l: 52, r: 10, t: 22, b: opts.xNames ? 62 : 30 };
    const root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img" });
    const all = [].concat(...opts.series.map((s) => s.values)).filter((v) => v !== null && isFinite(v));
    const n = Math.max(...opts.series.map((s) => s.values.length), 1);
    let lo = Math.min(...all), hi = Math.max(...all);
    const log = lo > 0 && hi / lo > 30;
    const tf = log ? Math.log10 : (v) => v;
    if (log) { lo = Math.log10(lo); hi = Math.log10(hi); }
    if (!(hi > lo)) { hi = lo + 1; }
    const pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
    const x = (i) => m.l + (n > 1 ? i / (n - 1) : 0.5) * (W - m.l - m.r), y = (v) => H - m.b - ((tf(v) - lo) / (hi - lo)) * (H - m.t - m.b);
    root.appendChild(svg("text", { x: m.l, y: 14, "font-weight": 600 }, opts.title + (log ? " (log scale)" : "")));
    const lt = log ? ticks(Math.ceil(lo), Math.floor(hi), 4) : null;
    const yt = log && lt.length >= 2 ? lt.map((t) => Math.pow(10, t)) : ticks(log ? Math.pow(10, lo) : lo, log ? Math.pow(10, hi) : hi, 5);
    for (const t of yt) {
      root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), class: "grid" }));
      root.appendChild(svg("text", { x: m.l - 4, y: y(t) + 4, "text-anchor": "end" }, log ? fmt(t) : tickText(t, yt.step)));
    }
    if (opts.xNames) {
      const every = Math.ceil(opts.xNames.length / 16);
      opts.xNames.forEach(function (name, i) {
        if (i % every) return;
        const label = svg("text", { x: x(i), y: H - m.b + 12, "text-anchor": "end", transform: "rotate(-35 " + x(i).toFixed(1) + " " + (H - m.b + 12) + ")" }, name.length > 14 ? name.slice(0, 13) + "\u2026" : name);
        label.appendChild(svg("title", {}, name));
        root.appendChild(label);
      });
    } else {
      for (const t of n > 1 ? ticks(1, n, 5).filter((t) => Number.isInteger(t)) : [1]) {
        root.appendChild(svg("text", { x: x(t - 1), y: H - m.b + 14, "text-anchor": "middle" }, t));
      }
    }
    if (!opts.xNames) root.appendChild(svg("text", { x: (W + m.l) / 2, y: H - 3, "text-anchor": "middle", fill: "#5b6570" }, opts.xLabel || "epoch"));
    root.appendChild(svg("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "axis" }));
    root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis" }));
    for (const s of opts.series) {
      const pts = s.values.map((v, i) => (v === null || !isFinite(v) ? null : x(i).toFixed(1) + "," + y(v).toFixed(1))).filter(Boolean);
      const line = svg("polyline", { points: pts.join(" "), fill: "none", stroke: s.colour, "stroke-width": 1.8 });
      if (s.dash) line.setAttribute("stroke-dasharray", "5 3");
      if (s.name) line.appendChild(svg("title", {}, s.name));
      root.appendChild(line);
      if (pts.length === 1) { // one epoch: a dot, since a line of one point is not drawn
        const [cx, cy] = pts[0].split(",");
        root.appendChild(svg("circle", { cx: cx, cy: cy, r: 3, fill: s.dash ? "#fff" : s.colour, stroke: s.colour, "stroke-width": 1.5 }));
      }
    }
    return root;
  }
  function barChart(opts) { // horizontal bars: {names, values, width, title}
    const rowH = 18, W = opts.width || 620, left = Math.min(240, 12 + 7 * Math.max(...opts.names.map((s) => s.length), 4));
    const H = 28 + rowH * opts.names.length + 24;
    const root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H });
    const hi = Math.max(...opts.values.filter(isFinite), 1e-12), span = W - left - 70;
    root.appendChild(svg("text", { x: 4, y: 14, "font-weight": 600 }, opts.title));
    opts.names.forEach(function (name, i) {
      const yy = 28 + i * rowH, v = opts.values[i];
      const label = svg("text", { x: left - 6, y: yy + 12, "text-anchor": "end" }, name.length > 32 ? name.slice(0, 31) + "\u2026" : name);
      label.appendChild(svg("title", {}, name));
      root.appendChild(label);
      root.appendChild(svg("rect", { x: left, y: yy + 2, width: Math.max(1, (v / hi) * span), height: rowH - 5, fill: "#2f6fb3" }));
      root.appendChild(svg("text", { x: left + Math.max(1, (v / hi) * span) + 4, y: yy + 12 }, fmt(v)));
    });
    return root;
  }

  // -- sections -------------------------------------------------------------------------------
  function table(columns, rows, numeric) {
    const t = el("table");
    if (columns) {
      const tr = el("tr");
      columns.forEach((c, i) => tr.appendChild(el("th", i && numeric ? { class: "num" } : {}, c)));
      t.appendChild(tr);
    }
    for (const row of rows) {
      const tr = el("tr");
      row.forEach((c, i) => tr.appendChild(el("td", i && numeric ? { class: "num" } : {}, c)));
      t.appendChild(tr);
    }
    return t;
  }
  function architecture(a) {
    if (!a) return "-";
    if (a.kind === "mlp" || a.kind === "vae") {
      const enc = [a.n_features].concat(a.hidden);
      return a.kind + " " + enc.concat([a.code_size]).concat(enc.slice().reverse()).join("-") + ", " + a.activation;
    }
    if (a.kind === "conv") {
      return "conv " + a.image_shape.join("x") + ", channels " + a.channels.join("-") + " (kernel " + a.kernel_size + ", stride 2), code " + a.code_size + ", " + a.activation;
    }
    return Object.entries(a).filter(([k]) => k !== "likelihood").map(([k, v]) => k + " " + JSON.stringify(v)).join(", ");
  }
  function header() {
    const a = D.about;
    document.title = D.title;
    byId("title").textContent = D.title;
    byId("subtitle").textContent = a.model + " on " + a.data + "; measured on " + a.n_eval + " " + a.split + " rows; aekit " + a.aekit_version;
    const nav = byId("nav");
    for (const s of document.querySelectorAll("main > section")) {
      if (s.hidden) continue;
      const link = el("a", { href: "#" + s.id }, s.querySelector("h2").textContent);
      nav.appendChild(link);
    }
  }
  function summary() {
    const a = D.about;
    byId("about").appendChild(table(null, [
      ["model", a.model], ["architecture", architecture(a.architecture)], ["folder", a.folder],
      ["data", a.data + " (" + a.n_train + " training rows, " + a.n_eval + " " + a.split + " rows)"],
      ["likelihood / scaling", a.likelihood + " / " + a.scaling],
    ]));
    byId("metrics").appendChild(table(D.metrics.columns, D.metrics.rows, true));
    const t = el("table");
    for (const [name, value, changed] of D.settings) {
      const tr = el("tr");
      tr.appendChild(el("td", changed ? { class: "changed" } : {}, name));
      tr.appendChild(el("td", changed ? { class: "changed" } : {}, value));
      t.appendChild(tr);
    }
    byId("settings").appendChild(t);
  }
  function curves() {
    const box = byId("curves");
    if (!D.curves.length) { box.appendChild(el("p", { class: "muted" }, "The folder keeps no history.json.")); return; }
    for (const c of D.curves) {
      const series = [];
      if (c.train) series.push({ values: c.train, colour: "#2f6fb3", name: "training" });
      if (c.val) series.push({ values: c.val, colour: "#d9534f", dash: true, name: "validation" });
      const div = el("div", { class: "chart" });
      div.appendChild(lineChart({ title: (c.stage ? c.stage + ": " : "") + c.term, series: series }));
      box.appendChild(div);
    }
  }
  function grid() {
    const g = D.grid;
    if (!g) { byId("grid-section").hidden = true; return; }
    byId("grid-note").textContent = "A seeded sample of the " + D.about.split + " rows (seed " + D.about.seed + "), one per label where the data have labels.";
    const sprite = new Sprite(g.sprite), t = el("table", { class: "grid-table" });
    g.rows.forEach(function (name, r) {
      const tr = el("tr");
      tr.appendChild(el("td", { class: "row-name" }, name));
      for (let i = 0; i < g.per_row; i++) {
        const td = el("td"), c = thumbCanvas(56);
        sprite.then(() => drawItem(c, { sprite: sprite, index: r * g.per_row + i }));
        td.appendChild(c); tr.appendChild(td);
      }
      t.appendChild(tr);
    });
    byId("grid").appendChild(t);
  }
  function filters() {
    const f = D.filters;
    if (f.why && D.kind === "table") { byId("filters-section").hidden = true; return; }
    if (f.why) { byId("filters-note").textContent = "Not drawn: " + f.why + "."; return; }
    byId("filters-note").textContent = "The input weights of the first " + f.sprite.n + " of " + f.n_units +
      " first-layer units, each scaled to unit norm and drawn from its own minimum (black) to its maximum (white): what each unit responds to most.";
    byId("filters").appendChild(spriteGrid(new Sprite(f.sprite), 16, 40));
  }
  function samples() {
    const s = D.samples;
    if (!s) return;
    byId("samples-section").hidden = false;
    byId("samples-note").textContent = s.sprite.n + " codes drawn from the N(0, I) prior (seed " + s.seed + ") and decoded by the model.";
    byId("samples").appendChild(spriteGrid(new Sprite(s.sprite), 16, 48));
  }
  function anomaly() {
    const a = D.anomaly;
    if (!a) return;
    byId("anomaly-section").hidden = false;
    byId("anomaly-note").textContent = "Anomaly scores of the " + a.n + " " + D.about.split + " rows: " + a.n_flagged +
      " lie above the threshold " + fmt(a.threshold) + " (red line).";
    const W = 640, H = 220, m = { l: 48, r: 12, t: 12, b: 32 }, e = a.edges, top = Math.max(...a.counts, 1);
    const root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H });
    const x = (v) => m.l + ((v - e[0]) / (e[e.length - 1] - e[0] || 1)) * (W - m.l - m.r);
    const y = (c) => H - m.b - (c / top) * (H - m.t - m.b);
    for (const t of ticks(0, top, 4)) {
      root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), class: "grid" }));
      root.appendChild(svg("text", { x: m.l - 4, y: y(t) + 4, "text-anchor": "end" }, t));
    }
    a.counts.forEach(function (c, i) {
      const bar = svg("rect", { x: x(e[i]) + 0.5, y: y(c), width: Math.max(1, x(e[i + 1]) - x(e[i]) - 1), height: H - m.b - y(c), fill: e[i] >= a.threshold ? "#d9534f" : "#2f6fb3" });
      bar.appendChild(svg("title", {}, c + " rows with score " + fmt(e[i]) + " to " + fmt(e[i + 1])));
      root.appendChild(bar);
    });
    for (const t of ticks(e[0], e[e.length - 1], 6)) root.appendChild(svg("text", { x: x(t), y: H - m.b + 14, "text-anchor": "middle" }, fmt(t)));
    root.appendChild(svg("text", { x: (W + m.l) / 2, y: H - 3, "text-anchor": "middle", fill: "#5b6570" }, "anomaly score (higher: more anomalous)"));
    root.appendChild(svg("line", { x1: x(a.threshold), x2: x(a.threshold), y1: m.t, y2: H - m.b, stroke: "#c00", "stroke-width": 2, "stroke-dasharray": "4 3" }));
    const right = x(a.threshold) > W - 120;
    root.appendChild(svg("text", { x: x(a.threshold) + (right ? -4 : 4), y: m.t + 10, fill: "#c00", "text-anchor": right ? "end" : "start" }, "threshold " + fmt(a.threshold)));
    byId("histogram").appendChild(root);
    worst(a.worst);
  }
  function worst(w) {
    const box = byId("worst");
    if (w.sprite) {
      const sprite = new Sprite(w.sprite), row = el("div", { class: "thumbs" }), k = w.rows.length;
      w.rows.forEach(function (r, i) {
        const pair = el("div", { class: "thumb" }), a = thumbCanvas(56), b = thumbCanvas(56);
        sprite.then(function () { drawItem(a, { sprite: sprite, index: i }); drawItem(b, { sprite: sprite, index: k + i }); });
        pair.appendChild(a); pair.appendChild(b);
        pair.appendChild(el("span", {}, "row " + r + ": " + fmt(w.scores[i])));
        row.appendChild(pair);
      });
      box.appendChild(el("p", { class: "muted" }, "Each: the input above its reconstruction, with its row among the " + D.about.split + " rows and its score."));
      box.appendChild(row);
    }
    box.appendChild(table(["row", "score", "features weighing most in the score"],
      w.rows.map((r, i) => [String(r), fmt(w.scores[i]), w.top_features[i].join(", ")]), false));
  }
  function columnErrors() {
    const c = D.column_errors;
    if (!c) return;
    byId("columns-section").hidden = false;
    let order = c.names.map((_, i) => i).sort((a, b) => c.errors[b] - c.errors[a]);
    const total = order.length;
    order = order.slice(0, c.max_shown);
    byId("columns-note").textContent = "Mean squared reconstruction error of each column on the " + D.about.n_eval + " " + D.about.split +
      " rows, " + c.units + ", largest first" + (total > order.length ? " (the " + order.length + " largest of " + total + " columns)." : ".");
    byId("column-errors").appendChild(barChart({ title: "error per column", names: order.map((i) => c.names[i]), values: order.map((i) => c.errors[i]) }));
  }
  function notes() {
    const list = byId("notes"), m = D.map;
    const say = (text) => list.appendChild(el("li", {}, text));
    say("Everything on this page is in this one file: no request leaves it (its Content-Security-Policy forbids any), and it draws its figures itself (SVG and canvas), without a plotting library.");
    say("The numbers in the summary are those aekit train recorded in metrics.json" + (D.about.split === "test" ? ", on the dataset's test rows." : ", on the rows it held out."));
    say("The map shows " + m.n.toLocaleString("en") + " of the " + m.n_rows.toLocaleString("en") + " " + D.about.split + " rows" + (m.n < m.n_rows ? ", a seeded random sample (seed " + D.about.seed + ")." : "."));
    if (m.quality) say("Map thumbnails: " + m.quality + ", as one PNG per kind.");
    if (m.reduced) say("The map shows fewer points than the " + m.reduced.asked.toLocaleString("en") + " asked: with more, the page would exceed its size budget of " + (m.reduced.limit / 1e6).toFixed(1) + " MB.");
    if (D.kind === "table") say("The data are a table: no picture grid or filters; the error of each column is drawn instead, and hovering a point shows its row beside its reconstruction, " + D.map.table.units + ".");
    say("PCA map: " + M.pca.name + ".");
    if (D.decoder.packed) {
      say("Decoding runs in this page: the decoder's " + D.decoder.n_weights.toLocaleString("en") + " weights are embedded as float16, with its activations, output function and the model's un-scaling; checked when the page was written, it matches the model's own decoding to within " +
        (100 * D.decoder.relative_error).toPrecision(2) + " % of the output's range. Hover reconstructions and interpolations are decoded from the points' codes (stored as float16).");
    } else {
      say("Decoding does not run in this page: " + D.decoder.why + ". Reconstructions were computed when the report was written, and interpolations only between the " + m.anchors.length + " marked anchor points (every pair, " + m.steps + " steps).");
    }
  }

  // -- the latent map -----------------------------------------------------------------------
  const M = D.map, N = M.n, rows = uints(M.rows, 4);
  const decoder = D.decoder.packed ? new Decoder(D.decoder) : null;
  const codes = M.codes ? floats(M.codes) : null;
  const anchors = M.anchors || null, anchorPos = new Map((anchors || []).map((p, i) => [p, i]));
  const sprites = {};
  if (M.sprites) for (const k of Object.keys(M.sprites)) sprites[k] = new Sprite(M.sprites[k]);
  const labelIndex = M.colour.kind === "labels" ? uints(M.colour.values, 2) : null;
  const tableBytes = {};
  const colour = pointColours();
  function coords(rec) {
    const q = uints(rec.data, 2), b = rec.bounds, out = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) {
      out[2 * i] = b[0] + (q[2 * i] / 65535) * (b[1] - b[0]);
      out[2 * i + 1] = b[2] + (q[2 * i + 1] / 65535) * (b[3] - b[2]);
    }
    return out;
  }
  function pointColours() {
    const c = M.colour, out = new Array(N).fill("#2f6fb3");
    if (c.kind === "labels") {
      const idx = labelIndex;
      for (let i = 0; i < N; i++) out[i] = c.names.length <= PALETTE.length ? PALETTE[idx[i]] : viridis(idx[i] / (c.names.length - 1));
    } else if (c.kind === "continuous" || c.kind === "score") {
      const lo = quantile(c.values, 0.01), hi = quantile(c.values, 0.99);
      c.lo = lo; c.hi = hi;
      for (let i = 0; i < N; i++) out[i] = viridis((c.values[i] - lo) / (hi - lo || 1));
    }
    return out;
  }
  function legend() {
    const box = byId("legend"), c = M.colour;
    box.appendChild(el("strong", {}, "colour: " + c.title));
    if (c.kind === "labels" && c.names.length <= PALETTE.length) {
      c.names.forEach(function (name, i) {
        const item = el("span");
        const sw = el("span", { class: "swatch" }); sw.style.background = PALETTE[i];
        item.appendChild(sw); item.appendChild(document.createTextNode(name));
        box.appendChild(item);
      });
    } else if (c.kind !== "none") {
      const bar = el("canvas", { width: 160, height: 10 }), ctx = bar.getContext("2d");
      for (let x = 0; x < 160; x++) { ctx.fillStyle = viridis(x / 159); ctx.fillRect(x, 0, 1, 10); }
      const lo = c.kind === "labels" ? c.names[0] : fmt(c.lo), hi = c.kind === "labels" ? c.names[c.names.length - 1] : fmt(c.hi);
      box.appendChild(el("span", {}, lo)); box.appendChild(bar); box.appendChild(el("span", {}, hi));
      if (c.kind === "score") box.appendChild(el("span", {}, "red ring: above the threshold " + fmt(c.threshold)));
    }
    if (anchors) box.appendChild(el("span", {}, "black rings: the " + anchors.length + " anchors (selectable)"));
  }

  const state = { hover: -1, selected: [] };
  const panels = [];
  function Panel(canvas, rec) {
    this.canvas = canvas; this.xy = coords(rec); this.b = rec.bounds;
    this.dpr = window.devicePixelRatio || 1;
    const css = canvas.getBoundingClientRect();
    this.size = css.width || 440;
    canvas.width = Math.round(this.size * this.dpr); canvas.height = Math.round(this.size * this.dpr);
    this.reset();
    this.listen();
  }
  Panel.prototype.reset = function () {
    const b = this.b, pad = 16, w = (b[1] - b[0]) || 1, h = (b[3] - b[2]) || 1;
    this.k = (this.size - 2 * pad) / Math.max(w, h); // pixels per unit, equal on both axes
    this.tx = pad + (this.size - 2 * pad - this.k * w) / 2 - this.k * b[0];
    this.ty = pad + (this.size - 2 * pad - this.k * h) / 2 + this.k * b[3];
  };
  Panel.prototype.sx = function (i) { return this.tx + this.k * this.xy[2 * i]; };
  Panel.prototype.sy = function (i) { return this.ty - this.k * this.xy[2 * i + 1]; };
  Panel.prototype.draw = function () {
    const ctx = this.canvas.getContext("2d"), r = N > 5000 ? 1.6 : N > 1000 ? 2.2 : 3;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.size, this.size);
    ctx.globalAlpha = anchors ? 0.55 : 0.85;
    for (let i = 0; i < N; i++) {
      ctx.fillStyle = colour[i];
      if (N > 3000) { ctx.fillRect(this.sx(i) - r, this.sy(i) - r, 2 * r, 2 * r); continue; }
      ctx.beginPath(); ctx.arc(this.sx(i), this.sy(i), r, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (M.colour.kind === "score") {
      ctx.strokeStyle = "#d00"; ctx.lineWidth = 1.2;
      for (let i = 0; i < N; i++) if (M.colour.values[i] > M.colour.threshold) this.ring(ctx, i, r + 2.5);
    }
    if (anchors) { ctx.strokeStyle = "#111"; ctx.lineWidth = 1.6; for (const p of anchors) this.ring(ctx, p, 5.5); }
    ctx.lineWidth = 2.5;
    state.selected.forEach((p, j) => { ctx.strokeStyle = j ? "#e67e00" : "#0a8a3a"; this.ring(ctx, p, 8); });
    if (state.hover >= 0) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; this.ring(ctx, state.hover, 6.5); }
  };
  Panel.prototype.ring = function (ctx, i, radius) {
    ctx.beginPath(); ctx.arc(this.sx(i), this.sy(i), radius, 0, 2 * Math.PI); ctx.stroke();
  };
  Panel.prototype.nearest = function (px, py, onlyAnchors) {
    let best = -1, bestD = 10 * 10;
    const candidates = onlyAnchors ? anchors : null, n = candidates ? candidates.length : N;
    for (let j = 0; j < n; j++) {
      const i = candidates ? candidates[j] : j, dx = this.sx(i) - px, dy = this.sy(i) - py, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  };
  Panel.prototype.listen = function () {
    const c = this.canvas, self = this;
    let drag = null;
    const local = (e) => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    c.addEventListener("wheel", function (e) {
      e.preventDefault();
      const [px, py] = local(e), f = Math.exp(-e.deltaY * 0.0015);
      self.tx = px - (px - self.tx) * f; self.ty = py - (py - self.ty) * f; self.k *= f;
      redraw();
    }, { passive: false });
    c.addEventListener("mousedown", function (e) { const [px, py] = local(e); drag = { x: px, y: py, moved: false }; });
    window.addEventListener("mouseup", function () { setTimeout(() => { drag = null; }, 0); });
    c.addEventListener("mousemove", function (e) {
      const [px, py] = local(e);
      if (drag && e.buttons & 1) {
        const dx = px - drag.x, dy = py - drag.y;
        if (drag.moved || dx * dx + dy * dy > 16) {
          drag.moved = true; self.tx += dx; self.ty += dy; drag.x = px; drag.y = py; redraw(); return;
        }
      }
      const i = self.nearest(px, py, false);
      if (i !== state.hover) { state.hover = i; showHover(i); redraw(); }
    });
    c.addEventListener("mouseleave", function () { if (state.hover !== -1) { state.hover = -1; redraw(); } });
    c.addEventListener("click", function (e) {
      if (drag && drag.moved) return;
      const [px, py] = local(e), i = self.nearest(px, py, !!anchors);
      if (i >= 0) select(i);
    });
  };
  function redraw() { for (const p of panels) p.draw(); }

  function pointText(i) {
    const c = M.colour;
    let text = "row " + rows[i] + " of the " + D.about.split + " rows";
    if (c.kind === "labels") text += ", label " + c.names[labelIndex[i]];
    if (c.kind === "continuous") text += ", label " + fmt(c.values[i]);
    if (c.kind === "score") text += ", anomaly score " + fmt(c.values[i]) + (c.values[i] > c.threshold ? " (above the threshold)" : "");
    return text;
  }
  function code(i) { return codes ? Array.from(codes.subarray(i * M.code_size, (i + 1) * M.code_size)) : null; }
  function inputItem(i) { return D.kind === "images" ? { sprite: sprites.inputs, index: i } : { vector: tableRow("inputs", i) }; }
  function reconItem(i) {
    if (decoder) return { vector: D.kind === "images" ? decoder.decode(code(i)) : decoder.scaled(code(i)) };
    return D.kind === "images" ? { sprite: sprites.recons, index: i } : { vector: tableRow("recons", i) };
  }
  function tableRow(kind, i) { // a table row in the model's scaled space
    const t = D.map.table[kind], d = D.columns.length;
    if (!tableBytes[kind]) tableBytes[kind] = bytes(t.data);
    const q = tableBytes[kind].subarray(i * d, (i + 1) * d);
    return Array.from(q, (v, j) => t.lo[j] + (v / 255) * (t.hi[j] - t.lo[j]));
  }
  function showHover(i) {
    if (i < 0) return;
    byId("hover-info").textContent = pointText(i);
    const view = byId("hover-view");
    view.replaceChildren();
    view.dataset.index = String(i);
    if (D.kind === "images") {
      const row = el("div", { class: "thumbs" }), a = thumbCanvas(112), b = thumbCanvas(112);
      a.id = "hover-input"; b.id = "hover-recon";
      drawItem(a, inputItem(i)); drawItem(b, reconItem(i));
      row.appendChild(labelled(a, "input")); row.appendChild(labelled(b, "reconstruction"));
      view.appendChild(row);
    } else {
      view.appendChild(rowChart(inputItem(i).vector, reconItem(i).vector));
    }
  }
  function rowChart(x, r) { // a table row beside its reconstruction, per column
    const names = D.columns, d = names.length;
    const series = [{ values: x, colour: "#2f6fb3", name: "input" }, { values: Array.from(r), colour: "#e67e00", dash: true, name: "reconstruction" }];
    const box = el("div");
    box.appendChild(lineChart({ title: "input (blue) and reconstruction (orange), " + D.map.table.units, series: series, width: 440, height: 230, xLabel: "column", xNames: names }));
    const err = names.map((n, j) => [n, Math.abs(x[j] - r[j])]).sort((a, b) => b[1] - a[1]).slice(0, Math.min(3, d));
    box.appendChild(el("p", { class: "muted" }, "largest differences: " + err.map((e) => e[0] + " (" + fmt(e[1]) + ")").join(", ")));
    return box;
  }
  function select(i) {
    state.selected = state.selected.length >= 2 || state.selected.includes(i) ? [i] : state.selected.concat([i]);
    redraw();
    const info = byId("interp-info"), out = byId("interp-frames");
    out.replaceChildren();
    if (state.selected.length < 2) {
      info.textContent = "Selected " + pointText(i) + ". Click another " + (anchors ? "anchor" : "point") + ".";
      return;
    }
    const [a, b] = state.selected, frames = interpolation(a, b);
    info.textContent = "From row " + rows[a] + " (green) to row " + rows[b] + " (orange): " + frames.length + " codes on the line between theirs, " +
      (decoder ? "decoded in the page." : "decoded when the report was written.");
    if (D.kind === "images") {
      const strip = el("div", { class: "thumbs" });
      frames.forEach(function (item, k) { const c = thumbCanvas(56); drawItem(c, item); strip.appendChild(labelled(c, "t=" + (k / (frames.length - 1)).toFixed(2))); });
      out.appendChild(strip);
    } else {
      const series = frames.map((f, k) => ({ values: Array.from(f.vector), colour: viridis(k / (frames.length - 1)), name: "t=" + (k / (frames.length - 1)).toFixed(2) }));
      out.appendChild(lineChart({ title: "decoded rows from A (dark) to B (yellow), " + D.map.table.units, series: series, width: 440, height: 230, xLabel: "column", xNames: D.columns }));
    }
  }
  function interpolation(a, b) { // STEPS items from a's reconstruction to b's
    const S = M.steps, out = [];
    if (decoder) {
      const ca = code(a), cb = code(b);
      for (let k = 0; k < S; k++) {
        const t = k / (S - 1), z = ca.map((v, j) => (1 - t) * v + t * cb[j]);
        out.push({ vector: D.kind === "images" ? decoder.decode(z) : decoder.scaled(z) });
      }
      return out;
    }
    let i = anchorPos.get(a), j = anchorPos.get(b), flip = false;
    if (i > j) { [i, j] = [j, i]; flip = true; }
    const A = anchors.length, pair = i * A - (i * (i + 1)) / 2 + (j - i - 1);
    const inner = [];
    for (let k = 0; k < S - 2; k++) {
      const f = pair * (S - 2) + k;
      inner.push(D.kind === "images" ? { sprite: sprites.frames, index: f } : { vector: tableRow("frames", f) });
    }
    if (flip) inner.reverse();
    return [reconItem(a)].concat(inner, [reconItem(b)]);
  }
  function latentMap() {
    byId("map-note").textContent = "The same " + N.toLocaleString("en") + " rows on two maps: the model's codes and PCA of the inputs. " +
      (anchors ? "Selection is limited to the " + anchors.length + " anchors (black rings): " + D.decoder.why + ", so this page does not decode; the paths between anchors were decoded when it was written."
        : "Any two points can be selected: the page decodes their codes itself.");
    byId("model-caption").textContent = "Model: " + M.model.name;
    byId("pca-caption").textContent = "PCA of the inputs: their first two principal components";
    panels.push(new Panel(byId("map-model"), M.model), new Panel(byId("map-pca"), M.pca));
    legend();
    redraw();
    byId("reset-view").addEventListener("click", function () { for (const p of panels) p.reset(); redraw(); });
    byId("clear-selection").addEventListener("click", function () { state.selected = []; byId("interp-frames").replaceChildren(); byId("interp-info").textContent = ""; redraw(); });
    byId("interp-info").textContent = anchors ? "Click two anchors (black rings)." : "Click two points.";
  }

  // -- the page, and a small hook for tests --------------------------------------------------
  summary(); curves(); grid(); latentMap(); anomaly(); columnErrors(); filters(); samples(); notes(); header();
  window.aekitReport = {
    ready: false,
    n: N,
    mode: decoder ? "page" : "anchors",
    anchors: anchors,
    selected: () => state.selected.slice(),
    hovered: () => state.hover,
    code: code,
    decode: (z) => (decoder ? Array.from(decoder.decode(z)) : null),
    pointScreenPosition: function (i, panel) { // viewport (CSS) pixels of point i
      const p = panels[panel === "pca" ? 1 : 0], r = p.canvas.getBoundingClientRect();
      return { x: r.left + p.sx(i), y: r.top + p.sy(i) };
    },
  };
  Promise.all(loading).then(function () { window.aekitReport.ready = true; });
})();
