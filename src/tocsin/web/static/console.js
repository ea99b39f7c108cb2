/* Tocsin operator console: login, manual alerts with a second person's approval, cancel and
   correct from prepared texts, drills, sensor health. Every request goes to the serving host. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const I18N = window.TOCSIN_CONSOLE_I18N;
  const S = { me: null, csrf: "", cfg: null, state: null, pick: new Map(), places: [], es: null, refreshing: new Set(), lang: window.TocsinLang.pick() };
  const t = (key, vars) => (I18N[S.lang][key] || I18N.en[key] || key)
    .replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
  const clock = (iso) => new Date(iso).toLocaleTimeString(S.lang === "ru" ? "ru-RU" : "en-GB");

  function setLang(lang) {
    S.lang = lang;
    window.TocsinLang.apply(lang, t);
    document.title = t("title");
    if (S.me) $("who").textContent = `${S.me.name} (${t(S.me.role)})`;
    if (S.state) {
      renderMode();
      $("d-template").replaceChildren();
      renderTemplates();
      renderDrafts();
      renderAuto();
      renderAlerts();
      refreshHealth().catch(() => {});
    }
  }
  const LIVE = { warning: "#e02424", advisory: "#ff9f1c" };
  const DRILL = { warning: "#7c3aed", advisory: "#c4b5fd" };
  const SENSOR = { ok: "#2f855a", silent: "#d97706", flooding: "#b91c1c" };

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = S.csrf;
    const r = await fetch(path, { method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) });
    const doc = (r.headers.get("content-type") || "").includes("json") ? await r.json() : {};
    if (!r.ok) {
      const err = new Error(typeof doc.detail === "string" ? doc.detail : JSON.stringify(doc.detail));
      err.status = r.status;
      throw err;
    }
    return doc;
  }
  function say(text, error) {
    const el = $("message");
    el.textContent = text;
    el.className = `message${error ? " error" : ""}`;
  }
  const exercise = () => !S.cfg || S.cfg.status !== "Actual" || (S.state && S.state.drill);

  const map = L.map("map", { renderer: L.svg(), zoomSnap: 0.25 });
  map.attributionControl.setPrefix("Leaflet");
  const areaLayer = L.geoJSON(null, { interactive: false,
    style: () => ({ color: "#334e68", weight: 2, fillColor: "#ffffff", fillOpacity: 0.6 }) }).addTo(map);
  const gapLayer = L.geoJSON(null, { interactive: false,
    style: () => ({ className: "gap", color: "#52606d", weight: 0.5, fillColor: "#9aa5b1", fillOpacity: 0.35 }) }).addTo(map);
  const alertLayer = L.geoJSON(null, { style: (f) => {
    const drill = f.properties.exercise || (S.cfg && S.cfg.status !== "Actual");
    const c = (drill ? DRILL : LIVE)[f.properties.level];
    return { className: `zone zone-${f.properties.level}${drill ? " zone-alert-exercise" : ""}`,
      color: c, fillColor: c, weight: 1, fillOpacity: 0.45 };
  } }).addTo(map);
  const pickLayer = L.layerGroup().addTo(map);
  const sensorLayer = L.layerGroup().addTo(map);

  function showLogin(text) {
    $("login").hidden = false;
    $("app").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login-error").textContent = text || "";
    if (S.es) { S.es.close(); S.es = null; }
  }

  async function login(ev) {
    ev.preventDefault();
    try {
      S.me = await api("POST", "/v1/console/login",
        { name: $("login-name").value, password: $("login-password").value });
      $("login-password").value = "";
      await openApp();
    } catch (e) { $("login-error").textContent = e.message; }
  }

  async function logout() {
    // Nothing more is asked with the session once it is ending: no refresh starts, the
    // stream closes, and the refreshes under way finish before the server ends it.
    S.me = null;
    if (S.es) { S.es.close(); S.es = null; }
    await Promise.allSettled([...S.refreshing]);
    try { await api("POST", "/v1/console/logout"); } catch (e) { /* the session is gone anyway */ }
    showLogin(t("logged_out"));
  }

  async function openApp() {
    S.csrf = S.me.csrf;
    $("login").hidden = true;
    $("app").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = `${S.me.name} (${t(S.me.role)})`;
    document.body.dataset.role = S.me.role;
    document.querySelectorAll(".op, .op-only").forEach((el) => { el.hidden = S.me.role === "viewer"; });
    map.invalidateSize();
    if (!S.cfg) {
      S.cfg = await api("GET", "/v1/map.json");
      $("region").textContent = `· ${S.cfg.title}`;
      drawRegion(await api("GET", "/v1/region.geojson"));
    }
    await refresh();
    connect();
  }

  function drawRegion(doc) {
    areaLayer.addData(doc.features.filter((f) => f.properties.kind === "area"));
    map.fitBounds(areaLayer.getBounds(), { padding: [10, 10] });
    S.places = doc.features.filter((f) => f.properties.kind === "settlement" && f.properties.zone);
    const dl = $("places");
    for (const f of S.places) {
      const o = document.createElement("option");
      o.value = f.properties.name;
      dl.append(o);
      L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 4, color: "#102a43",
        weight: 1, fillColor: "#f0f4f8", fillOpacity: 1, interactive: false })
        .bindTooltip(f.properties.name, { permanent: f.properties.population >= 50000 }).addTo(map);
    }
  }

  function connect() {
    if (S.es) return;
    S.es = new EventSource("/v1/stream");
    S.es.onopen = () => { $("live").className = "live on"; $("live").textContent = t("live"); };
    S.es.onerror = () => { $("live").className = "live off"; $("live").textContent = t("offline"); };
    S.es.addEventListener("alert", () => refresh().catch(() => {}));
  }

  function refresh() {
    if (!S.me) return Promise.resolve();  // logged out: nothing to ask for
    const p = refreshNow();
    S.refreshing.add(p);
    return p.finally(() => S.refreshing.delete(p));
  }

  async function refreshNow() {
    try {
      S.state = await api("GET", "/v1/console/state");
    } catch (e) {
      if (e.status === 401) { showLogin(t("session_ended")); return; }
      throw e;
    }
    renderMode();
    renderTemplates();
    renderDrafts();
    renderAlerts();
    renderAuto();
    await Promise.all([refreshAlerts(), refreshHealth()]);
  }

  function renderMode() {
    const drill = exercise();
    document.body.classList.toggle("drill", !!drill);
    document.body.classList.toggle("live-mode", !drill);
    $("mode").textContent = t(drill ? "mode_exercise" : "mode_live");
    $("mode").className = `mode ${drill ? "exercise" : "live"}`;
    $("drill-banner").hidden = !(S.state && S.state.drill);
    $("drill-start").hidden = !!S.state.drill || S.me.role === "viewer";
    $("drill-stop").hidden = !S.state.drill || S.me.role === "viewer";
    $("drill-state").textContent = S.state.drill ? t("drill_by", { by: S.state.drill.by })
      : t(S.cfg.status === "Actual" ? "drill_real" : "drill_service");
    $("draft-title").textContent = t(drill ? "new_exercise" : "new_live");
    $("d-submit").textContent = t(drill ? "submit_exercise" : "submit_live");
  }

  function renderTemplates() {
    const sel = $("d-template");
    if (sel.options.length) return;
    for (const [id, words] of Object.entries(S.state.templates.alert)) {
      const o = document.createElement("option");
      o.value = id;
      o.textContent = words[S.lang].slice(0, 60);
      sel.append(o);
    }
    sel.onchange = preview;
    preview();
  }
  function preview() {
    const w = S.state.templates.alert[$("d-template").value];
    $("d-preview").textContent = w ? `“${w.en}” / “${w.ru}”` : "";
  }

  function card(cls, text) {
    const li = document.createElement("li");
    li.className = cls;
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = t(cls.includes("exercise") ? "tag_exercise" : "tag_live");
    li.append(tag, " ", text);
    return li;
  }
  function button(label, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }
  const zonesText = (zones) => t(zones.length === 1 && I18N[S.lang].zones_1 ? "zones_1" : "zones", { n: zones.length });

  function renderDrafts() {
    const ul = $("drafts");
    ul.replaceChildren();
    for (const d of S.state.drafts) {
      const li = card(`${d.level}${d.exercise ? " exercise" : ""}`,
        `${d.id} · ${t(d.level)} · ${zonesText(d.zones)} · ${d.template} · ${t("drafted_by", { by: d.drafted_by })}`);
      li.dataset.draft = d.id;
      if (S.me.role !== "viewer") {
        const own = d.drafted_by === S.me.name;
        const ok = button(t("approve"), "approve", () => act(`/v1/console/drafts/${d.id}/approve`, {}, t("approved", { id: d.id })));
        ok.disabled = own;
        ok.title = own ? t("own_title") : "";
        li.append(document.createElement("br"), ok, button(t("discard"), "discard", () => act(`/v1/console/drafts/${d.id}/discard`, {}, t("discarded", { id: d.id }))));
        if (own) {
          const p = document.createElement("p");
          p.className = "hint";
          p.textContent = t("waiting");
          li.append(p);
        }
      }
      ul.append(li);
    }
  }

  function renderAlerts() {
    const ul = $("alerts");
    ul.replaceChildren();
    for (const a of S.state.alerts) {
      const li = card(`${a.level}${a.exercise ? " exercise" : ""}`,
        `${a.id} · ${t(a.level)} · ${zonesText(a.zones)} · ${t("by_two", { a: a.drafted_by, b: a.approved_by })} · ${t("until", { t: clock(a.expires) })}`);
      li.dataset.alert = a.id;
      if (S.me.role !== "viewer") {
        li.append(document.createElement("br"),
          button(t("cancel"), "danger cancel", () => ask(t("ask_cancel", { id: a.id, level: t(a.level), zones: zonesText(a.zones) }),
            "cancel", (tpl) => act(`/v1/console/alerts/${a.id}/cancel`, { template: tpl }, t("cancelled", { id: a.id })))),
          button(t("correct"), "correct", () => {
            const keep = a.zones.filter((z) => S.pick.has(z));
            if (!keep.length) { say(t("pick_keep"), true); return; }
            ask(t("ask_correct", { id: a.id, zones: zonesText(keep) }), "correct",
              (tpl) => act(`/v1/console/alerts/${a.id}/correct`, { template: tpl, keep }, t("corrected", { id: a.id })));
          }));
      }
      ul.append(li);
    }
  }

  function renderAuto() {
    const ul = $("auto");
    ul.replaceChildren();
    for (const a of S.state.automatic) {
      const names = a.names.slice(0, 4).join(", ") + (a.names.length > 4 ? ", …" : "");
      const li = card(`${a.level}${exercise() ? " exercise" : ""}`, `${t(a.level)} · ${zonesText(a.zones)} · ${names}`);
      li.dataset.auto = `${a.level}:${a.cap}`;
      if (S.me.role !== "viewer") {
        li.append(document.createElement("br"), button(t("cancel"), "danger cancel-auto", () => ask(
          t("ask_auto", { level: t(a.level), zones: zonesText(a.zones), names }),
          "cancel", (tpl, hold) => act("/v1/console/automatic/cancel",
            { level: a.level, zones: a.zones, template: tpl, hold_min: hold }, t("auto_cancelled", { level: t(a.level) })), true)));
      }
      ul.append(li);
    }
    const stood = $("stood");
    stood.replaceChildren();
    for (const h of S.state.stood_down) {
      const li = document.createElement("li");
      li.dataset.zone = h.zone;
      li.textContent = t("stood", { level: t(h.level), by: h.by, t: clock(h.until) });
      stood.append(li);
    }
  }

  function ask(text, purpose, then, hold) {
    const dlg = $("confirm"), sel = $("confirm-template");
    $("confirm-text").textContent = text;
    sel.replaceChildren();
    $("confirm-template-label").hidden = !purpose;
    $("confirm-hold-label").hidden = !hold;
    for (const [id, words] of Object.entries(purpose ? S.state.templates[purpose] : {})) {
      const o = document.createElement("option");
      o.value = id;
      o.textContent = words[S.lang];
      sel.append(o);
    }
    dlg.returnValue = "";
    dlg.onclose = () => { if (dlg.returnValue === "yes") then(sel.value, Number($("confirm-hold").value)); };
    dlg.showModal();
  }

  async function act(path, body, done) {
    try {
      await api("POST", path, body);
      say(done);
      document.body.dataset.lastAction = String(Date.now());
    } catch (e) {
      if (e.status === 401) { showLogin(t("session_ended")); return; }
      say(e.message, true);
    }
    await refresh();
  }

  async function refreshAlerts() {
    const doc = await api("GET", "/v1/alerts.geojson");
    alertLayer.clearLayers();
    alertLayer.addData(doc);
  }

  async function refreshHealth() {
    const doc = await api("GET", "/v1/console/health.geojson");
    sensorLayer.clearLayers();
    gapLayer.clearLayers();
    const ul = $("health");
    ul.replaceChildren();
    for (const f of doc.features) {
      const p = f.properties;
      if (p.gap) { gapLayer.addData(f); continue; }
      const [lon, lat] = f.geometry.coordinates;
      L.circleMarker([lat, lon], { className: `sensor sensor-${p.state}`, radius: 6, color: "#111827",
        weight: 1, fillColor: SENSOR[p.state], fillOpacity: 1 }).bindTooltip(`${p.sensor} ${t(p.state)}`).addTo(sensorLayer);
      if (p.range_m) L.circle([lat, lon], { radius: p.range_m, color: SENSOR[p.state], weight: 1, fill: false,
        dashArray: "3 4", interactive: false }).addTo(sensorLayer);
      const li = document.createElement("li");
      li.className = p.state;
      li.dataset.sensor = p.sensor;
      li.textContent = t("sensor_row", { sensor: p.sensor, kind: p.kind, state: t(p.state),
        per_min: p.records_last_min, records: p.records, rejected: p.rejected });
      ul.append(li);
    }
    const c = doc.counts;
    $("health-summary").textContent = t("health_summary", { ok: c.ok || 0, silent: c.silent || 0,
      flooding: c.flooding || 0, gaps: doc.gap_zones, zones: doc.zones });
  }

  async function pickAt(e) {
    if (!S.me || S.me.role === "viewer") return;
    const z = await api("GET", `/v1/console/zone?lat=${e.latlng.lat}&lon=${e.latlng.lng}`).catch(() => null);
    if (!z) return;
    togglePick(z);
  }
  function togglePick(z) {
    if (S.pick.has(z.zone)) {
      pickLayer.removeLayer(S.pick.get(z.zone).layer);
      S.pick.delete(z.zone);
    } else {
      const layer = L.geoJSON(z.geometry, { style: { className: "picked", color: "#1d4ed8", weight: 3, fillOpacity: 0.1 } });
      layer.addTo(pickLayer);
      S.pick.set(z.zone, { ...z, layer });
    }
    renderPick();
  }
  function renderPick() {
    const ul = $("d-zones");
    ul.replaceChildren();
    for (const z of S.pick.values()) {
      const li = document.createElement("li");
      li.textContent = z.name;
      ul.append(li);
    }
  }
  async function addPlace() {
    const name = $("d-place").value.trim().toLowerCase();
    const f = S.places.find((p) => p.properties.name.toLowerCase() === name);
    if (!f) { say(t("no_place"), true); return; }
    const [lon, lat] = f.geometry.coordinates;
    const z = await api("GET", `/v1/console/zone?lat=${lat}&lon=${lon}`);
    if (!S.pick.has(z.zone)) togglePick(z);
    $("d-place").value = "";
  }

  async function draft(ev) {
    ev.preventDefault();
    const body = { level: $("d-level").value, zones: [...S.pick.keys()], template: $("d-template").value,
      hold_min: Number($("d-hold").value) };
    try {
      const d = await api("POST", "/v1/console/drafts", body);
      say(t("drafted", { id: d.id }));
      for (const z of [...S.pick.values()]) togglePick(z);
    } catch (e) { say(e.message, true); }
    await refresh();
  }

  async function start() {
    $("login").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("draft").addEventListener("submit", draft);
    $("d-add").addEventListener("click", () => addPlace().catch((e) => say(e.message, true)));
    $("drill-start").addEventListener("click", () => ask(t("ask_drill_start"), null,
      () => act("/v1/console/drill/start", {}, t("drill_started"))));
    $("drill-stop").addEventListener("click", () => ask(t("ask_drill_stop"), null,
      () => act("/v1/console/drill/stop", {}, t("drill_stopped"))));
    document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    setLang(S.lang);
    map.on("click", pickAt);
    const me = await api("GET", "/v1/console/me");
    S.me = me.name ? me : null;
    if (S.me) await openApp(); else showLogin();
    setInterval(() => { if (S.me && !$("app").hidden) refresh().catch(() => {}); }, 2000);
    document.body.dataset.ready = "1";
  }

  start().catch((e) => { console.error(e); });
})();
