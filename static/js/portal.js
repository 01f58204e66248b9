/* Portal behaviour: confirm buttons, character counters, and a local copy of unsaved drafts.
   Nothing typed is lost: every keystroke is mirrored to localStorage; if the server copy is older
   than the local one (e.g. the session expired before saving), the page offers to restore it. */
(function () {
  "use strict";

  /* data-confirm buttons: static/js/behaviours.js (loaded on every page by base.html). */

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

/* Uploads with a progress bar (XHR). The size cap is checked before sending a byte; the server
   checks it again while the body streams in. Without JavaScript the form posts normally. */
(function () {
  "use strict";
  document.querySelectorAll("form.upload-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var input = form.querySelector("input[type=file]");
      var status = form.querySelector(".upload-status");
      var bar = form.querySelector(".progress");
      var fill = bar ? bar.querySelector(".progress-bar") : null;
      if (!input || !input.files.length || !window.XMLHttpRequest || !window.FormData) return;
      e.preventDefault();
      var file = input.files[0];
      var cap = parseInt(form.getAttribute("data-cap") || "0", 10);
      if (cap && file.size > cap) {
        status.className = "small upload-status text-danger";
        status.textContent = "文件过大：不能超过 " + form.getAttribute("data-cap-label") + "，未上传。";
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) button.disabled = true;
      if (bar) bar.classList.remove("d-none");
      status.className = "small upload-status text-muted";
      status.textContent = "正在上传…";
      var cancel = document.createElement("button");
      cancel.type = "button"; cancel.className = "btn btn-link btn-sm p-0 ms-2"; cancel.textContent = "取消";
      cancel.addEventListener("click", function () { xhr.abort(); });
      status.appendChild(cancel);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable || !fill) return;
        var pct = Math.round((ev.loaded / ev.total) * 100);
        fill.style.width = pct + "%";
        status.firstChild.textContent = "正在上传… " + pct + "%";
      });
      var done = function (ok, message) {
        if (button) button.disabled = false;
        status.className = "small upload-status " + (ok ? "text-success" : "text-danger");
        status.textContent = message;
      };
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && data.ok) {
          done(true, "上传完成：" + data.name + ((data.warnings || []).length ? "（" + data.warnings.join(" ") + "）" : ""));
          setTimeout(function () { window.location.reload(); }, (data.warnings || []).length ? 2500 : 600);
        } else {
          done(false, data.error || ("上传失败（" + xhr.status + "），未保存任何内容。"));
        }
      });
      xhr.addEventListener("error", function () { done(false, "网络错误，上传失败，未保存任何内容。"); });
      xhr.addEventListener("abort", function () { done(false, "已取消上传，未保存任何内容。"); });
      var data = new FormData(form);
      xhr.send(data);
    });
  });
})();
