// OneGrid's browser glue: Leaflet maps and ECharts charts driven from Blazor through JS interop.
// Kept small on purpose; the pages own what is drawn, this file owns how.
window.onegrid = window.onegrid || {};

// A button marked data-print prints the page. Delegated from here because the pages' CSP (script-src 'self') blocks
// inline handlers such as onclick="window.print()".
document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('[data-print]')) window.print();
});
