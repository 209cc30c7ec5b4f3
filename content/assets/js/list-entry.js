// A list page opened at one entry (#s<id> or #o-<id>: where a receipt page sends the reader, a shared link),
// or a printable volume at a row (#r<rank>: where a list page's note sends the reader): once
// assets/js/signature-list.js has drawn the entries, the entry gets the focus and is scrolled to. An entry the page does not hold (#s<id> in a link by rank written before receipt
// pages existed, whose entry later additions or withdrawals moved) is asked of the receipt page
// of that id in the page's language, which knows where the entry is now
// (scripts/site/receipt-pages.ts). The entry found is carried onto the language switch's links:
// every language's list page of the same number holds the same entries, so a signer who came by
// their receipt link and switches language stays at their entry.
(function () {
  'use strict';
  // The language's signatures/ folder, where its words.js is: /ru/signatures/find/ on a Russian page.
  var words = document.querySelector('script[src$="/signatures/words.js"]');
  if (!words || !words.src) return;
  var receipts = new URL('find/', words.src);
  document.addEventListener('petition-list-drawn', function () {
    var hash = location.hash;
    if (!/^#(s\d{1,16}|o-[cr][0-9a-f]{40}|r\d{1,16})$/.test(hash)) return;
    var target = document.getElementById(hash.slice(1));
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus();
      target.scrollIntoView();
      var languages = document.querySelectorAll('.language-switch a[hreflang]');
      for (var i = 0; i < languages.length; i += 1)
        languages[i].href = languages[i].href.split('#')[0] + hash;
    } else if (hash.charAt(1) === 's') {
      var key = String(Number(hash.slice(2)) % 1000);
      while (key.length < 3) key = '0' + key;
      location.replace(new URL(key + '/', receipts).href + hash);
    }
  });
})();
