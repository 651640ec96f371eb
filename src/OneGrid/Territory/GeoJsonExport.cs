using OneGrid.Territory.Generation;

namespace OneGrid.Territory;

internal static class GeoJsonExport
{
    /// <summary>Generated units as a FeatureCollection with code, name, level and parent_code: the polygon import's format.</summary>
    public static Task WriteAsync(Stream stream, IEnumerable<GeneratedUnit> units, CancellationToken ct) =>
        GeoJson.WriteAsync(stream, units
            .Where(u => u.Boundary is not null)
            .Select(u => (u.Boundary!, (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["code"] = u.Code,
                ["name"] = u.Name,
                ["level"] = u.Level.ToWire(),
                ["parent_code"] = u.ParentCode,
            }))
            .ToAsyncEnumerable(), ct);
}
