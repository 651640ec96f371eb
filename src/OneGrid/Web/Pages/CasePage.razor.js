// The case page's map: the case's community grids on the base map (basemap.js; a plain background when off),
// the case's own grid highlighted, a marker at the reported point.
import { textNode } from '/js/text.js';
import { createMap } from '/js/basemap.js';

const maps = new WeakMap();

export async function drawCaseMap(element, o) {
    let state = maps.get(element);
    if (!state) {
        const map = createMap(element, o.baseMap, o.zoomText);
        state = { map, layer: L.layerGroup().addTo(map) };
        maps.set(element, state);
    }
    const { map, layer } = state;
    layer.clearLayers();
    map.setView([o.lat, o.lon], 16);
    let focus = null;
    try {
        const response = await fetch(`/api/v1/units/${encodeURIComponent(o.communityCode)}/children.geojson`, { credentials: 'same-origin' });
        if (response.ok) {
            const grids = await response.json();
            L.geoJSON(grids, {
                style: f => f.properties.code === o.gridCode
                    ? { color: '#c8102e', weight: 3, fillColor: '#c8102e', fillOpacity: 0.12 }
                    : { color: '#616e7c', weight: 1, fillColor: '#ffffff', fillOpacity: 0.5 },
                onEachFeature: (f, l) => {
                    l.bindTooltip(textNode(f.properties.name));
                    if (f.properties.code === o.gridCode) focus = l;
                },
            }).addTo(layer);
        }
    } catch (e) {
        console.warn('grid polygons not loaded', e);
    }
    L.circleMarker([o.lat, o.lon], { radius: 8, color: '#fff', weight: 2, fillColor: '#1565c0', fillOpacity: 1 })
        .bindTooltip(textNode(o.label), { permanent: false }).addTo(layer);
    if (focus) map.fitBounds(focus.getBounds().pad(0.3));
    element.dataset.drawn = focus ? 'grid' : 'point';
}
