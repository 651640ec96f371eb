// What every OneGrid map shares: the base map (Web:TileUrl, by default OpenStreetMap), its attribution, a notice
// when the tiles cannot load, and zoom buttons in the page's language. The report page, the case page and the
// territory map (map.js) create their Leaflet maps through createMap.
/* global L */

// The attribution is configuration, so it is built as DOM with textContent: Leaflet's own control takes HTML.
function attributionControl(baseMap) {
  const Attribution = L.Control.extend({
    options: { position: 'bottomright' },
    onAdd() {
      const div = L.DomUtil.create('div', 'leaflet-control-attribution og-attribution');
      div.dataset.testid = 'map-attribution';
      if (baseMap.attributionUrl) {
        const a = document.createElement('a');
        a.href = baseMap.attributionUrl;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.textContent = baseMap.attribution || baseMap.attributionUrl;
        div.appendChild(a);
      } else {
        div.textContent = baseMap.attribution || '';
      }
      L.DomEvent.disableClickPropagation(div);
      return div;
    },
  });
  return new Attribution();
}

// Without network every tile fails: one notice for the map, not one per tile. It goes once a tile loads.
function offlineNotice(map, container, text) {
  let notice = null;
  let loaded = 0;
  const Notice = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd() {
      const div = L.DomUtil.create('div', 'og-tiles-offline');
      div.setAttribute('role', 'status');
      div.dataset.testid = 'tiles-offline';
      div.textContent = text;
      return div;
    },
  });
  return {
    error() {
      if (loaded > 0 || notice) return;
      notice = new Notice().addTo(map);
      container.dataset.tiles = 'offline';
    },
    load() {
      loaded++;
      container.dataset.tiles = 'loaded';
      if (notice) {
        notice.remove();
        notice = null;
      }
    },
  };
}

/**
 * A Leaflet map in the element with the configured base map (none when `baseMap` is null) and zoom buttons titled
 * in the page's language. `zoomText` is { zoomIn, zoomOut }; `mapOptions` go to L.map.
 */
export function createMap(element, baseMap, zoomText, mapOptions) {
  const map = L.map(element, { ...(mapOptions || {}), zoomControl: false, attributionControl: false });
  const zoom = zoomText || {};
  L.control.zoom({ position: 'topleft', zoomInTitle: zoom.zoomIn || 'Zoom in', zoomOutTitle: zoom.zoomOut || 'Zoom out' }).addTo(map);
  if (!baseMap || !baseMap.url) {
    element.dataset.tiles = 'none';
    return map;
  }
  element.dataset.tiles = 'loading';
  const status = offlineNotice(map, element, baseMap.offline || '');
  const options = { maxZoom: baseMap.maxZoom || 19, subdomains: baseMap.subdomains || 'abc' };
  const base = L.tileLayer(baseMap.url, { ...options, className: 'og-tiles-base' });
  base.on('tileerror', () => status.error());
  base.on('tileload', () => status.load());
  base.addTo(map);
  if (baseMap.overlayUrl) L.tileLayer(baseMap.overlayUrl, { ...options, className: 'og-tiles-overlay' }).addTo(map);
  attributionControl(baseMap).addTo(map);
  return map;
}
