// OneGrid's browser glue: Leaflet maps and ECharts charts driven from Blazor through JS interop.
// Kept small on purpose; the pages own what is drawn, this file owns how.
window.onegrid = window.onegrid || {};
