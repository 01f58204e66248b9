/* Small behaviours of every page, loaded by base.html. They replace inline on*= handlers, which the
   Content-Security-Policy forbids (script-src 'self'):
   - data-confirm="question": a button/link asks before it acts;
   - data-autosubmit on a <select>: changing it submits its form;
   - data-check-all="name" / data-check-none="name": tick / untick every checkbox of that name;
   - data-select-style on a container: every <select> inside it gets Bootstrap's form-select class;
   - data-copy-from="id": a button copies that field's value to the clipboard and says 已复制. */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    var copy = e.target.closest("[data-copy-from]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy-from"));
      if (field && navigator.clipboard) navigator.clipboard.writeText(field.value);
      copy.textContent = "已复制";
    }
    var all = e.target.closest("[data-check-all], [data-check-none]");
    if (all) {
      e.preventDefault();
      var checked = all.hasAttribute("data-check-all");
      var name = all.getAttribute(checked ? "data-check-all" : "data-check-none");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) { c.checked = checked; });
    }
  }, true);

  document.addEventListener("change", function (e) {
    var el = e.target.closest("select[data-autosubmit]");
    if (el && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });

  document.querySelectorAll("[data-select-style] select").forEach(function (s) { s.classList.add("form-select"); });
})();
