{#-
  Material fetches and parses the search index (about 0.7 MB) on every page load. This script
  holds that one request back until the reader opens search (the header's search toggle, the
  search field, or the keyboard shortcut, which clicks the toggle), or arrives from a search
  result (?h=, which highlights the words found). main.html inlines it into <head>: it must
  wrap XMLHttpRequest before Material's bundle runs.
-#}
(function () {
  "use strict";

  const INDEX = /\/search\/search_index\.json$/;
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const held = [];
  let wanted = new URLSearchParams(location.search).has("h");

  function release() {
    wanted = true;
    for (const request of held.splice(0)) request();
  }

  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.searchIndex = INDEX.test(new URL(url, location.href).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (this.searchIndex && !wanted) held.push(() => send.apply(this, args));
    else send.apply(this, args);
  };

  document.addEventListener("change", (event) => {
    if (event.target.id === "__search" && event.target.checked) release();
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.matches?.("[data-md-component=search-query]")) release();
  });
})();
