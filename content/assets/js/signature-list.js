// Fills a list page of a language other than the default (content/_includes/signature-frame.njk)
// with the entries of the default language's page, published once for every language
// (scripts/site/signer-html.ts), and words their countries, dates, receipts and channels in the
// page's language from window.petitionListWords (<lang>/signatures/words.js). Names and reasons
// are the signers' own text and stay as they are. Without this script the page's note links to
// the shared page.
(function () {
  'use strict';
  var list = document.querySelector('ol[data-shared-list]');
  var note = document.getElementById('shared-list-note');
  var source = note && note.querySelector('a[href]');
  var words = window.petitionListWords;
  if (!list || !source || !words || !window.fetch || !window.DOMParser || !window.Intl) return;
  var dates = new Intl.DateTimeFormat(words.locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  var SEPARATOR = ' · ';

  // "on paper, batch {batch}" → the text around {batch}, to find the batch in the shared label.
  function around(template, name) {
    var at = template.indexOf('{' + name + '}');
    return at < 0 ? null : { before: template.slice(0, at), after: template.slice(at + name.length + 2) };
  }
  function fill(template, name, value) {
    return template.split('{' + name + '}').join(value);
  }
  function between(text, parts) {
    if (!parts || text.length < parts.before.length + parts.after.length) return null;
    if (text.slice(0, parts.before.length) !== parts.before) return null;
    if (text.slice(text.length - parts.after.length) !== parts.after) return null;
    return text.slice(parts.before.length, text.length - parts.after.length);
  }
  var sharedLabels = { paper: around(words.shared.paper, 'batch'), email: around(words.shared.email, 'batch') };

  function localise(entry) {
    var meta = entry.querySelector('.signer-meta');
    if (!meta) return;
    // The country leads the line: "Russia · <time>…".
    var first = meta.firstChild;
    if (first && first.nodeType === 3) {
      var cut = first.data.indexOf(SEPARATOR);
      var country = cut < 0 ? first.data.trim() : first.data.slice(0, cut);
      if (Object.prototype.hasOwnProperty.call(words.countries, country))
        first.data = words.countries[country] + first.data.slice(country.length);
    }
    var time = meta.querySelector('time[datetime]');
    if (time) {
      var date = new Date(time.getAttribute('datetime'));
      if (!isNaN(date.getTime())) time.textContent = dates.format(date);
    }
    var receipt = meta.querySelector('a[href]');
    if (receipt) {
      var issue = /\/issues\/(\d{1,12})$/.exec(receipt.getAttribute('href'));
      if (issue) receipt.textContent = fill(words.own.receipt, 'issue', issue[1]);
    }
    var channel = meta.querySelector('.signer-channel');
    if (channel)
      ['paper', 'email'].some(function (kind) {
        var batch = between(channel.textContent, sharedLabels[kind]);
        if (batch === null) return false;
        channel.textContent = fill(words.own[kind], 'batch', batch);
        return true;
      });
  }

  function failed() {
    list.removeAttribute('aria-busy');
    var message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.textContent = list.getAttribute('data-failed');
    list.parentNode.insertBefore(message, list);
  }

  list.setAttribute('aria-busy', 'true');
  fetch(source.href, { credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    })
    .then(function (html) {
      var shared = new DOMParser().parseFromString(html, 'text/html').querySelector('ol.signers');
      if (!shared) throw new Error('no list');
      var entries = document.createDocumentFragment();
      // Only the entries: nothing else of the fetched page (DOMParser runs no script) is taken.
      Array.prototype.forEach.call(shared.children, function (item) {
        if (item.tagName !== 'LI') return;
        var entry = document.importNode(item, true);
        localise(entry);
        entries.appendChild(entry);
      });
      list.appendChild(entries);
      list.removeAttribute('aria-busy');
      note.textContent = list.getAttribute('data-loaded');
      // A link to one signer (…/signatures/3/#s123) finds its entry once it is there.
      var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    })
    .catch(failed);
})();
