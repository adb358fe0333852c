// Typeset every formula with the KaTeX that this site serves itself (assets/katex/), so that
// pages need no CDN. navigation.instant swaps the page content without a reload, so this runs
// on every page Material shows (document$), not once.
//
// Markdown pages: pymdownx.arithmatex (generic) wraps each formula in .arithmatex, as \(…\) or
// \[…\]. Notebook pages (mkdocs-jupyter): nbconvert leaves $…$ and $$…$$ in the prose cells.
(function () {
  "use strict";

  const NOTEBOOK_DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "\\begin{equation}", right: "\\end{equation}", display: true },
    { left: "\\begin{equation*}", right: "\\end{equation*}", display: true },
    { left: "\\begin{align}", right: "\\end{align}", display: true },
    { left: "\\begin{align*}", right: "\\end{align*}", display: true },
    { left: "\\(", right: "\\)", display: false },
    { left: "$", right: "$", display: false },
  ];

  function typesetArithmatex(el) {
    const tex = el.textContent.trim();
    const display = tex.startsWith("\\[");
    const body = tex.replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
    // throwOnError: false shows a bad formula in red instead of leaving the page half-typeset;
    // the browser test fails on any .katex-error.
    katex.render(body, el, { displayMode: display, throwOnError: false });
  }

  function typeset(root) {
    for (const el of root.querySelectorAll(".arithmatex")) {
      if (!el.querySelector(".katex")) typesetArithmatex(el);
    }
    for (const el of root.querySelectorAll(".jupyter-wrapper .jp-MarkdownOutput")) {
      renderMathInElement(el, { delimiters: NOTEBOOK_DELIMITERS, throwOnError: false });
    }
  }

  document$.subscribe(({ body }) => typeset(body));
})();
