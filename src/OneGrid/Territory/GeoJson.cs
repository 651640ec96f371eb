using System.Text.Json;
using NetTopologySuite.Features;
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
}
