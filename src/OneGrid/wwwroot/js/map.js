// OneGrid's territory map (the /map page and the command centre share it through the MapView component).
// Draws the units a person's grants reach on the base map (basemap.js; a plain background when it is off) and
// drills down district → street → community → grid: click a unit, or zoom in on it, to load its children
// from GET /api/v1/units/{code}/children.geojson; zoom out, the "up" button or the breadcrumb to go back.
// Open cases are circle markers coloured by state, with a popup linking to the case page; when there are too many,
// the page sends clusters instead — a count per community or street at a point inside it, written as text.
/* global L */
import { textNode } from './text.js';
import { createMap } from './basemap.js';

const LEVEL_STYLE = {
  city: { color: '#9c0c24', weight: 3, fillOpacity: 0.03 },
  district: { color: '#c8102e', weight: 3, fillOpacity: 0.04 },
  street: { color: '#1565c0', weight: 2, fillOpacity: 0.06 },
  community: { color: '#00897b', weight: 1.5, fillOpacity: 0.06 },
  grid: { color: '#5d6d7e', weight: 1, fillOpacity: 0.05 },
};

export const STATE_COLOURS = {
  Reported: '#ef6c00',
  Registered: '#1565c0',
  Dispatched: '#6a1b9a',
  InProgress: '#00897b',
  Handled: '#7cb342',
  Closed: '#2e7d32',
  Rejected: '#757575',
};

// Beyond this many units at one level, names show on hover instead of permanently.
const MAX_PERMANENT_LABELS = 30;

function styleOf(level, active) {
  const s = LEVEL_STYLE[level] || LEVEL_STYLE.grid;
  return active
    ? { color: s.color, weight: s.weight, fillColor: s.color, fillOpacity: s.fillOpacity, opacity: 0.9 }
    : { color: s.color, weight: Math.max(1, s.weight - 0.5), fillOpacity: 0, opacity: 0.45, dashArray: '4 4' };
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

// Ray casting on the outer rings of a (multi)polygon feature: is [lng, lat] inside?
function contains(feature, lng, lat) {
  const g = feature.geometry;
  if (!g) return false;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  return polygons.some((rings) => {
    let inside = false;
    rings.forEach((ring, r) => {
      let inRing = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inRing = !inRing;
      }
      if (inRing) inside = r === 0 ? true : false; // a hole takes the point back out
    });
    return inside;
  });
}

class TerritoryMap {
  constructor(container, options) {
    this.container = container;
    this.text = options.text || {};
    this.caseUrl = options.caseUrl || '/cases/';
    this.map = createMap(container, options.baseMap, options.zoomText, { zoomSnap: 0.5, preferCanvas: false });
    // Markers above the units' name labels (tooltip pane 650), below popups (700).
    this.map.createPane('cases').style.zIndex = 660;
    this.stack = []; // [{ feature, layer, entryZoom }], deepest last; the roots are level 0
    this.casesLayer = L.layerGroup().addTo(this.map);
    this.clustersLayer = L.layerGroup().addTo(this.map);
    this.busy = false;
    this.floor = 1; // the shallowest level the person may go back up to
    this.addControls();

    const roots = options.roots || { type: 'FeatureCollection', features: [] };
    this.rootLayer = this.makeLayer(roots, true);
    this.rootLayer.addTo(this.map);
    this.rootFeatures = roots.features;
    this.fit(this.rootLayer);
    this.stack.push({ feature: null, layer: this.rootLayer, features: roots.features, entryZoom: this.map.getZoom() });
    this.updateBreadcrumb();
    // One unit (a district leader's district): open it at once, its children are what the person wants to see.
    // It becomes the floor: going up from there would only show the one outline. Not so when the units stand for a
    // unit without an outline (a city's districts): they are the level the person looks at, even if only one.
    if (roots.features.length === 1 && roots.features[0].properties.level !== 'grid' && !options.expanded) {
      this.drill(roots.features[0], true);
    }
    this.map.on('zoomend', () => this.onZoom());
  }

  addControls() {
    const self = this;
    const Crumbs = L.Control.extend({
      onAdd() {
        const div = element('div', 'og-crumbs leaflet-bar');
        L.DomEvent.disableClickPropagation(div);
        self.crumbs = div;
        return div;
      },
    });
    new Crumbs({ position: 'topright' }).addTo(this.map);

    const Legend = L.Control.extend({
      onAdd() {
        const div = element('div', 'og-legend');
        const states = self.text.states || {};
        Object.keys(STATE_COLOURS).forEach((state) => {
          if (!states[state]) return;
          const row = element('div', 'og-legend-row');
          const dot = element('span', 'og-dot');
          dot.style.background = STATE_COLOURS[state];
          row.appendChild(dot);
          row.appendChild(element('span', null, states[state]));
          div.appendChild(row);
        });
        if (self.text.overdue) {
          const row = element('div', 'og-legend-row');
          const dot = element('span', 'og-dot og-dot-overdue');
          row.appendChild(dot);
          row.appendChild(element('span', null, self.text.overdue));
          div.appendChild(row);
        }
        return div;
      },
    });
    new Legend({ position: 'bottomright' }).addTo(this.map);
  }

  makeLayer(collection, active, parentName) {
    const labels = collection.features.length <= MAX_PERMANENT_LABELS;
    const label = (f) => {
      const name = f.properties.name || '';
      return parentName && name.startsWith(parentName) && name.length > parentName.length ? name.slice(parentName.length) : name;
    };
    return L.geoJSON(collection, {
      style: (f) => ({ ...styleOf(f.properties.level, active), className: `og-unit og-unit-${f.properties.level} og-unit-${f.properties.code}` }),
      onEachFeature: (f, layer) => {
        f.properties.label = label(f);
        layer.bindTooltip(textNode(f.properties.label), { permanent: labels, direction: 'center', className: 'og-label', opacity: 0.9 });
        layer.on('click', () => this.onUnitClick(f, layer));
        layer.on('add', () => this.keyboard(layer, active));
        layer.on('mouseover', () => layer.setStyle({ weight: (LEVEL_STYLE[f.properties.level] || LEVEL_STYLE.grid).weight + 1.5 }));
        layer.on('mouseout', () => layer.setStyle({ weight: (LEVEL_STYLE[f.properties.level] || LEVEL_STYLE.grid).weight }));
      },
    });
  }

  // A unit one can open is a button for the keyboard too: Tab to it, Enter or Space opens it. A mouse click focuses
  // it as well, which must not draw Chrome's focus box around the shape (app.css: only :focus-visible outlines it).
  keyboard(layer, active) {
    const el = layer.getElement && layer.getElement();
    if (!el) return;
    const f = layer.feature;
    const operable = active && f.properties.level !== 'grid';
    if (!operable) {
      el.removeAttribute('tabindex');
      el.removeAttribute('role');
      return;
    }
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', f.properties.name || f.properties.code);
    if (!el.dataset.keys) {
      el.dataset.keys = 'true';
      el.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        this.onUnitClick(f, layer, true);
      });
    }
  }

  fit(layer) {
    const bounds = layer.getBounds();
    if (bounds.isValid()) {
      this.busy = true;
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
      this.busy = false;
    } else {
      this.map.setView([30.2, 120.2], 12);
    }
  }

  top() {
    return this.stack[this.stack.length - 1];
  }

  async onUnitClick(feature, layer, fromKeyboard) {
    const top = this.top();
    if (!top.features.includes(feature)) return; // a faded parent level: not clickable
    if (feature.properties.level === 'grid') return; // grids are the finest level drawn
    await this.drill(feature);
    // The opened unit is no longer a button: keyboard focus goes on to its first child rather than back to the page.
    if (fromKeyboard && this.top().feature === feature) {
      const first = this.top().layer.getLayers().map((l) => l.getElement && l.getElement()).find((e) => e && e.getAttribute('tabindex') === '0');
      (first || this.container).focus({ preventScroll: true });
    }
  }

  async drill(feature, asFloor = false) {
    const code = feature.properties.code;
    let collection;
    try {
      const response = await fetch(`/api/v1/units/${encodeURIComponent(code)}/children.geojson`, { credentials: 'same-origin' });
      if (!response.ok) return;
      collection = await response.json();
    } catch {
      return;
    }
    // Units only (a grid's children are buildings, drawn as points: not a level of this map).
    collection.features = collection.features.filter((f) => f.geometry && f.geometry.type !== 'Point');
    if (collection.features.length === 0) return;
    this.fade(this.top());
    const layer = this.makeLayer(collection, true, feature.properties.name).addTo(this.map);
    const parentOutline = L.geoJSON(feature, {
      style: { ...styleOf(feature.properties.level, true), fillOpacity: 0, weight: 3, interactive: false },
      interactive: false,
    }).addTo(this.map);
    this.fit(parentOutline);
    this.stack.push({ feature, layer, outline: parentOutline, features: collection.features, entryZoom: this.map.getZoom() });
    if (asFloor) this.floor = this.stack.length;
    this.updateBreadcrumb();
    this.container.dataset.unit = code;
  }

  fade(level) {
    level.layer.eachLayer((l) => {
      l.setStyle(styleOf(l.feature.properties.level, false));
      this.keyboard(l, false);
      if (l.getTooltip()) l.closeTooltip();
      l.unbindTooltip();
    });
  }

  restore(level) {
    const labels = level.features.length <= MAX_PERMANENT_LABELS;
    level.layer.eachLayer((l) => {
      l.setStyle(styleOf(l.feature.properties.level, true));
      this.keyboard(l, true);
      l.bindTooltip(textNode(l.feature.properties.label || l.feature.properties.name), { permanent: labels, direction: 'center', className: 'og-label', opacity: 0.9 });
    });
  }

  up(toDepth) {
    while (this.stack.length > Math.max(this.floor, toDepth)) {
      const level = this.stack.pop();
      this.map.removeLayer(level.layer);
      if (level.outline) this.map.removeLayer(level.outline);
    }
    const top = this.top();
    this.restore(top);
    this.fit(top.outline || top.layer);
    top.entryZoom = this.map.getZoom();
    this.updateBreadcrumb();
    this.container.dataset.unit = top.feature ? top.feature.properties.code : '';
  }

  onZoom() {
    this.container.dataset.zoom = String(this.map.getZoom());
    if (this.busy) return;
    const top = this.top();
    const zoom = this.map.getZoom();
    if (this.stack.length > this.floor && zoom <= top.entryZoom - 1.5) {
      this.up(this.stack.length - 1);
      return;
    }
    if (zoom >= top.entryZoom + 2) {
      const c = this.map.getCenter();
      const inside = top.features.find((f) => f.properties.level !== 'grid' && contains(f, c.lng, c.lat));
      if (inside) this.drill(inside);
    }
  }

  updateBreadcrumb() {
    if (!this.crumbs) return;
    this.crumbs.replaceChildren();
    const link = (className, text, onClick) => {
      const a = element('a', className, text);
      a.href = '#';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        onClick();
      });
      return a;
    };
    if (this.stack.length > this.floor) {
      const up = link('og-up', '↑ ' + (this.text.up || 'Up'), () => this.up(this.stack.length - 1));
      up.setAttribute('role', 'button');
      up.dataset.testid = 'map-up';
      this.crumbs.appendChild(up);
    }
    // Several units at the top: "all of them" is the first crumb; one unit: its name is.
    if (this.floor === 1) this.crumbs.appendChild(link('og-crumb', this.text.all || '—', () => this.up(1)));
    this.stack.forEach((s, depth) => {
      if (!s.feature) return;
      if (this.crumbs.childElementCount > (this.stack.length > this.floor ? 1 : 0)) this.crumbs.appendChild(element('span', 'og-sep', '›'));
      this.crumbs.appendChild(link('og-crumb', s.feature.properties.name, () => this.up(depth + 1)));
    });
  }

  setCases(cases) {
    this.casesLayer.clearLayers();
    (cases || []).forEach((c) => {
      const colour = STATE_COLOURS[c.state] || '#455a64';
      const marker = L.circleMarker([c.lat, c.lon], {
        pane: 'cases',
        radius: 7,
        color: c.overdue ? '#c62828' : '#ffffff',
        weight: c.overdue ? 3 : 1.5,
        fillColor: colour,
        fillOpacity: 0.95,
        className: `og-case og-case-${c.state} og-case-${c.number}`,
      });
      marker.bindPopup(() => this.popup(c));
      marker.addTo(this.casesLayer);
    });
    this.container.dataset.cases = String((cases || []).length);
  }

  setClusters(clusters) {
    this.clustersLayer.clearLayers();
    (clusters || []).forEach((c) => {
      // The count and the name are text nodes (element() sets textContent), never markup from the data.
      const body = element('div', 'og-cluster');
      body.appendChild(element('span', 'og-cluster-count', String(c.count)));
      const size = 28 + Math.min(24, Math.round(Math.log10(Math.max(1, c.count)) * 8));
      const marker = L.marker([c.lat, c.lon], {
        pane: 'cases',
        icon: L.divIcon({ html: body, className: 'og-cluster-icon', iconSize: [size, size] }),
        title: c.name,
      });
      marker.bindTooltip(() => element('span', null, `${c.name}: ${c.count}`));
      marker.addTo(this.clustersLayer);
    });
    this.container.dataset.clusters = String((clusters || []).length);
  }

  popup(c) {
    const div = element('div', 'og-popup');
    const link = element('a', 'og-popup-number', c.number);
    link.href = this.caseUrl + encodeURIComponent(c.number);
    div.appendChild(link);
    div.appendChild(element('div', null, c.category));
    const state = element('span', 'badge state', c.stateName);
    div.appendChild(state);
    if (c.overdue && this.text.overdue) div.appendChild(element('span', 'badge overdue', this.text.overdue));
    if (c.supervised && this.text.supervised) div.appendChild(element('span', 'badge supervised', this.text.supervised));
    return div;
  }

  invalidate() {
    this.map.invalidateSize();
  }

  dispose() {
    this.map.remove();
  }
}

/** Creates the map in the element; `rootsJson` is a GeoJSON FeatureCollection of the units to start from. */
export function create(container, rootsJson, options) {
  const map = new TerritoryMap(container, { ...options, roots: JSON.parse(rootsJson) });
  container.dataset.ready = 'true';
  return map;
}
