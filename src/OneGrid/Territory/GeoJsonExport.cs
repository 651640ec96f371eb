using System.Text.Json;
using OneGrid.Territory.Generation;

namespace OneGrid.Territory;

internal static class GeoJsonExport
{
    /// <summary>Streams generated units as a FeatureCollection with code, name, level and parent_code, the import format.</summary>
    public static async Task WriteAsync(Stream stream, IEnumerable<GeneratedUnit> units, CancellationToken ct)
    {
        await using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
        foreach (var u in units)
        {
            if (u.Boundary is null) continue;
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WritePropertyName("properties");
            writer.WriteStartObject();
            writer.WriteString("code", u.Code);
            writer.WriteString("name", u.Name);
            writer.WriteString("level", u.Level.ToWire());
            if (u.ParentCode is null) writer.WriteNull("parent_code"); else writer.WriteString("parent_code", u.ParentCode);
            writer.WriteEndObject();
            writer.WritePropertyName("geometry");
            JsonSerializer.Serialize(writer, u.Boundary, GeoJson.Options);
            writer.WriteEndObject();
            if (writer.BytesPending > 1 << 16) await writer.FlushAsync(ct);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }
}
