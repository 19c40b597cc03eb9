// The running tally on a ballot: total cost and what is left (budget ballots), how many chosen
// (approval), points given (points). Only a help: the server checks every ballot on submit.
(function () {
  "use strict";
  var box = document.querySelector("fieldset.ballot");
  if (!box) return;
  var tally = box.querySelector(".tally");
  var d = box.dataset;
  // Digits grouped as the server groups them (pb.i18n.group_digits), not by the browser's
  // locale data, which often has no Kyrgyz and would print "600,000".
  function number(n) {
    var digits = String(Math.abs(n)), grouped = "";
    while (digits.length > 3) {
      grouped = d.group + digits.slice(-3) + grouped;
      digits = digits.slice(0, -3);
    }
    return (n < 0 ? "-" : "") + digits + grouped;
  }
  function som(n) { return d.som.replace("%(amount)s", number(n)); }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function update() {
    var over = false, text;
    if (d.kind === "points") {
      var given = 0;
      box.querySelectorAll("input.points").forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (n > 0) given += n;
      });
      over = given !== parseInt(d.points, 10);
      text = fill(d.pointsText, { given: number(given), total: number(parseInt(d.points, 10)) });
    } else {
      var checked = box.querySelectorAll("input[name=choice]:checked");
      if (d.kind === "budget") {
        var total = 0;
        checked.forEach(function (input) { total += parseInt(input.dataset.cost, 10); });
        var budget = parseInt(d.budget, 10);
        over = total > budget;
        text = over ? fill(d.overText, { over: som(total - budget) })
                    : fill(d.budgetText, { total: som(total), left: som(budget - total) });
      } else {
        over = checked.length > parseInt(d.limit, 10);
        text = fill(d.approvalText, { chosen: number(checked.length), limit: number(parseInt(d.limit, 10)) });
      }
    }
    tally.textContent = text;
    tally.classList.toggle("over", over);
    makeRoom();
  }
  // The tally sticks to the bottom of the screen: keep it from hiding the field that has the
  // keyboard focus, which the browser would otherwise scroll to just behind it.
  function makeRoom() {
    document.documentElement.style.scrollPaddingBottom = tally.offsetHeight + 16 + "px";
  }
  box.addEventListener("input", update);
  box.addEventListener("change", update);
  window.addEventListener("resize", makeRoom);
  tally.hidden = false;
  update();
})();
