/* Tocsin public map: zones by alert state, settlements, tracks, place search, live over SSE.
   Every request goes to the serving host; no basemap unless the operator configured tiles. */
"use strict";
(function () {
  const I18N = window.TOCSIN_I18N;
  const CLEARED_KEEP_MS = 10 * 60 * 1000; // a zone shows as recently cleared this long
  const TRACKS_EVERY_MS = 2000;
  const COLOURS = {
    Actual: { warning: "#e02424", advisory: "#ff9f1c", cleared: "#31a354" },
    drill: { warning: "#7c3aed", advisory: "#c4b5fd", cleared: "#14b8a6" },
  };
  const S = {
    lang: window.TocsinLang.pick(), cfg: null, offsetMs: 0, places: [], zones: new Map(),
    recent: [], chosen: null, refreshTimer: null, drill: true,
  };
  const $ = (id) => document.getElementById(id);
  const t = (key) => I18N[S.lang][key] || I18N.en[key] || key;

  function setLang(lang) {
    S.lang = lang;
    window.TocsinLang.apply(lang, t);
    renderTimeline();
    renderPlace();
  }

  const now = () => Date.now() + S.offsetMs; // the server's clock, as far as we can tell
  const get = (path) => fetch(path, { cache: "no-store" }).then((r) => {
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    return r.json();
  });
  const fmtClock = (ms) => new Date(ms).toLocaleTimeString(S.lang === "ru" ? "ru-RU" : "en-GB");
  function fmtLeft(s) {
    s = Math.max(0, Math.ceil(s));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  const map = L.map("map", { renderer: L.svg(), zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  const areaLayer = L.geoJSON(null, { interactive: false,
    style: () => ({ color: "#334e68", weight: 2, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 }) }).addTo(map);
  const zoneLayer = L.geoJSON(null, { style: zoneStyle, onEachFeature: zoneTip }).addTo(map);
  const trackLayer = L.geoJSON(null, { style: trackStyle, pointToLayer: trackPoint }).addTo(map);
  const placeLayer = L.layerGroup().addTo(map);

  function zoneStyle(f) {
    const st = f.properties.state, drill = S.drill || f.properties.exercise === true; // a drill among live alerts
    const pal = drill ? COLOURS.drill : COLOURS.Actual;
    return { className: `zone zone-${st}${drill ? " zone-drill" : ""}`, color: pal[st], fillColor: pal[st], weight: 1,
      fillOpacity: st === "cleared" ? 0.25 : 0.45, dashArray: drill ? "4 3" : null };
  }
  function zoneTip(f, layer) {
    const p = f.properties;
    layer.once("add", () => { layer.getElement().dataset.zone = p.zone; }); // for tests and tools reading the map
    layer.bindTooltip(() => `${p.name}: ${t(p.state)}${p.eta_s != null ? ` (ETA ${fmtLeft(p.eta_s)})` : ""}`);
  }
  function trackStyle(f) {
    return f.properties.kind === "corridor"
      ? { className: "corridor", color: "#1e40af", weight: 1, dashArray: "5 4", fillOpacity: 0.12 }
      : {};
  }
  function trackPoint(f, latlng) {
    const confirmed = f.properties.status === "confirmed";
    return L.circleMarker(latlng, { className: `track track-${f.properties.status}`, radius: confirmed ? 6 : 4,
      color: "#111827", weight: 2, fillColor: confirmed ? "#111827" : "#9ca3af", fillOpacity: 1 })
      .bindTooltip(`${f.properties.track} · ${f.properties.speed_mps} m/s · ${f.properties.alt_m} m`);
  }

  function zoneState(zone) {
    const z = S.zones.get(zone);
    return z ? z : { state: "none" };
  }

  async function refreshAlerts() {
    const [inForce, recent] = await Promise.all([get("/v1/alerts.geojson"), get("/v1/recent.geojson")]);
    const zones = new Map();
    for (const f of inForce.features) { // a warning outranks an advisory of the same zone
      const p = f.properties, old = zones.get(p.zone);
      if (!old || p.level === "warning") zones.set(p.zone, { state: p.level, row: p, geometry: f.geometry });
    }
    const cutoff = now() - CLEARED_KEEP_MS;
    for (const f of recent.features) {
      const p = f.properties;
      if (p.event === "clear" && !zones.has(p.zone) && Date.parse(p.t) >= cutoff) {
        zones.set(p.zone, { state: "cleared", row: p, geometry: f.geometry });
      }
    }
    S.zones = zones;
    S.recent = recent.features.map((f) => f.properties);
    zoneLayer.clearLayers();
    const order = { cleared: 0, advisory: 1, warning: 2 };
    const feats = [...zones.values()].sort((a, b) => order[a.state] - order[b.state]).map((z) => ({
      type: "Feature", geometry: z.geometry,
      properties: { state: z.state, name: z.row.name, zone: z.row.zone, eta_s: z.row.eta_s, exercise: z.row.exercise },
    }));
    zoneLayer.addData(feats);
    renderTimeline();
    renderPlace();
  }

  function scheduleRefresh() {
    if (S.refreshTimer) return;
    S.refreshTimer = setTimeout(() => {
      S.refreshTimer = null;
      refreshAlerts().catch(() => scheduleRefresh());
    }, 200);
  }

  async function refreshTracks() {
    try {
      const doc = await get("/v1/tracks.geojson");
      trackLayer.clearLayers();
      trackLayer.addData(doc);
    } catch (e) { /* the next poll tries again */ }
  }

  function renderTimeline() {
    const ol = $("timeline");
    ol.replaceChildren();
    const rows = S.recent.slice(-40).reverse();
    $("timeline-empty").hidden = rows.length > 0;
    for (const r of rows) {
      const li = document.createElement("li");
      li.className = `${r.event} ${r.level}`;
      const time = document.createElement("time");
      time.dateTime = r.t;
      time.textContent = fmtClock(Date.parse(r.t));
      li.append(time, `${S.drill ? t("drill_prefix") : ""}${t(r.level)} · ${t("ev_" + r.event)} · ${r.name}`);
      ol.append(li);
    }
  }

  function choose(place) {
    S.chosen = place;
    $("results").replaceChildren();
    $("q").value = place.name;
    map.setView([place.lat, place.lon], Math.max(map.getZoom(), 10));
    renderPlace();
  }

  function renderPlace() {
    const p = S.chosen, box = $("place");
    if (!p) { box.hidden = true; return; }
    box.hidden = false;
    $("place-name").textContent = `${p.name} · ${p.population.toLocaleString()} ${t("population")}`;
    const z = p.zone ? zoneState(p.zone) : { state: "outside" };
    box.className = `place ${z.state}${S.drill ? " drill" : ""}`;
    box.dataset.state = z.state;
    const stateKey = z.state === "outside" ? "outside" : `state_${z.state}`;
    $("place-state").textContent = (S.drill && z.state !== "none" && z.state !== "outside" ? t("drill_prefix") : "") + t(stateKey);
    $("place-advice").textContent = ["warning", "advisory", "cleared"].includes(z.state) ? t(`advice_${z.state}`) : "";
    tick();
  }

  function tick() {
    const p = S.chosen, el = $("countdown");
    const z = p && p.zone ? zoneState(p.zone) : null;
    if (!z || (z.state !== "warning" && z.state !== "advisory") || z.row.eta_s == null) {
      el.hidden = true; el.dataset.leftS = ""; return;
    }
    const left = (Date.parse(z.row.t) + z.row.eta_s * 1000 - now()) / 1000;
    el.hidden = false;
    el.dataset.leftS = String(Math.max(0, Math.round(left)));
    if (z.state === "warning") el.textContent = left > 0 ? `${t("shelter_in")} ${fmtLeft(left)}` : t("shelter_now");
    else el.textContent = `${t("expected_in")} ${fmtLeft(left)}`;
  }

  function search() {
    const q = $("q").value.trim().toLowerCase(), ul = $("results");
    ul.replaceChildren();
    if (!q) return;
    const hits = S.places.filter((p) => p.name.toLowerCase().includes(q))
      .sort((a, b) => b.population - a.population).slice(0, 8);
    for (const p of hits) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = `${p.name}${p.district ? ", " + p.district : ""}`;
      b.addEventListener("click", () => choose(p));
      const li = document.createElement("li");
      li.append(b);
      ul.append(li);
    }
  }

  function drawRegion(doc) {
    const area = doc.features.filter((f) => f.properties.kind === "area");
    areaLayer.addData(area);
    map.fitBounds(areaLayer.getBounds(), { padding: [10, 10] });
    S.places = doc.features.filter((f) => f.properties.kind === "settlement").map((f) => ({
      ...f.properties, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0] }));
    for (const p of S.places) {
      const r = Math.max(3, Math.min(10, Math.log10(Math.max(p.population, 10)) * 1.8));
      L.circleMarker([p.lat, p.lon], { className: "settlement", radius: r, color: "#102a43", weight: 1,
        fillColor: "#f0f4f8", fillOpacity: 1 })
        .bindTooltip(p.name, { permanent: p.population >= 50000, direction: "right", className: "town-label" })
        .on("click", () => choose(p)).addTo(placeLayer);
    }
  }

  function connect() {
    const es = new EventSource("/v1/stream");
    es.onopen = () => { $("live").className = "live on"; $("live").textContent = t("live"); scheduleRefresh(); };
    es.onerror = () => { $("live").className = "live off"; $("live").textContent = t("offline"); };
    es.addEventListener("alert", scheduleRefresh);
  }

  async function start() {
    document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    $("q").addEventListener("input", search);
    $("q").addEventListener("keydown", (e) => {
      const first = $("results").querySelector("button");
      if (e.key === "Enter" && first) first.click();
    });
    S.cfg = await get("/v1/map.json");
    S.offsetMs = Date.parse(S.cfg.t) - Date.now();
    S.drill = S.cfg.status !== "Actual";
    document.body.classList.toggle("drill", S.drill);
    $("drill").hidden = !S.drill;
    $("region").textContent = `· ${S.cfg.title}`;
    if (S.cfg.tiles) L.tileLayer(S.cfg.tiles, { attribution: S.cfg.tiles_attribution || "" }).addTo(map);
    setLang(S.lang);
    drawRegion(await get("/v1/region.geojson"));
    await refreshAlerts();
    await refreshTracks();
    connect();
    setInterval(refreshTracks, TRACKS_EVERY_MS);
    setInterval(tick, 250);
    setInterval(() => S.zones.size && refreshAlerts().catch(() => {}), 30000); // cleared zones age out
    document.body.dataset.ready = "1";
  }

  start().catch((e) => { console.error(e); });
})();
