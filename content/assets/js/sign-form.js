// Enhances the signing form (content/_includes/sign-form.njk), which works without it as a plain
// GET form: messages in text, a "Signature: <name>" title, and a reason of up to 1,000 characters
// shortened to keep the URL under 6,000 (GitHub refuses ~8 KB). buildUrl mirrors
// scripts/core/sign-url.ts; test/browser checks both give the same URL.
// Every message is in the page's language: the form carries them as JSON (data-messages,
// from site.sign_form.script in content/i18n/<code>.yml), and names the issue form of that
// language (data-template: sign.yml, sign-ru.yml …) and its issue title (data-title).
(function () {
  'use strict';
  var form = document.getElementById('sign-form');
  if (!form || !window.URLSearchParams || !Array.from) return;
  var MAX_URL = 6000, NAME_MAX = 100, COUNTRY_MAX = 60, REASON_MAX = 1000, TITLE_NAME = 40;
  var repository = form.getAttribute('data-repository');
  var template = form.getAttribute('data-template') || 'sign.yml', plainTitle = form.getAttribute('data-title') || 'Signature';
  // The language's title with the name ("签名：{name}"); split/join keeps a "$" in a name as typed.
  var titleWithName = form.getAttribute('data-title-with-name') || plainTitle + ': {name}';
  var messages = JSON.parse(form.getAttribute('data-messages'));
  // {name} placeholders, filled in; the strings avoid plural forms, which differ by language.
  function say(key, values) {
    return messages[key].replace(/\{(\w+)\}/g, function (whole, name) { return values && name in values ? String(values[name]) : whole; });
  }
  var fields = { name: form.elements.name, country: form.elements.country, reason: form.elements.reason };
  var reasonHint = document.getElementById('sign-reason-hint');
  fields.reason.maxLength = REASON_MAX;
  reasonHint.textContent = reasonHint.getAttribute('data-scripted');
  form.noValidate = true;
  // Soft warnings (unknown country, shortened reason) stop only the first press: the robot checks again.
  var acknowledged = {};

  function cut(value, maxUnits) {
    var out = '';
    for (var i = 0, chars = Array.from(value); i < chars.length && out.length + chars[i].length <= maxUnits; i++) out += chars[i];
    return out;
  }
  function title(name) {
    var chars = Array.from(name);
    if (!name) return plainTitle;
    return titleWithName.split('{name}').join(chars.length > TITLE_NAME ? chars.slice(0, TITLE_NAME - 1).join('').trimEnd() + '\u2026' : name);
  }
  function buildUrl(values) {
    var name = cut(values.name.trim(), NAME_MAX).trim(), country = cut(values.country.trim(), COUNTRY_MAX).trim();
    var typed = values.reason.trim(), chars = Array.from(cut(typed, REASON_MAX));
    function make(reason) {
      var query = new URLSearchParams({ template: template, title: title(name), name: name, country: country, reason: reason });
      return 'https://github.com/' + repository + '/issues/new?' + query.toString().replace(/\+/g, '%20');
    }
    var reason = chars.join(''), url = make(reason);
    if (url.length > MAX_URL) {
      var low = 0, high = chars.length;
      while (low < high) {
        var middle = Math.ceil((low + high) / 2);
        if (make(chars.slice(0, middle).join('')).length <= MAX_URL) low = middle; else high = middle - 1;
      }
      reason = chars.slice(0, low).join('').trimEnd();
      url = make(reason);
    }
    return { url: url, reason: reason, shortened: reason !== typed };
  }

  // Same normalisation as normaliseCountryKey in scripts/core/countries.ts.
  function key(value) {
    return value.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en').replace(/[’'`´]/g, "'")
      .replace(/[.,()\-_/]/g, ' ').replace(/\s+/g, ' ').trim();
  }
  var known;
  // Names in the processor's languages and the reader's, from the browser's Intl data: no table to ship.
  function countryKnown(value) {
    if (!known) {
      known = {};
      var list = document.getElementById('sign-countries'), codes = list.getAttribute('data-codes').match(/../g) || [];
      var locales = ['en', 'ru', 'zh', 'zh-Hant', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'uk', 'kk', 'mn', 'ja', 'ko', 'ar', 'hi', 'tr'].concat(navigator.languages || []);
      Array.from(list.options).forEach(function (option) { known[key(option.value)] = 1; });
      codes.forEach(function (code) { known[code.toLowerCase()] = 1; });
      'uk,usa,us,america,britain,great britain,england,scotland,wales,northern ireland,prc,holland,ivory coast,uae,vatican,czechia,turkiye,рф'.split(',').forEach(function (name) { known[name] = 1; });
      if (window.Intl && Intl.DisplayNames) locales.forEach(function (locale) {
        try {
          var names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
          codes.forEach(function (code) { var n = names.of(code); if (n) known[key(n)] = 1; });
        } catch (e) { /* a locale this browser lacks */ }
      });
    }
    return known[key(value)] === 1;
  }

  // GOV.UK's error pattern: a summary at the top of the form that links to each field, focus on
  // the summary, "Error: " before the page title, and each message between hint and input,
  // itself starting with a visually hidden "Error:". The messages are plain elements rather
  // than live regions: a region hidden until filled is announced unreliably, and the focused
  // summary (role="alert") is read out every time.
  var summary = document.getElementById('sign-error-summary');
  var summaryList = summary.querySelector('ul');
  var pageTitle = document.title;
  function show(input, message) {
    var error = document.getElementById(input.id + '-error');
    error.textContent = '';
    if (message) {
      var prefix = document.createElement('span');
      prefix.className = 'visually-hidden';
      prefix.textContent = say('error_prefix');
      error.appendChild(prefix);
      error.appendChild(document.createTextNode(message));
      input.setAttribute('aria-invalid', 'true');
    } else input.removeAttribute('aria-invalid');
    return message ? { input: input, message: message } : null;
  }
  function summarise(problems) {
    summaryList.textContent = '';
    problems.forEach(function (problem) {
      var item = document.createElement('li'), link = document.createElement('a');
      link.href = '#' + problem.input.id;
      link.textContent = problem.message;
      item.appendChild(link);
      summaryList.appendChild(item);
    });
    summary.hidden = problems.length === 0;
    document.title = problems.length ? say('error_prefix') + pageTitle : pageTitle;
  }
  // A link in the summary puts the cursor in its field, with the field's label in view.
  summary.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link) return;
    var input = document.getElementById(link.getAttribute('href').slice(1));
    if (!input) return;
    event.preventDefault();
    var label = form.querySelector('label[for="' + input.id + '"]');
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
  function check() {
    var name = fields.name.value.trim(), country = fields.country.value.trim(), reason = fields.reason.value.trim();
    var problems = [];
    var nameMessage = !name ? say('name_missing')
      : name.length > NAME_MAX ? say('name_too_long', { length: name.length, max: NAME_MAX })
      : /^[=+\-@]/.test(name) ? say('name_formula')
      : /https?:\/\/|www\./i.test(name) ? say('name_url') : '';
    problems.push(show(fields.name, nameMessage));
    var countryMessage = !country ? say('country_missing') : '';
    if (!countryMessage && !countryKnown(country) && acknowledged.country !== country) {
      countryMessage = say('country_unknown', { country: country });
      acknowledged.country = country;
    }
    problems.push(show(fields.country, countryMessage));
    var result = buildUrl({ name: name, country: country, reason: reason });
    var reasonMessage = '';
    if (Array.from(reason).length > REASON_MAX) reasonMessage = say('reason_too_long');
    else if (result.shortened && acknowledged.reason !== reason) {
      reasonMessage = say('reason_shortened', { length: Array.from(result.reason).length });
      acknowledged.reason = reason;
    }
    problems.push(show(fields.reason, reasonMessage));
    problems = problems.filter(Boolean);
    summarise(problems);
    return { problems: problems, url: result.url };
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var outcome = check();
    if (outcome.problems.length) {
      summary.scrollIntoView();
      summary.focus({ preventScroll: true });
    } else window.location.assign(outcome.url);
  });
})();
