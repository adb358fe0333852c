// Explorable figures: each slider picks a parameter value; the frame drawn for that combination
// is shown. No mathematics here: every frame, readout and alt text was made at build time.
// One listener for the whole document, for every figure on the page.
document.addEventListener("input", (event) => {
  const slider = event.target;
  const figure = slider.closest ? slider.closest("figure.explorable") : null;
  if (!figure || slider.type !== "range") return;
  const sliders = [...figure.querySelectorAll("input[type=range]")];
  const valueAt = (input, position) => JSON.parse(input.dataset.values)[position];
  const chosen = {};
  for (const input of sliders) {
    const value = valueAt(input, Number(input.value));
    chosen[input.dataset.param] = value;
    input.setAttribute("aria-valuetext", value);
    input.parentElement.querySelector(".explorable-value").textContent = value;
  }
  const frames = JSON.parse(figure.querySelector("script.explorable-frames").textContent);
  const frameFor = (params) =>
    frames.find((f) => Object.keys(params).every((name) => f.params[name] === params[name]));
  const frame = frameFor(chosen);
  if (!frame) return;
  for (const img of figure.querySelectorAll("img")) {
    const theme = img.getAttribute("src").endsWith("#only-dark") ? "dark" : "light";
    // on a phone the <picture> around the image serves the frame's narrow layout
    const source = img.parentElement.tagName === "PICTURE" ? img.previousElementSibling : null;
    if (source) source.dataset.frame = frame[`narrow-${theme}`];
    img.dataset.frame = frame[theme];
    // the other theme's image is hidden: it gets the frame when the reader switches theme
    if (img.checkVisibility()) show(img);
    img.alt = frame.alt;
  }
  figure.querySelector(".explorable-readout").textContent = frame.readout;
  // fetch the frames one step away on each slider, in the theme and layout on screen, so the
  // next shows at once
  const theme = document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  const source = figure.querySelector("source");
  const key = source && matchMedia(source.media).matches ? `narrow-${theme}` : theme;
  for (const input of sliders) {
    for (const step of [-1, 1]) {
      const value = valueAt(input, Number(input.value) + step);
      const near = value === undefined ? null : frameFor({ ...chosen, [input.dataset.param]: value });
      if (near) new Image().src = near[key];
    }
  }
});

// An image on screen shows the frame it was given (and its <source>, the narrow layout).
function show(img) {
  const source = img.parentElement.tagName === "PICTURE" ? img.previousElementSibling : null;
  if (source) {
    source.srcset = source.dataset.frame;
    delete source.dataset.frame;
  }
  img.src = img.dataset.frame;
  delete img.dataset.frame;
}

// A theme switch shows the other images: give them the frames chosen meanwhile.
new MutationObserver(() => {
  for (const img of document.querySelectorAll("figure.explorable img[data-frame]")) {
    if (img.checkVisibility()) show(img);
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
