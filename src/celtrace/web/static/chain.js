// The chain graph: nodes and edges from /api/chain, drawn by Cytoscape; a click shows the vendor's card.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") { return; }
  var colours = { critical: "#c92a2a", high: "#e8590c", medium: "#f08c00", low: "#5c940d", none: "#868e96" };
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var elements = data.nodes.map(function (n) { return { group: "nodes", data: n }; })
        .concat(data.edges.map(function (e) { return { group: "edges", data: e }; }));
      // Tier-1 vendors (no client above them) on top; subcontractors and people hang below them.
      var hired = {};
      data.edges.forEach(function (e) { if (e.kind === "subcontracts_to") { hired[e.target] = true; } });
      var roots = data.nodes.filter(function (n) { return n.kind === "vendor" && !hired[n.id]; })
        .map(function (n) { return "#" + CSS.escape(n.id); });
      var cy = cytoscape({
        container: box,
        elements: elements,
        layout: { name: "breadthfirst", directed: false, roots: roots.join(","), spacingFactor: 1.2, padding: 20 },
        style: [
          { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
              "text-valign": "bottom", "text-margin-y": 4, "width": 24, "height": 24,
              "background-color": function (n) { return colours[n.data("level")] || colours.none; } } },
          { selector: "node[kind = 'person']", style: { "shape": "ellipse", "width": 14, "height": 14, "background-color": "#adb5bd" } },
          { selector: "node[kind = 'vendor']", style: { "shape": "round-rectangle" } },
          { selector: "edge", style: { "width": 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle",
              "line-color": "#495057", "target-arrow-color": "#495057" } },
          { selector: "edge[status = 'observed']", style: { "line-style": "dashed", "line-color": "#c92a2a", "target-arrow-color": "#c92a2a", "width": 2.5 } },
          { selector: "edge[kind != 'subcontracts_to']", style: { "line-color": "#adb5bd", "target-arrow-color": "#adb5bd", "width": 1 } },
          { selector: ":selected", style: { "border-width": 3, "border-color": "#1f61ab" } }
        ]
      });
      window.celtraceGraph = cy;
      box.dataset.ready = "true";
      cy.on("tap", "node[kind = 'vendor']", function (event) {
        var n = event.target.data();
        document.getElementById("card-name").textContent = n.label;
        document.getElementById("card-risk").textContent = "risk " + n.level + " · " + Math.round(n.score);
        var link = document.getElementById("card-link");
        link.setAttribute("href", n.href);
        link.hidden = false;
      });
    });
})();
