// The comment form. Post pages are cached for every anonymous reader, so they
// carry no CSRF token and no time token (the spam checks' proof of when the
// reader began writing, bound to this article and this browser, good for one
// comment): fetch both when the reader starts writing, and before submitting.
// One click, one comment (the server also ignores exact repeats).
(function () {
  "use strict";

  function tokenInput(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]");
  }

  function startedInput(form) {
    return form.querySelector("input[name=form_started]");
  }

  function hasTokens(form) {
    const started = startedInput(form);
    return Boolean(tokenInput(form)) && (!started || Boolean(started.value));
  }

  function fillTokens(form, data) {
    if (!tokenInput(form)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = data.csrfToken;
      form.appendChild(input);
    }
    const started = startedInput(form);
    if (started && !started.value && data.formStarted) started.value = data.formStarted;
  }

  function fetchTokens(form) {
    if (hasTokens(form)) return Promise.resolve();
    if (!form._tokenRequest) {
      const url = new URL(form.dataset.tokenUrl, window.location.href);
      url.searchParams.set("article", form.dataset.article || "");
      form._tokenRequest = fetch(url, { credentials: "same-origin" })
        .then((response) => response.json())
        .then((data) => fillTokens(form, data))
        .catch(() => {
          form._tokenRequest = null; // the server will ask once more, with fresh tokens
        });
    }
    return form._tokenRequest;
  }

  document.addEventListener("focusin", (event) => {
    const form = event.target.closest("[data-comment-form]");
    if (form) fetchTokens(form);
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
    fetchTokens(form).then(() => form.submit());
  });
})();
