// The root 404.html, which GitHub Pages serves for every missing address: when the address is
// inside a language's folder (/ru/…), that language's words (content/404.njk) lead the page, as
// its heading, and name the tab. Without this script every language's words are shown in turn.
(function () {
  'use strict';
  var path = window.location.pathname;
  var sections = document.querySelectorAll('section[data-not-found]');
  for (var i = 0; i < sections.length; i++) {
    var section = sections[i];
    var home = section.querySelector('a[data-home]');
    if (!home || path.indexOf(home.pathname) !== 0) continue;
    var first = document.querySelector('main h1');
    var own = section.querySelector('h2');
    if (!first || !own) return;
    // Swap the headings' levels, then put the reader's language first.
    var heading = document.createElement('h1');
    heading.textContent = own.textContent;
    section.replaceChild(heading, own);
    var demoted = document.createElement('h2');
    demoted.textContent = first.textContent;
    first.parentNode.replaceChild(demoted, first);
    demoted.parentNode.insertBefore(section, demoted);
    document.title = heading.textContent;
    return;
  }
})();
