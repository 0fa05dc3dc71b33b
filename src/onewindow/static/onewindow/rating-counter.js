/* Rating page (好差评): "还可输入 n 字" under the comment box. The counter paragraph names its
   text area (data-for), the limit (data-max) and the sentence with {n} (data-template). */
(function () {
  "use strict";

  var counter = document.getElementById("comment-counter");
  var area = counter && document.getElementById(counter.getAttribute("data-for"));
  if (!area) {
    return;
  }
  var max = parseInt(counter.getAttribute("data-max"), 10);
  var template = counter.getAttribute("data-template");

  function update() {
    counter.textContent = template.replace("{n}", Math.max(0, max - area.value.length));
  }

  area.addEventListener("input", update);
  update();
})();
