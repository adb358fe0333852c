// Explorable figures: each slider picks a parameter value; the frame drawn for that combination
// is shown. No mathematics here: every frame, readout and alt text was made at build time.
// One listener for the whole document, so it keeps working under Material's instant navigation.
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
    // the other theme's image is hidden: it gets the frame when the reader switches theme
    if (img.checkVisibility()) img.src = frame[theme];
    else img.dataset.frame = frame[theme];
    img.alt = frame.alt;
  }
  figure.querySelector(".explorable-readout").textContent = frame.readout;
  // fetch the frames one step away on each slider, in the theme on screen, so the next shows at once
  const theme = document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  for (const input of sliders) {
    for (const step of [-1, 1]) {
      const value = valueAt(input, Number(input.value) + step);
      const near = value === undefined ? null : frameFor({ ...chosen, [input.dataset.param]: value });
      if (near) new Image().src = near[theme];
    }
  }
});

// A theme switch shows the other images: give them the frames chosen meanwhile.
new MutationObserver(() => {
  for (const img of document.querySelectorAll("figure.explorable img[data-frame]")) {
    if (img.checkVisibility()) {
      img.src = img.dataset.frame;
      delete img.dataset.frame;
    }
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
