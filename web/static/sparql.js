/* lhs-kg SPARQL editor: progressive enhancement of the plain form (which works without this).
 * - syntax highlighting: a highlighted copy drawn under a transparent textarea;
 * - prefix completion: typing a known prefix ("skos:") adds its PREFIX line at the top;
 * - Ctrl/Cmd+Enter runs the query (Tab keeps moving the focus: no keyboard trap).
 * No library, no network: everything here runs offline.
 */
(function () {
  "use strict";
  var area = document.getElementById("sparql-query");
  var form = document.getElementById("sparql-form");
  if (!area || !form) { return; }

  var prefixes = {};
  try { prefixes = JSON.parse(area.getAttribute("data-prefixes") || "{}"); } catch (e) { prefixes = {}; }

  var KEYWORDS = /^(SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|PREFIX|BASE|FROM|NAMED|GRAPH|OPTIONAL|UNION|MINUS|FILTER|BIND|VALUES|AS|DISTINCT|REDUCED|ORDER|BY|ASC|DESC|LIMIT|OFFSET|GROUP|HAVING|NOT|EXISTS|IN|SERVICE|SILENT|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|LANGMATCHES|DATATYPE|BOUND|IRI|URI|BNODE|IF|COALESCE|REGEX|CONTAINS|STRSTARTS|STRENDS|LCASE|UCASE|SUBSTR|YEAR|NOW|a|true|false)$/i;
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z0-9_]+)|([A-Za-z][\w-]*)?:([\w.-]*)|([A-Za-z_][\w-]*)|(\d+(?:\.\d+)?)/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, m.index));
      var cls = m[1] ? "tok-comment" : m[2] ? "tok-string" : m[3] ? "tok-iri" : m[4] ? "tok-var"
        : (m[5] !== undefined || m[6] !== undefined) && m[0].indexOf(":") >= 0 ? "tok-pname"
        : m[7] ? (KEYWORDS.test(m[7]) ? "tok-keyword" : "") : m[8] ? "tok-number" : "";
      out += cls ? '<span class="' + cls + '">' + escapeHtml(m[0]) + "</span>" : escapeHtml(m[0]);
      last = TOKEN.lastIndex;
    }
    return out + escapeHtml(text.slice(last)) + "\n";
  }

  var wrap = area.parentNode;
  var shadow = document.createElement("pre");
  shadow.className = "sparql-highlight";
  shadow.setAttribute("aria-hidden", "true");
  wrap.insertBefore(shadow, area);
  wrap.classList.add("enhanced");

  function redraw() {
    shadow.innerHTML = highlight(area.value);
    shadow.scrollTop = area.scrollTop;
    shadow.scrollLeft = area.scrollLeft;
  }

  function declared(text, prefix) {
    return new RegExp("PREFIX\\s+" + prefix + ":", "i").test(text);
  }

  function completePrefixes() {
    var text = area.value, added = "";
    Object.keys(prefixes).forEach(function (prefix) {
      var used = new RegExp("(^|[\\s(/^|,;{])" + prefix + ":[A-Za-z_]", "m").test(text);
      if (used && !declared(text, prefix) && !declared(added, prefix)) {
        added += "PREFIX " + prefix + ": <" + prefixes[prefix] + ">\n";
      }
    });
    if (added) {
      var start = area.selectionStart, end = area.selectionEnd;
      area.value = added + text;
      area.setSelectionRange(start + added.length, end + added.length);
    }
  }

  area.addEventListener("input", function () { completePrefixes(); redraw(); });
  area.addEventListener("scroll", redraw);
  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  redraw();
})();
