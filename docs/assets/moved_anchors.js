// An address whose anchor moved to another page still lands on its answer: when the anchor in the
// address names nothing on this page and the article links to exactly one other page with that
// anchor (the FAQ's list of questions does), go there. Old links to faq/#noise reach
// faq/tuning/#noise this way.
function followMovedAnchor() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id || document.getElementById(id)) return;
  const here = location.pathname;
  const targets = new Set(
    [...document.querySelectorAll("article a[href]")]
      .filter((a) => a.hash === location.hash && a.pathname !== here)
      .map((a) => a.href),
  );
  if (targets.size === 1) location.replace([...targets][0]);
}

if (typeof document$ !== "undefined") document$.subscribe(followMovedAnchor);
else followMovedAnchor();
window.addEventListener("hashchange", followMovedAnchor);
