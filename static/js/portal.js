/* Portal behaviour: confirm buttons, character counters, and a local copy of unsaved drafts.
   Nothing typed is lost: every keystroke is mirrored to localStorage; if the server copy is older
   than the local one (e.g. the session expired before saving), the page offers to restore it. */
(function () {
  "use strict";

  document.querySelectorAll("[data-confirm]").forEach(function (btn) {
    btn.addEventListener("click", function (e) {
      if (!window.confirm(btn.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (el) {
    var max = parseInt(el.getAttribute("maxlength"), 10);
    if (!max || max > 2000) return;
    var counter = document.createElement("div");
    counter.className = "form-text text-end small";
    el.insertAdjacentElement("afterend", counter);
    var update = function () {
      var n = Array.from(el.value).length;
      counter.textContent = "已输入 " + n + " / " + max + " 字";
      counter.classList.toggle("text-danger", n > max);
    };
    el.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = "draft:" + form.getAttribute("data-draft-key");
    var serverSaved = parseInt(form.getAttribute("data-server-saved") || "0", 10) * 1000;
    var status = form.querySelector("[data-draft-status]");
    var fields = function () {
      return Array.from(form.elements).filter(function (el) {
        return el.name && el.type !== "file" && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
      });
    };
    var snapshot = function () {
      var values = {};
      fields().forEach(function (el) { values[el.name] = el.type === "checkbox" ? el.checked : el.value; });
      return values;
    };
    var initial = JSON.stringify(snapshot());
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (stored && stored.savedAt > serverSaved && JSON.stringify(stored.values) !== initial) {
      var bar = document.createElement("div");
      bar.className = "alert alert-warning d-flex justify-content-between align-items-center";
      bar.setAttribute("data-testid", "draft-restore");
      bar.innerHTML = '<span>检测到本机暂存的未保存内容（' + new Date(stored.savedAt).toLocaleString("zh-CN") +
        '）。</span><span><button type="button" class="btn btn-sm btn-warning me-2">恢复</button>' +
        '<button type="button" class="btn btn-sm btn-outline-secondary">丢弃</button></span>';
      form.prepend(bar);
      var buttons = bar.querySelectorAll("button");
      buttons[0].addEventListener("click", function () {
        fields().forEach(function (el) {
          if (!(el.name in stored.values)) return;
          if (el.type === "checkbox") el.checked = stored.values[el.name]; else el.value = stored.values[el.name];
          el.dispatchEvent(new Event("input"));
        });
        bar.remove();
        if (status) status.textContent = "已恢复本机暂存的内容，请记得保存。";
      });
      buttons[1].addEventListener("click", function () { window.localStorage.removeItem(key); bar.remove(); });
    } else if (stored && stored.savedAt <= serverSaved) {
      window.localStorage.removeItem(key);
    }
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try {
          window.localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: snapshot() }));
          if (status) status.textContent = "已在本机暂存 " + new Date().toLocaleTimeString("zh-CN");
        } catch (e) { /* storage full or disabled: the server draft still works */ }
      }, 400);
    });
  });
})();
