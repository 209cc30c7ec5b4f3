// A receipt page opened at a signer's line (#s<id>, the bot's receipt link) goes straight on to
// the signer's entry in the full list. Without JavaScript the line is highlighted instead.
(function () {
  var line = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
  var link = line && line.querySelector('a[href]');
  if (link) location.replace(link.href);
})();
