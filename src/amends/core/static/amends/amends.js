// The little behaviour the pages have outside htmx, as a file: the Content-Security-Policy allows no inline script.
// A <select data-submit-on-change> sends its form as soon as a choice is made (the language switch, filters).
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) {
    select.form.submit();
  }
});

// The console's menus: one open at a time, closed by a click elsewhere or by Escape.
document.addEventListener("click", function (event) {
  var inside = event.target.closest ? event.target.closest("details.menu") : null;
  document.querySelectorAll("details.menu[open]").forEach(function (menu) {
    if (menu !== inside) {
      menu.open = false;
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.open = false;
    });
  }
});

// The inbox from the keyboard: j/k move between cases, Enter opens one, x ticks it for a bulk action, / goes to the
// search box, ? shows the help. Never while the agent types: a "j" typed into the search box or a reply is a "j".
(function () {
  var current = -1;

  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])"));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-inbox] tbody tr[data-href]"));
  }

  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    current = Math.max(0, Math.min(all.length - 1, current + step));
    all.forEach(function (row, index) {
      row.classList.toggle("current", index === current);
      row.setAttribute("aria-selected", index === current ? "true" : "false");
    });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function toggleHelp() {
    var help = document.getElementById("shortcuts-help");
    if (help) {
      help.hidden = !help.hidden;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("table[data-inbox]") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target) || event.isComposing) {
      return;
    }
    var all = rows();
    if (event.key === "j") {
      move(1);
    } else if (event.key === "k") {
      move(current < 0 ? 1 : -1);
    } else if (event.key === "Enter" && all[current] && !event.target.closest("a, button")) {
      window.location.assign(all[current].getAttribute("data-href"));
    } else if (event.key === "x" && all[current]) {
      var box = all[current].querySelector("input[type=checkbox]");
      if (box) {
        box.checked = !box.checked;
      }
    } else if (event.key === "/") {
      var search = document.querySelector("input[name=q]");
      if (search) {
        search.focus();
        search.select();
      }
    } else if (event.key === "?") {
      toggleHelp();
    } else if (event.key === "Escape") {
      var help = document.getElementById("shortcuts-help");
      if (help && !help.hidden) {
        help.hidden = true;
      }
      return;
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-help]")) {
      toggleHelp();
    }
  });

  // New rows (a filter changed, htmx swapped them in): start again above the first. The filter the agent now sees
  // is what "Save view" saves and where a bulk action comes back to.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "inbox-rows") {
      current = -1;
      var filters = document.querySelector("form.filters");
      if (filters) {
        var query = new URLSearchParams(new FormData(filters)).toString();
        document.querySelectorAll("input[data-current-query]").forEach(function (input) {
          input.value = query;
        });
      }
    }
  });
})();
