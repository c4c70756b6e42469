// The comment form. Post pages are cached for every anonymous reader, so they
// carry no CSRF token: fetch one when the reader starts writing, and before
// submitting. One click, one comment (the server also ignores exact repeats).
(function () {
  "use strict";

  function tokenInput(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]");
  }

  function fetchToken(form) {
    if (tokenInput(form)) return Promise.resolve();
    if (!form._tokenRequest) {
      form._tokenRequest = fetch(form.dataset.tokenUrl, { credentials: "same-origin" })
        .then((response) => response.json())
        .then((data) => {
          if (tokenInput(form)) return;
          const input = document.createElement("input");
          input.type = "hidden";
          input.name = "csrfmiddlewaretoken";
          input.value = data.csrfToken;
          form.appendChild(input);
        })
        .catch(() => {
          form._tokenRequest = null; // the server will ask once more, with a fresh token
        });
    }
    return form._tokenRequest;
  }

  document.addEventListener("focusin", (event) => {
    const form = event.target.closest("[data-comment-form]");
    if (form) fetchToken(form);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-comment-form]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.submitting) return;
    form.dataset.submitting = "true";
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = "Posting…";
    }
    fetchToken(form).then(() => form.submit());
  });
})();
