// The report page's map: the district and its streets on the base map (basemap.js; a plain background when off),
// a tap (or the browser's location) chooses the point, which the page resolves to its grid on the server.
import { textNode } from '/js/text.js';
import { createMap } from '/js/basemap.js';

let map, marker, streets, dotnet;

export function init(element, ref, geojson, baseMap, zoomText) {
  dotnet = ref;
  map = createMap(element, baseMap, zoomText);
  streets = L.geoJSON(JSON.parse(geojson), {
    style: f => f.properties.level === 'district'
      ? { color: '#c8102e', weight: 3, fill: false }
      : { color: '#1565c0', weight: 1.5, fillColor: '#1565c0', fillOpacity: 0.06 },
    onEachFeature: (f, layer) => {
      if (f.properties.level !== 'district') layer.bindTooltip(textNode(f.properties.name), { sticky: true, direction: 'top' });
    },
  }).addTo(map);
  const bounds = streets.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24] });
  else map.setView([30.2, 120.2], 12);
  map.on('click', e => dotnet.invokeMethodAsync('MapTapped', e.latlng.lng, e.latlng.lat));
  // For people with a keyboard and for tests: the map instance hangs on its element.
  element.onegridMap = map;
  element.dataset.ready = 'true';
}

export function place(lon, lat) {
  if (!map) return;
  const at = [lat, lon];
  if (marker) marker.setLatLng(at);
  else marker = L.circleMarker(at, { radius: 9, color: '#fff', weight: 3, fillColor: '#c8102e', fillOpacity: 1 }).addTo(map);
  if (!map.getBounds().contains(at)) map.panTo(at);
}

export function locate() {
  if (!('geolocation' in navigator)) {
    dotnet.invokeMethodAsync('LocationFailed', 0);
    return;
  }
  navigator.geolocation.getCurrentPosition(
    p => dotnet.invokeMethodAsync('LocationFound', p.coords.longitude, p.coords.latitude),
    e => dotnet.invokeMethodAsync('LocationFailed', e.code),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}

export function dispose() {
  if (map) map.remove();
  map = marker = streets = dotnet = undefined;
}
