// Progressive enhancement of the signing form: inline messages in text, and a friendly issue
// title. Without this script the form still works as a plain GET form to GitHub.
// Mirrors scripts/core/sign-url.ts (the tests check that both build the same URL).
(function () {
  'use strict';
  var form = document.querySelector('form.sign-form');
  if (!form) return;
  var LIMITS = { name: 100, country: 60, reason: 500, titleName: 40 };
  var MAX_URL = 7000;
  var repository = form.getAttribute('data-repository');
  form.setAttribute('novalidate', '');

  function field(name) { return form.elements.namedItem(name); }
  function showError(input, message) {
    var error = document.getElementById(input.id + '-error');
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  function title(name) {
    var units = Array.from(name);
    if (!name) return 'Signature';
    return 'Signature: ' + (units.length > LIMITS.titleName ? units.slice(0, LIMITS.titleName - 1).join('') + '\u2026' : name);
  }
  function buildUrl(name, country, reason) {
    function make(r) {
      var query = new URLSearchParams({ template: 'sign.yml', title: title(name), name: name, country: country });
      if (r) query.set('reason', r);
      return 'https://github.com/' + repository + '/issues/new?' + query.toString().replace(/\+/g, '%20');
    }
    var url = make(reason);
    while (url.length > MAX_URL && reason.length > 0) {
      reason = reason.slice(0, Math.max(0, reason.length - Math.ceil((url.length - MAX_URL) / 9) - 1));
      url = make(reason);
    }
    return url;
  }
  function validate() {
    var name = field('name'), country = field('country'), reason = field('reason');
    var problems = [];
    var n = name.value.trim();
    var nameMessage = '';
    if (!n) nameMessage = 'Enter your name as you want it shown. Initials are fine.';
    else if (n.length > LIMITS.name) nameMessage = 'Your name can be at most ' + LIMITS.name + ' characters.';
    else if (/^[=+\-@]/.test(n)) nameMessage = 'Your name cannot start with = + - or @.';
    else if (/(https?:\/\/|www\.)/i.test(n)) nameMessage = 'Your name cannot contain a web address.';
    showError(name, nameMessage);
    if (nameMessage) problems.push(name);
    var countryMessage = country.value.trim() ? '' : 'Enter your country or territory, in any language or as a two-letter code.';
    showError(country, countryMessage);
    if (countryMessage) problems.push(country);
    var reasonMessage = reason.value.trim().length > LIMITS.reason ? 'Your reason can be at most ' + LIMITS.reason + ' characters here.' : '';
    showError(reason, reasonMessage);
    if (reasonMessage) problems.push(reason);
    return problems;
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var problems = validate();
    if (problems.length) { problems[0].focus(); return; }
    window.location.assign(buildUrl(field('name').value.trim(), field('country').value.trim(), field('reason').value.trim()));
  });
})();
