/*
 * Web chat widget of the administrative-procedures assistant (trợ lý thủ tục hành chính).
 *
 * An office embeds it in its portal with one script tag:
 *   <script src="https://ASSISTANT-HOST/webchat/widget.js" defer></script>
 * Optional attributes: data-lang="vi|en" (default: the page's language, else Vietnamese),
 * data-mode="page" (the chat fills the page instead of opening from a button), data-open="true".
 *
 * Plain JavaScript, no build step, no dependencies. It lives in a shadow root, so the portal's styles do not
 * reach it. Every text it shows comes from the assistant (/webchat/api/config), in the visitor's language.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.tthcWebChatLoaded) {
    return;
  }
  window.tthcWebChatLoaded = true;

  var BASE = new URL(".", script.src).href; // …/webchat/
  var TOKEN_KEY = "tthc-webchat-token:" + new URL(BASE).host;
  var MODE = script.getAttribute("data-mode") === "page" ? "page" : "float";
  var LANG = pickLanguage(script.getAttribute("data-lang") || document.documentElement.lang || navigator.language);

  var texts = {};
  var pollSeconds = 10;
  var maxChars = 2000;
  var token = readToken();
  var cursor = 0;
  var queue = Promise.resolve(); // requests that read or move the cursor run one after the other
  var pollTimer = 0;
  var failures = 0;
  var unread = 0;
  var opened = false;
  var started = false;
  var restored = false;
  var ui = {};

  function pickLanguage(value) {
    return String(value || "").toLowerCase().slice(0, 2) === "en" ? "en" : "vi";
  }

  // ------------------------------------------------------------------ storage (may be unavailable)

  function readToken() {
    try {
      return window.localStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function saveToken(value) {
    token = value || "";
    try {
      if (token) {
        window.localStorage.setItem(TOKEN_KEY, token);
      } else {
        window.localStorage.removeItem(TOKEN_KEY);
      }
    } catch (e) {
      /* private browsing: the session lasts as long as the page */
    }
  }

  // ------------------------------------------------------------------ the API

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function api(method, path, body) {
    var headers = {};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    var response = await fetch(BASE + "api/" + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    var data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    return { status: response.status, data: data };
  }

  async function ensureSession() {
    if (token) {
      return true;
    }
    var answer = await api("POST", "session");
    if (answer.status === 201 && answer.data && answer.data.token) {
      saveToken(answer.data.token);
      cursor = 0;
      return true;
    }
    if (answer.status === 429) {
      return "busy";
    }
    throw new Error("session " + answer.status);
  }

  function serial(task) {
    var run = queue.then(task, task);
    queue = run.catch(function () { return undefined; });
    return run;
  }

  // ------------------------------------------------------------------ building the interface

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function build() {
    var host = el("div", { id: "tthc-webchat" });
    host.style.visibility = "hidden"; // until the style sheet has loaded
    var root = host.attachShadow({ mode: "open" });
    var css = el("link", { rel: "stylesheet", href: BASE + "widget.css" });
    function shown() {
      host.style.visibility = "";
      if (opened) {
        ui.input.focus(); // hidden elements cannot take the focus: give it now
        scrollToEnd();
      }
    }
    css.addEventListener("load", shown);
    css.addEventListener("error", shown);
    root.appendChild(css);

    var wrap = el("div", { class: "wrap " + MODE, lang: LANG });
    ui.launcher = el("button", {
      type: "button", class: "launcher", "aria-haspopup": "dialog", "aria-expanded": "false",
      "aria-controls": "tthc-panel", "aria-label": texts.open,
    });
    ui.launcher.appendChild(el("span", { class: "icon", "aria-hidden": "true" }, "💬"));
    ui.launcher.appendChild(el("span", { class: "label" }, texts.launcher));
    ui.badge = el("span", { class: "badge", hidden: "" });
    ui.launcher.appendChild(ui.badge);

    ui.panel = el("div", { id: "tthc-panel", class: "panel", role: "dialog", "aria-labelledby": "tthc-title" });
    var header = el("div", { class: "header" });
    var heading = el("div", { class: "heading" });
    heading.appendChild(el("h2", { id: "tthc-title" }, texts.title));
    heading.appendChild(el("p", { class: "office" }, texts.office));
    header.appendChild(heading);
    ui.close = el("button", { type: "button", class: "close", "aria-label": texts.close, title: texts.close }, "×");
    header.appendChild(ui.close);

    ui.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": texts.log, tabindex: "0" });
    ui.status = el("p", { class: "status", role: "status", "aria-live": "polite" });

    ui.form = el("form", { class: "composer" });
    ui.form.appendChild(el("label", { for: "tthc-input", class: "visually-hidden" }, texts.input_label));
    ui.input = el("textarea", {
      id: "tthc-input", rows: "1", maxlength: String(maxChars), placeholder: texts.placeholder,
      autocomplete: "off", enterkeyhint: "send",
    });
    ui.form.appendChild(ui.input);
    ui.send = el("button", { type: "submit", class: "send" }, texts.send);
    ui.form.appendChild(ui.send);

    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.form);
    if (MODE === "float") {
      wrap.appendChild(ui.launcher);
      ui.panel.hidden = true;
    } else {
      ui.close.hidden = true;
    }
    wrap.appendChild(ui.panel);
    root.appendChild(wrap);
    document.body.appendChild(host);

    ui.launcher.addEventListener("click", function () { setOpen(!opened); });
    ui.close.addEventListener("click", function () { setOpen(false); });
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && MODE === "float") {
        setOpen(false);
      }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitTyped();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitTyped();
      }
    });
    ui.input.addEventListener("input", fitInput);
  }

  function fitInput() {
    ui.input.style.height = "auto";
    var needed = ui.input.scrollHeight + 2; // + the borders
    ui.input.style.height = Math.min(needed, 140) + "px";
    ui.input.style.overflowY = needed > 140 ? "auto" : "hidden";
  }

  function setOpen(open) {
    opened = open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      unread = 0;
      showUnread();
      fitInput();
      ui.input.focus();
      scrollToEnd();
      start();
    } else {
      ui.launcher.focus();
    }
    schedulePoll();
  }

  function showUnread() {
    ui.badge.hidden = unread === 0;
    ui.badge.textContent = unread > 9 ? "9+" : String(unread);
    ui.launcher.setAttribute("aria-label", unread ? texts.open + " — " + texts.unread : texts.open);
  }

  function setStatus(message) {
    ui.status.textContent = message || "";
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // ------------------------------------------------------------------ showing messages

  /* Reply texts use a small HTML subset (<b>, <i>, <a href>). They are parsed inertly and rebuilt from
     those elements only, so nothing else (scripts, styles, other attributes) can reach the page. */
  function appendRich(target, html) {
    var doc = new DOMParser().parseFromString("<!doctype html><body>" + html, "text/html");
    copyAllowed(doc.body, target);
  }

  function copyAllowed(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === 3) {
        to.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== 1) {
        return;
      }
      var tag = node.tagName.toLowerCase();
      var copy = null;
      if (tag === "b" || tag === "strong" || tag === "i" || tag === "em") {
        copy = document.createElement(tag === "strong" ? "b" : tag === "em" ? "i" : tag);
      } else if (tag === "br") {
        to.appendChild(document.createElement("br"));
        return;
      } else if (tag === "a" && /^https?:\/\//i.test(node.getAttribute("href") || "")) {
        copy = el("a", { href: node.getAttribute("href"), target: "_blank", rel: "noopener noreferrer" });
      }
      if (copy) {
        copyAllowed(node, copy);
        to.appendChild(copy);
      } else {
        copyAllowed(node, to);
      }
    });
  }

  function bubble(from) {
    var item = el("div", { class: "message " + from });
    item.appendChild(el("span", { class: "visually-hidden" }, (from === "visitor" ? texts.you : texts.assistant) + ": "));
    ui.log.appendChild(item);
    return item;
  }

  function showVisitor(text) {
    var item = bubble("visitor");
    item.appendChild(document.createTextNode(text));
    scrollToEnd();
    return item;
  }

  function fileSize(bytes) {
    var format = new Intl.NumberFormat(LANG === "en" ? "en" : "vi", { maximumFractionDigits: 1 });
    return bytes >= 1048576 ? format.format(bytes / 1048576) + " MB" : format.format(Math.max(bytes / 1024, 0.1)) + " kB";
  }

  function showAssistant(message) {
    var item = bubble("assistant");
    if (message.file) {
      var file = message.file;
      var url = new URL(file.url, BASE).href;
      if (file.image) {
        var picture = el("a", { href: url, target: "_blank", rel: "noopener" });
        picture.appendChild(el("img", { src: url, alt: file.name, loading: "lazy" }));
        item.appendChild(picture);
      }
      var link = el("a", { class: "file", href: url, download: file.name, target: "_blank", rel: "noopener" });
      link.appendChild(el("span", { "aria-hidden": "true" }, "📎 "));
      link.appendChild(document.createTextNode(texts.download + ": " + file.name + " (" + fileSize(file.size) + ")"));
      item.appendChild(link);
    } else {
      var text = el("div", { class: "text" });
      appendRich(text, message.text || "");
      item.appendChild(text);
      if (message.buttons && message.buttons.length) {
        item.appendChild(choiceButtons(message.buttons));
      }
    }
    return item;
  }

  function choiceButtons(rows) {
    var group = el("div", { class: "choices", role: "group", "aria-label": texts.choices });
    rows.forEach(function (row) {
      var line = el("div", { class: "row" });
      row.forEach(function (choice) {
        var button = el("button", { type: "button", class: "choice" }, choice.label);
        button.addEventListener("click", function () { ask({ choice: choice.data }, choice.label); });
        line.appendChild(button);
      });
      group.appendChild(line);
    });
    return group;
  }

  function receive(data) {
    if (!data) {
      return false;
    }
    if (data.token) {
      saveToken(data.token);
    }
    var first = null;
    (data.messages || []).forEach(function (message) {
      var item = showAssistant(message);
      first = first || item;
    });
    cursor = typeof data.cursor === "number" ? data.cursor : cursor;
    if (first) {
      if (opened || MODE === "page") {
        ui.log.scrollTop = first.offsetTop - 8; // a long answer is read from its top
      } else {
        unread += data.messages.length;
        showUnread();
      }
    }
    return Boolean(data.more);
  }

  // ------------------------------------------------------------------ asking

  function submitTyped() {
    var text = ui.input.value.trim();
    if (!text) {
      return;
    }
    ui.input.value = "";
    fitInput();
    ask({ text: text }, text);
  }

  function ask(question, shown) {
    question.id = newId();
    var item = shown === null ? null : showVisitor(shown);
    return serial(function () { return deliver(question, item); });
  }

  /* Sends one question until the assistant has it. The same id is re-sent after a network failure, and
     the assistant answers an id once, so nothing is lost and nothing is answered twice. */
  async function deliver(question, item) {
    setStatus(texts.typing);
    for (var attempt = 1; ; attempt += 1) {
      try {
        var session = await ensureSession();
        if (session === "busy") {
          return failed(question, item, texts.busy);
        }
        question.after = cursor;
        var answer = await api("POST", "messages", question);
        if (answer.status === 200) {
          setStatus("");
          while (receive(answer.data)) {
            answer = await api("GET", "messages?after=" + cursor);
            if (answer.status !== 200) {
              break;
            }
          }
          schedulePoll();
          return undefined;
        }
        if (answer.status === 401 && attempt === 1) {
          saveToken(""); // expired or from an older key: start a new session and send again
          continue;
        }
        if (answer.status === 413) {
          return failed(question, item, texts.too_long, true);
        }
        if (answer.status < 500 && answer.status !== 429) {
          return failed(question, item, texts.failed, true);
        }
      } catch (e) {
        setStatus(texts.offline);
      }
      if (attempt >= 4) {
        return failed(question, item, texts.failed);
      }
      await sleep(1000 * Math.pow(2, attempt));
    }
  }

  function failed(question, item, message, final) {
    setStatus(message);
    if (!item || final) {
      return undefined;
    }
    item.classList.add("failed");
    var retry = el("button", { type: "button", class: "retry" }, texts.retry);
    retry.addEventListener("click", function () {
      item.classList.remove("failed");
      retry.remove();
      serial(function () { return deliver(question, item); });
    });
    item.appendChild(retry);
    return undefined;
  }

  // ------------------------------------------------------------------ history and polling

  async function restore() {
    if (restored || !token) {
      return;
    }
    restored = true;
    var answer = await api("GET", "messages");
    if (answer.status === 401) {
      saveToken("");
      return;
    }
    if (answer.status === 200) {
      var more = receive(answer.data);
      unread = 0;
      showUnread();
      while (more) {
        answer = await api("GET", "messages?after=" + cursor);
        more = answer.status === 200 && receive(answer.data);
      }
      scrollToEnd();
    }
  }

  function start() {
    if (started) {
      return;
    }
    started = true;
    serial(async function () {
      await restore();
      if (!ui.log.querySelector(".assistant")) {
        await deliver({ id: newId(), text: LANG === "en" ? "/lang en" : "/start" }, null);
      }
    });
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (!token) {
      return;
    }
    var seconds = pollSeconds * (opened || MODE === "page" ? 1 : 4) * Math.min(Math.pow(2, failures), 8);
    pollTimer = setTimeout(poll, delay === undefined ? seconds * 1000 : delay);
  }

  function poll() {
    if (document.hidden || !token) {
      schedulePoll();
      return;
    }
    serial(async function () {
      try {
        var answer = await api("GET", "messages?after=" + cursor);
        if (answer.status === 401) {
          saveToken("");
          return;
        }
        failures = answer.status === 200 ? 0 : failures + 1;
        if (answer.status === 200 && receive(answer.data)) {
          schedulePoll(0);
          return;
        }
      } catch (e) {
        failures += 1;
      }
      schedulePoll();
    });
  }

  // ------------------------------------------------------------------ start

  async function load() {
    for (var attempt = 1; attempt <= 5; attempt += 1) {
      try {
        var answer = await api("GET", "config?lang=" + LANG);
        if (answer.status === 200 && answer.data) {
          texts = answer.data.texts;
          pollSeconds = answer.data.poll_seconds || pollSeconds;
          maxChars = answer.data.max_chars || maxChars;
          build();
          document.addEventListener("visibilitychange", function () {
            if (!document.hidden) {
              schedulePoll(0);
            }
          });
          if (MODE === "page" || script.getAttribute("data-open") === "true") {
            setOpen(true);
          } else if (token) {
            serial(restore).then(function () { schedulePoll(); });
          }
          return;
        }
      } catch (e) {
        /* the assistant is unreachable: try again a little later */
      }
      await sleep(2000 * attempt);
    }
  }

  if (document.body) {
    load();
  } else {
    document.addEventListener("DOMContentLoaded", load);
  }
})();
