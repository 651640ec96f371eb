namespace OneGrid.Web;

/// <summary>Settings of the browser UI (section "Web").</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>OpenStreetMap's standard tiles: WGS-84 data like the territory, so the outlines line up.</summary>
    public const string OpenStreetMapTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

    /// <summary>
    /// The base-map tile URL template for Leaflet (<c>{z}</c>, <c>{x}</c>, <c>{y}</c>, and <c>{s}</c> for a subdomain).
    /// "none" or empty turns the base map off: the territory polygons on a plain background.
    /// </summary>
    public string? TileUrl { get; set; } = OpenStreetMapTiles;

    /// <summary>A second tile layer drawn over the base map, e.g. Tianditu's labels (cva_w) over its vector map (vec_w).</summary>
    public string? TileOverlayUrl { get; set; }

    /// <summary>The values <c>{s}</c> takes, one character each ("01234567" for Tianditu's t0–t7); Leaflet's "abc" when unset.</summary>
    public string? TileSubdomains { get; set; }

    /// <summary>The attribution the tile provider requires, shown as text in the map corner.</summary>
    public string? TileAttribution { get; set; } = "© OpenStreetMap contributors";

    /// <summary>Where the attribution links to (http or https only).</summary>
    public string? TileAttributionUrl { get; set; } = "https://www.openstreetmap.org/copyright";

    /// <summary>The deepest zoom the tile server has (19 for OpenStreetMap, 18 for Tianditu).</summary>
    public int TileMaxZoom { get; set; } = 19;

    /// <summary>The base layer's URL, or null when the map has none.</summary>
    public string? BaseTileUrl => Effective(TileUrl);

    /// <summary>The overlay's URL, or null; there is no overlay without a base layer.</summary>
    public string? OverlayTileUrl => BaseTileUrl is null ? null : Effective(TileOverlayUrl);

    /// <summary>The subdomains <c>{s}</c> stands for: the configured ones, else Leaflet's default.</summary>
    public string Subdomains => string.IsNullOrWhiteSpace(TileSubdomains) ? "abc" : TileSubdomains.Trim();

    /// <summary>The attribution link, only when it is a plain http(s) URL: a configured "javascript:" never becomes a link.</summary>
    public string? AttributionLink =>
        Uri.TryCreate(TileAttributionUrl?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    /// <summary>
    /// What the browser's map code needs to draw the base map, with its texts in the request's language; null for none.
    /// The attribution goes as text and a link the script builds as DOM, never as markup.
    /// </summary>
    public object? ClientBaseMap() => BaseTileUrl is null
        ? null
        : new
        {
            url = BaseTileUrl,
            overlayUrl = OverlayTileUrl,
            subdomains = Subdomains,
            maxZoom = Math.Clamp(TileMaxZoom, 1, 22),
            attribution = TileAttribution?.Trim() ?? "",
            attributionUrl = AttributionLink,
            offline = WebText.Get("TilesOffline"),
        };

    /// <summary>The zoom buttons' titles in the request's language (Leaflet's are English only).</summary>
    public static object ClientZoomText() => new { zoomIn = WebText.Get("ZoomIn"), zoomOut = WebText.Get("ZoomOut") };

    private static string? Effective(string? url) =>
        string.IsNullOrWhiteSpace(url) || url.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : url.Trim();
}
