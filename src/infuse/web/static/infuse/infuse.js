// Marks the page as JavaScript-enabled and starts GOV.UK Frontend's components.
// Kept in a file (not inline) so the Content-Security-Policy can forbid inline scripts.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// Buttons that ask for confirmation carry data-confirm with the question in the page language.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset ? button.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
