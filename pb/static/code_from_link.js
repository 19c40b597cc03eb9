// A slip's QR code opens the ballot with the voting code after "#" (.../vote#code=ACDEF-GHJKM),
// the part of a link a browser never sends: no server or proxy can write the code to a log.
// This fills the code field from it, then takes it out of the address bar and the history, so
// a later visitor of the same phone does not find it there. A language switch brings the code
// back the same way. Without JavaScript the voter types the code printed on her slip.
(function () {
  "use strict";
  var field = document.getElementById("code");
  if (!field) return;
  var hash = window.location.hash;
  try { hash = decodeURIComponent(hash); } catch (error) { /* not a code: left as it is */ }
  var sent = /^#code=([A-Za-z0-9 -]{1,40})$/.exec(hash);
  if (sent) {
    if (!field.value) field.value = sent[1];
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  document.querySelectorAll("form.languages").forEach(function (form) {
    form.addEventListener("submit", function () {
      var next = form.querySelector("input[name=next]");
      var code = field.value.trim();
      if (next && code && next.value.indexOf("#") === -1) {
        next.value += "#code=" + encodeURIComponent(code);
      }
    });
  });
})();
