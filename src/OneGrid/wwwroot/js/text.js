// Leaflet treats a string tooltip or popup as HTML (innerHTML). Names on the maps come from imports and
// people's edits, so they are handed to Leaflet as a node holding text: markup in a name shows as written.
export function textNode(text) {
  const span = document.createElement('span');
  span.textContent = text === undefined || text === null ? '' : String(text);
  return span;
}
