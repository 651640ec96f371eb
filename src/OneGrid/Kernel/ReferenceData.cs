using System.Reflection;

namespace OneGrid.Kernel;

/// <summary>Reference data shipped inside the binary (see ReferenceData/SOURCES.md for provenance).</summary>
public static class ReferenceData
{
    public const string Divisions = "OneGrid.Data.divisions.csv";
    public const string Districts2017 = "OneGrid.Data.districts-2017.geojson";
    public const string StatutoryDays = "OneGrid.Data.cn-statutory-days.csv";
    public const string DefaultCatalog = "OneGrid.Data.default-catalog.json";

    public static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Reference data '{name}' is missing from the build.");

    public static string ReadAllText(string name)
    {
        using var reader = new StreamReader(Open(name));
        return reader.ReadToEnd();
    }
}
