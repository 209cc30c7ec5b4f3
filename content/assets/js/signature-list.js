// Draws the signatures a page holds in the reader's browser from the open data's parts
// (data/signatures/<n>.csv.gz, written by scripts/site/open-data.ts), worded from
// window.petitionListWords (<lang>/signatures/words.js): a page of the full list
// (content/_includes/signature-page.njk), newest first, each entry the markup
// scripts/site/signer-html.ts (listItem) describes, element for element; or a printable volume
// (content/_includes/delivery-volume-page.njk), oldest first, each row as deliveryRow describes it, from
// the parts that hold the volume's ranks. Names and reasons are strangers' text: they only ever
// become text nodes, never markup. Without this script, or without DecompressionStream, the
// page's note links the parts.
(function () {
  'use strict';
  var list = document.querySelector('ol[data-part]');
  var volume = document.querySelector('table[data-volume]');
  var note = document.getElementById('list-note');
  var words = window.petitionListWords;
  var script = document.currentScript;
  if ((!list && !volume) || !note || !words || !script || !script.src) return;
  if (!window.fetch || !window.DecompressionStream || !window.Response || !window.Blob || !window.Intl) return;
  var holder = list || volume;
  var first = Number(holder.getAttribute('data-first'));
  var last = Number(holder.getAttribute('data-last'));
  if (!(first >= 1 && last >= first)) return;
  // The site's root is where this script's folder is: the path prefix of a project site included.
  var root = new URL('../../', script.src);
  var SEPARATOR = ' · ';
  var REASON_CHARACTERS = 140; // scripts/site/signer-html.ts, LIST_REASON_CHARACTERS
  var MAX_TEXT = 64 * 1024 * 1024; // a part of 1,000 rows at the signature limits is under 14 MB
  var dates = new Intl.DateTimeFormat(words.locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  var dayCache = {};

  // RFC 4180 as the site writes it: CRLF line ends, a cell quoted when it holds a comma, a quote
  // or a line break, quotes doubled inside. One pass, linear in the text.
  function parseCsv(text) {
    var rows = [];
    var row = [];
    var cell = '';
    var i = 0;
    var n = text.length;
    while (i < n) {
      var c = text.charCodeAt(i);
      if (c === 34 && cell === '') {
        var end = i + 1;
        for (;;) {
          var quote = text.indexOf('"', end);
          if (quote < 0) throw new Error('an unclosed quote');
          if (text.charCodeAt(quote + 1) === 34) {
            cell += text.slice(end, quote) + '"';
            end = quote + 2;
          } else {
            cell += text.slice(end, quote);
            i = quote + 1;
            break;
          }
        }
      } else if (c === 44) {
        row.push(cell);
        cell = '';
        i += 1;
      } else if (c === 13 && text.charCodeAt(i + 1) === 10) {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
        i += 2;
      } else {
        var next = i;
        while (next < n) {
          var d = text.charCodeAt(next);
          if (d === 44 || d === 13 || d === 34) break;
          next += 1;
        }
        if (next === i) next += 1; // a lone CR or a quote inside a cell: kept as it is
        cell += text.slice(i, next);
        i = next;
      }
    }
    if (cell !== '' || row.length) {
      row.push(cell);
      rows.push(row);
    }
    return rows;
  }

  // A text cell a spreadsheet would have read as a formula, or one starting with an apostrophe,
  // was written with an apostrophe in front (scripts/core/text.ts, csvCell): taken off here.
  function plain(cell) {
    return cell.charAt(0) === "'" ? cell.slice(1) : cell;
  }
  // scripts/site/signer-html.ts, shorten: code points, cut with "…".
  function shorten(text, max) {
    if (text.length <= max) return text;
    var points = Array.from(text);
    return points.length <= max ? text : points.slice(0, max - 1).join('').trimEnd() + '…';
  }
  // The first {name} of a message replaced, as the server writes it (a function: no "$" patterns).
  function fill(template, name, value) {
    return template.replace('{' + name + '}', function () {
      return value;
    });
  }
  function day(signedAt) {
    var key = signedAt.slice(0, 10);
    if (!Object.prototype.hasOwnProperty.call(dayCache, key)) {
      var date = new Date(key + 'T00:00:00Z');
      dayCache[key] = isNaN(date.getTime()) ? key : dates.format(date);
    }
    return dayCache[key];
  }
  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One entry, as scripts/site/signer-html.ts (listItem) writes it.
  function entry(cells) {
    var channel = cells.channel;
    var offline = channel === 'paper' || channel === 'email';
    var item = document.createElement('li');
    item.id = offline ? 'o-' + plain(cells.id) : 's' + cells.user_id;
    var name = element('span', 'signer-name', plain(cells.name));
    name.setAttribute('lang', '');
    item.appendChild(name);
    item.appendChild(document.createTextNode(' '));
    var meta = element('span', 'signer-meta');
    var code = plain(cells.country);
    var country = Object.prototype.hasOwnProperty.call(words.countries, code) ? words.countries[code] : code;
    meta.appendChild(document.createTextNode(country + SEPARATOR));
    var signedAt = plain(cells.signed_at);
    var time = element('time', '', day(signedAt));
    time.setAttribute('datetime', signedAt);
    meta.appendChild(time);
    if (offline) {
      meta.appendChild(document.createTextNode(SEPARATOR));
      meta.appendChild(element('span', 'signer-channel', fill(words[channel], 'batch', plain(cells.batch))));
    } else if (/^[1-9]\d{0,15}$/.test(cells.issue) && Number(cells.issue) <= 9007199254740991) {
      meta.appendChild(document.createTextNode(SEPARATOR));
      var receipt = element('a', '', fill(words.receipt, 'issue', cells.issue));
      receipt.href = words.issues + cells.issue;
      meta.appendChild(receipt);
    }
    item.appendChild(meta);
    var reason = plain(cells.reason);
    if (reason) {
      var because = element('span', 'signer-reason', shorten(reason, REASON_CHARACTERS));
      because.setAttribute('lang', '');
      item.appendChild(because);
    }
    return item;
  }

  // One row of a printable volume, as scripts/site/signer-html.ts (deliveryRow) writes it: the
  // first row of each list page's signatures carries an id (r<rank>) where a link lands.
  function volumeRow(cells, rank, anchored) {
    var row = document.createElement('tr');
    if (anchored) row.id = 'r' + rank;
    row.appendChild(element('td', '', String(rank)));
    var name = element('td', '', plain(cells.name));
    name.setAttribute('lang', '');
    row.appendChild(name);
    var code = plain(cells.country);
    row.appendChild(element('td', '', Object.prototype.hasOwnProperty.call(words.countries, code) ? words.countries[code] : code));
    row.appendChild(element('td', '', plain(cells.signed_at).slice(0, 10)));
    var channel = cells.channel === 'paper' || cells.channel === 'email' ? cells.channel : 'github';
    row.appendChild(element('td', '', words.channels[channel]));
    return row;
  }

  // A part's rows as objects keyed by the header, oldest first; `size` is how many it must hold.
  function partRows(text, size) {
    if (text.length > MAX_TEXT) throw new Error('too large');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    var rows = parseCsv(text);
    var header = rows[0] || [];
    if (rows.length - 1 !== size) throw new Error('the part holds other signatures');
    var records = [];
    for (var r = 1; r < rows.length; r += 1) {
      var cells = {};
      for (var c = 0; c < header.length; c += 1) cells[header[c]] = rows[r][c] === undefined ? '' : rows[r][c];
      records.push(cells);
    }
    return records;
  }

  function drawn(message) {
    holder.removeAttribute('aria-busy');
    note.textContent = message;
    // assets/js/list-entry.js takes the reader to the entry of a link (…/signatures/3/#s123, …/delivery/2/#r12501).
    holder.dispatchEvent(new CustomEvent('petition-list-drawn', { bubbles: true }));
  }

  function drawList(records) {
    var entries = document.createDocumentFragment();
    // Newest first, as the page numbers them: the part is oldest first.
    for (var r = records.length - 1; r >= 0; r -= 1) {
      entries.appendChild(document.createTextNode('\n  '));
      entries.appendChild(entry(records[r]));
    }
    list.appendChild(entries);
    drawn(list.getAttribute('data-loaded'));
  }

  // `parts[i]` holds ranks from (firstPart + i - 1) · perPart + 1 on; the volume takes first … last of them.
  function drawVolume(parts, firstPart, perPart) {
    var rows = document.createDocumentFragment();
    for (var i = 0; i < parts.length; i += 1) {
      var base = (firstPart + i - 1) * perPart;
      for (var r = Math.max(first - base, 1); r <= Math.min(last - base, parts[i].length); r += 1) {
        var rank = base + r;
        rows.appendChild(volumeRow(parts[i][r - 1], rank, r === 1));
      }
    }
    (volume.querySelector('tbody') || volume).appendChild(rows);
    drawn(volume.getAttribute('data-loaded'));
  }

  function failed() {
    holder.removeAttribute('aria-busy');
    var message = element('p', 'list-failed', holder.getAttribute('data-failed'));
    message.setAttribute('role', 'alert');
    holder.parentNode.insertBefore(message, holder);
  }

  function unpack(bytes) {
    if (bytes.byteLength > MAX_TEXT) throw new Error('too large');
    var head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
    var blob = new Blob([bytes]);
    // A server that sent the part with Content-Encoding: gzip has had the browser unpack it already.
    if (head[0] !== 0x1f || head[1] !== 0x8b) return blob.text();
    return new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).text();
  }

  // Part `number`'s rows, which must be `size`.
  function fetchPart(number, size) {
    return fetch(new URL('data/signatures/' + number + '.csv.gz', root).href, { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.arrayBuffer();
      })
      .then(unpack)
      .then(function (text) {
        return partRows(text, size);
      });
  }

  holder.setAttribute('aria-busy', 'true');
  if (list) {
    var number = Number(list.getAttribute('data-part'));
    if (!(number >= 1)) return failed();
    fetchPart(number, last - first + 1).then(drawList).catch(failed);
    return;
  }
  // A volume: the parts holding its ranks, a few fetched at a time, drawn once all have come.
  var perPart = Number(volume.getAttribute('data-per-part'));
  var total = Number(volume.getAttribute('data-total'));
  if (!(perPart >= 1 && total >= last) || !words.channels) return failed();
  var firstPart = Math.ceil(first / perPart);
  var lastPart = Math.ceil(last / perPart);
  var parts = [];
  var next = firstPart;
  function fetchNext() {
    // After a failure the other lanes stop: the volume is not drawn in part.
    if (next > lastPart || !volume.hasAttribute('aria-busy')) return Promise.resolve();
    var number = next;
    next += 1;
    return fetchPart(number, Math.min(number * perPart, total) - (number - 1) * perPart).then(function (rows) {
      parts[number - firstPart] = rows;
      return fetchNext();
    });
  }
  var fetching = [];
  for (var lane = 0; lane < 4; lane += 1) fetching.push(fetchNext());
  Promise.all(fetching)
    .then(function () {
      drawVolume(parts, firstPart, perPart);
    })
    .catch(failed);
})();
