// Readers ask for the momentum coefficient by the letter their source uses: β (Polyak, d2l, the
// moving-average form) or "beta". The site writes it γ, which the search index cannot hold (its
// tokenizer drops Greek letters), so such a query also asks for the coefficient by name. The name
// is added, not substituted: a query about the moving-average β or Adam's β₁ still finds those.
// The query is rewritten on its way to the search worker (Material's QUERY message; no other
// message, and no other worker's, carries that type with a string).
(function () {
  "use strict";

  const QUERY = 2; // Material's SearchMessageType.QUERY
  const NAME = { en: "momentum coefficient", zh: "动量系数" };
  const name = NAME[document.documentElement.lang] || NAME.en;
  // the letter or its name, alone: not beta1, β₁ or betas
  const BY_LETTER = /(^|[^A-Za-z])(β|beta|γ|gamma)(?![A-Za-z0-9_\u2080-\u2089])/i;

  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === QUERY && typeof message.data === "string"
        && BY_LETTER.test(message.data) && !message.data.includes(name)) {
      message = { ...message, data: `${message.data} ${name}` };
    }
    return post.call(this, message, ...rest);
  };
})();
