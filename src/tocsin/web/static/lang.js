/* Tocsin's pages (the public map and the console): which language to show, and the words
   every page relabels when it changes. */
"use strict";
window.TocsinLang = {
  // ?lang= first, then the last choice, then the browser's language; Russian otherwise.
  pick() {
    const q = new URLSearchParams(location.search).get("lang");
    const saved = q || localStorage.getItem("tocsin.lang");
    if (saved === "ru" || saved === "en") return saved;
    return (navigator.language || "ru").toLowerCase().startsWith("en") ? "en" : "ru";
  },
  // Remember the choice; relabel the [data-i18n] texts, the RU/EN buttons and the live mark.
  apply(lang, t) {
    localStorage.setItem("tocsin.lang", lang);
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-lang]").forEach((b) => b.classList.toggle("on", b.dataset.lang === lang));
    const live = document.getElementById("live");
    live.textContent = t(live.classList.contains("on") ? "live" : "offline");
  },
};
