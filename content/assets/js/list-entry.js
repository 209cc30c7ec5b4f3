// A list page opened at an entry it does not hold (#s<id>: a receipt link written before receipt
// pages existed, whose entry later additions or withdrawals moved to another page) asks the
// receipt page of that id, which knows where the entry is now (scripts/site/receipt-pages.ts).
(function () {
  var match = /^#s(\d{1,16})$/.exec(location.hash);
  var script = document.currentScript;
  if (!match || !script || document.getElementById('s' + match[1])) return;
  var key = String(Number(match[1]) % 1000);
  while (key.length < 3) key = '0' + key;
  location.replace(script.src.replace(/assets\/js\/list-entry\.js.*$/, 'signatures/find/' + key + '/') + location.hash);
})();
