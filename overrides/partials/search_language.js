// Search in the reader's language only. The i18n plugin writes one search index for the whole site
// (Material fetches search/search_index.json from the site root on every page), so an English
// query would also list the Chinese pages, and the other way round. Before the index reaches the
// search worker, the documents of the other languages are taken out: each page load sets up its own
// worker, and the language switcher always loads a new page (assets/language.js).
// This script must run before the index has downloaded: overrides/main.html inlines it into <head>.
(function () {
  "use strict";

  const DEFAULT = "en";
  const language = document.documentElement.lang || DEFAULT;

  function inLanguage(others) {
    // Pages of a non-default language live under LANG/; the default language's, outside all of them.
    return (doc) => {
      const folder = others.find((lang) => doc.location.startsWith(`${lang}/`));
      return (folder || DEFAULT) === language;
    };
  }

  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    const docs = message && message.data && message.data.docs;
    if (Array.isArray(docs) && message.data.config) {
      // The set-up message, with the whole index: keep this language's documents. The languages
      // are read from the switcher now: this script runs in <head>, before the page's body.
      const others = Array.from(document.querySelectorAll(".md-select__link[hreflang]"))
        .map((a) => a.getAttribute("hreflang"))
        .filter((lang) => lang !== DEFAULT);
      message = { ...message, data: { ...message.data, docs: docs.filter(inLanguage(others)) } };
    }
    return post.call(this, message, ...rest);
  };
})();
