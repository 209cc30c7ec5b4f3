// A receipt page (content/signatures/find.njk): looks the GitHub user ids ending in this page's
// key up in the receipt data (data/receipts/<key>.csv.gz, scripts/site/receipt-pages.ts), each
// with the page of the full list its entry is on now. Opened at a signer's id (#s<id>, the bot's
// receipt link), it goes straight on to the entry; opened without one, it lists the ids, each
// linking to its entry. Without this script, or without DecompressionStream, the page's note
// links the data and the printable list.
(function () {
  'use strict';
  var list = document.querySelector('ul[data-receipts]');
  var note = document.getElementById('find-note');
  var script = document.currentScript;
  if (!list || !note || !script || !script.src) return;
  if (!window.fetch || !window.DecompressionStream || !window.Response || !window.Blob) return;
  var key = list.getAttribute('data-receipts');
  if (!/^\d{3}$/.test(key)) return;
  // The site's root is where this script's folder is: the path prefix of a project site included.
  var root = new URL('../../', script.src);
  var wanted = /^#s([1-9]\d{0,15})$/.exec(location.hash);
  var MAX_TEXT = 16 * 1024 * 1024; // 1,000,000 signers on one page would be about 17 bytes each
  var ROW = /^([1-9]\d{0,15}),([1-9]\d{0,8})$/;

  // Each row as [id, list page], as scripts/site/receipt-pages.ts writes them.
  function rows(text) {
    var lines = text.split('\r\n');
    if (lines[0] !== 'user_id,list_page') throw new Error('not receipt data');
    var found = [];
    for (var i = 1; i < lines.length; i += 1) {
      var row = ROW.exec(lines[i]);
      if (row) found.push([row[1], row[2]]);
      else if (lines[i] !== '' || i !== lines.length - 1) throw new Error('a malformed row');
    }
    return found;
  }
  // The entry's address, next to this page in the same language: ../../<page>/#s<id>.
  function entryUrl(id, page) {
    return '../../' + page + '/#s' + id;
  }
  function message(text) {
    var paragraph = document.createElement('p');
    paragraph.className = 'list-failed';
    paragraph.setAttribute('role', 'alert');
    paragraph.textContent = text;
    list.parentNode.insertBefore(paragraph, list);
  }

  function show(found) {
    if (wanted) {
      for (var i = 0; i < found.length; i += 1)
        if (found[i][0] === wanted[1]) return location.replace(new URL(entryUrl(found[i][0], found[i][1]), location.href).href);
    }
    var lines = document.createDocumentFragment();
    for (var j = 0; j < found.length; j += 1) {
      var item = document.createElement('li');
      item.id = 's' + found[j][0];
      var link = document.createElement('a');
      link.href = entryUrl(found[j][0], found[j][1]);
      link.textContent = found[j][0];
      item.appendChild(link);
      lines.appendChild(document.createTextNode('\n'));
      lines.appendChild(item);
    }
    list.appendChild(lines);
    list.removeAttribute('aria-busy');
    note.textContent = list.getAttribute('data-loaded');
    // The id of the link is not among them: say so, in words, rather than show a list without it.
    if (wanted) message(list.getAttribute('data-missing').replace('{id}', wanted[1]));
  }

  function unpack(bytes) {
    if (bytes.byteLength > MAX_TEXT) throw new Error('too large');
    var head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
    var blob = new Blob([bytes]);
    // A server that sent the file with Content-Encoding: gzip has had the browser unpack it already.
    if (head[0] !== 0x1f || head[1] !== 0x8b) return blob.text();
    return new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).text();
  }

  list.setAttribute('aria-busy', 'true');
  fetch(new URL('data/receipts/' + key + '.csv.gz', root).href, { credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.arrayBuffer();
    })
    .then(unpack)
    .then(function (text) {
      if (text.length > MAX_TEXT) throw new Error('too large');
      show(rows(text));
    })
    .catch(function () {
      list.removeAttribute('aria-busy');
      message(list.getAttribute('data-failed'));
    });
})();
