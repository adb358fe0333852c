// Explorable figures: each slider picks a parameter value; the frame drawn for that combination
// is shown. No mathematics here: every frame, readout and alt text was made at build time.
// One listener for the whole document, so it keeps working under Material's instant navigation.
document.addEventListener("input", (event) => {
  const slider = event.target;
  const figure = slider.closest ? slider.closest("figure.explorable") : null;
  if (!figure || slider.type !== "range") return;
  const chosen = {};
  for (const input of figure.querySelectorAll("input[type=range]")) {
    const value = JSON.parse(input.dataset.values)[Number(input.value)];
    chosen[input.dataset.param] = value;
    input.setAttribute("aria-valuetext", value);
    input.nextElementSibling.textContent = value;
  }
  const frames = JSON.parse(figure.querySelector("script.explorable-frames").textContent);
  const same = (f) => Object.keys(chosen).every((name) => f.params[name] === chosen[name]);
  const index = frames.findIndex(same);
  if (index < 0) return;
  const frame = frames[index];
  for (const img of figure.querySelectorAll("img")) {
    const theme = img.getAttribute("src").endsWith("#only-dark") ? "dark" : "light";
    img.src = frame[theme];
    img.alt = frame.alt;
  }
  figure.querySelector(".explorable-readout").textContent = frame.readout;
  // fetch the neighbours in the theme on screen, so the next step shows at once
  const dark = document.body.getAttribute("data-md-color-scheme") === "slate";
  for (const near of [frames[index - 1], frames[index + 1]]) {
    if (near) new Image().src = near[dark ? "dark" : "light"];
  }
});
