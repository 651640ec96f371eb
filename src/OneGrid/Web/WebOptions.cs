namespace OneGrid.Web;

/// <summary>Settings of the browser UI (section "Web").</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>
    /// The base-map tile URL template for Leaflet, e.g. https://tile.example/{z}/{x}/{y}.png. Empty (the default):
    /// no base map — the maps draw the territory polygons on a plain background, which works with no internet.
    /// </summary>
    public string? TileUrl { get; set; }

    /// <summary>The attribution the tile provider requires, shown in the map corner.</summary>
    public string? TileAttribution { get; set; }
}
