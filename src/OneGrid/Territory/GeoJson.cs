using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace OneGrid.Territory;

/// <summary>GeoJSON in and out through NetTopologySuite's System.Text.Json converters.</summary>
public static class GeoJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { WriteIndented = false };
        options.Converters.Add(new GeoJsonConverterFactory(Generation.Tessellator.Factory));
        return options;
    }

    public static FeatureCollection Read(string json) =>
        JsonSerializer.Deserialize<FeatureCollection>(json, Options) ?? throw new JsonException("Not a GeoJSON FeatureCollection.");

    public static FeatureCollection Read(Stream stream) =>
        JsonSerializer.Deserialize<FeatureCollection>(stream, Options) ?? throw new JsonException("Not a GeoJSON FeatureCollection.");

    /// <summary>
    /// A FeatureCollection streamed feature by feature (a district's cases for the export, generated units for the
    /// import's format), so the features never sit in memory together.
    /// </summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<(Geometry Geometry, IReadOnlyDictionary<string, object?> Properties)> features,
        CancellationToken ct)
    {
        // JSON goes to a memory buffer (JsonSerializer flushes its writer synchronously, which a response
        // stream refuses) and the buffer to the response in 64 KB steps.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 17);
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
        await foreach (var (geometry, properties) in features.WithCancellation(ct))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WritePropertyName("geometry");
            JsonSerializer.Serialize(writer, geometry, Options);
            writer.WritePropertyName("properties");
            JsonSerializer.Serialize(writer, properties, Options);
            writer.WriteEndObject();
            writer.Flush();
            if (buffer.WrittenCount > 1 << 16)
            {
                await output.WriteAsync(buffer.WrittenMemory, ct);
                buffer.ResetWrittenCount();
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
    }
}
