// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
// Move focus to the error summary so screen reader users hear what went wrong.
document.querySelector(".nhsuk-error-summary")?.focus();
