// Draws the report's charts as inline SVG from the data embedded in the page. No network, no libraries.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2a5bd7', '#e07b24', '#2e9e5b', '#b8328f', '#7a5cd6', '#c23b3b', '#1a9aa6', '#8c7a2b'];
  var data = JSON.parse(document.getElementById('medallion-data').textContent);

  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function svg(container) {
    var s = el('svg', { viewBox: '0 0 560 190', preserveAspectRatio: 'none', role: 'img' });
    container.appendChild(s);
    return s;
  }
  function axes(s, max, label) {
    el('line', { x1: 40, y1: 160, x2: 550, y2: 160, stroke: '#bbc' }, s);
    el('line', { x1: 40, y1: 10, x2: 40, y2: 160, stroke: '#bbc' }, s);
    el('text', { x: 36, y: 14, 'text-anchor': 'end', 'class': 'axis' }, s, label(max));
    el('text', { x: 36, y: 160, 'text-anchor': 'end', 'class': 'axis' }, s, label(0));
  }
  function legend(s, names) {
    names.forEach(function (n, i) {
      el('rect', { x: 48 + i * 120, y: 172, width: 10, height: 10, fill: COLORS[i % COLORS.length] }, s);
      el('text', { x: 62 + i * 120, y: 181, 'class': 'legend' }, s, n);
    });
  }
  function runsChart(container, runs) {
    var s = svg(container);
    var max = 1;
    runs.forEach(function (r) { max = Math.max(max, r[2], r[3]); });
    axes(s, max, function (v) { return v.toLocaleString('en'); });
    var slot = 510 / Math.max(runs.length, 1);
    var w = Math.max(Math.min(slot / 2 - 2, 40), 1);
    runs.forEach(function (r, i) {
      var x = 42 + i * slot + slot / 2 - w;
      [2, 3].forEach(function (k, j) {
        var h = 150 * r[k] / max;
        var bar = el('rect', { x: x + j * w, y: 160 - h, width: w - 1, height: h, fill: COLORS[j],
          'data-run': r[0], 'data-k': k === 2 ? 'rows-in' : 'rows-out', 'data-v': r[k] }, s);
        el('title', {}, bar, (k === 2 ? 'rows in ' : 'rows out ') + r[k] + ' (run ' + r[0].slice(0, 8) + ', ' + r[1] + ')');
      });
    });
    legend(s, ['rows in', 'rows out']);
  }
  function rulesChart(container, rules, runs) {
    var s = svg(container);
    axes(s, 100, function (v) { return v + '%'; });
    var order = runs.map(function (r) { return r[0]; });
    var names = Object.keys(rules);
    var step = 510 / Math.max(order.length - 1, 1);
    names.forEach(function (name, i) {
      var color = COLORS[i % COLORS.length];
      var pts = [];
      rules[name].forEach(function (p) {
        var total = p[1] + p[2];
        var idx = order.indexOf(p[0]);
        if (total === 0 || idx < 0) { return; }
        var rate = 100 * p[1] / total;
        var x = order.length === 1 ? 295 : 42 + idx * step, y = 160 - 1.5 * rate;
        pts.push(x + ',' + y);
        var dot = el('circle', { cx: x, cy: y, r: 3.5, fill: color, 'data-rule': name, 'data-run': p[0],
          'data-rate': rate.toFixed(2) }, s);
        el('title', {}, dot, name + ': ' + rate.toFixed(1) + '% passed (' + p[1] + ' of ' + total + ')');
      });
      el('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5 }, s);
    });
    legend(s, names);
  }
  Array.prototype.forEach.call(document.querySelectorAll('.chart'), function (c) {
    var t = data[c.getAttribute('data-for')];
    if (c.getAttribute('data-chart') === 'runs') { runsChart(c, t.runs); } else { rulesChart(c, t.rules, t.runs); }
  });
  document.body.setAttribute('data-rendered', 'true');
})();
