// Language switcher (extra.alternate in mkdocs.yml) that leads to the same page in the other
// language: /X/ <-> /zh/X/, relative to the site root so that it also works under a sub-path
// (GitHub Pages). Material renders the switcher links relative to the page, to the other
// language's home; they are pointed at the current page's counterpart once the page is loaded.
(function () {
  "use strict";

  const DEFAULT = "en";
  const config = JSON.parse(document.getElementById("__config").textContent);
  // Resolved once, against the page this script was loaded with: the site root.
  const root = new URL(config.base, location.href);
  const prefixes = Array.from(document.querySelectorAll(".md-select__link[hreflang]"))
    .map((a) => a.getAttribute("hreflang"))
    .filter((lang) => lang !== DEFAULT);

  function pathInSite(url) {
    // The page's path below the site root, without a language prefix: "" or "update_rule/".
    let path = url.pathname.startsWith(root.pathname)
      ? url.pathname.slice(root.pathname.length)
      : url.pathname.replace(/^\//, "");
    for (const lang of prefixes) {
      if (path === lang || path.startsWith(`${lang}/`)) {
        path = path.slice(lang.length).replace(/^\//, "");
        break;
      }
    }
    return path;
  }

  function update() {
    const path = pathInSite(new URL(location.href));
    for (const link of document.querySelectorAll(".md-select__link[hreflang]")) {
      const lang = link.getAttribute("hreflang");
      const target = new URL((lang === DEFAULT ? "" : `${lang}/`) + path, root);
      link.href = target.href;
      // Material's language selector would look the page up in the other language's sitemap
      // instead (it follows only links without a target): this link already names it.
      link.target = "_self";
    }
  }

  // Headings have different anchors in each language, so the link leads to the page's top.
  document$.subscribe(update);
})();
