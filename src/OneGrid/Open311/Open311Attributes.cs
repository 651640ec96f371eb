namespace OneGrid.Open311;

public sealed record O311AttributeValue(string Key, string Name);

public sealed record O311Attribute(string Code, string Datatype, bool Required, string Description, int Order,
    IReadOnlyList<O311AttributeValue> Values);

/// <summary>
/// The extra fields some services ask for. A small fixed set kept in code rather than in the catalog:
/// gas leaks, fires and fire-safety hazards ask how serious the hazard is, which decides how a
/// dispatcher treats them before anyone is on site. Answers are appended to the case description
/// (<c>[hazard_level: high 重大]</c>), so every handler reads them where they read the report.
/// </summary>
public static class Open311Attributes
{
    public const string HazardLevel = "hazard_level";

    private static readonly O311Attribute Hazard = new(HazardLevel, "singlevaluelist", true,
        "危险程度 / How serious is the hazard?", 1,
        [new("low", "一般 / Low"), new("medium", "较大 / Medium"), new("high", "重大 / High — people at risk now")]);

    /// <summary>Gas leak (0403), fire (0407) and the safety-hazard class 13.</summary>
    public static IReadOnlyList<O311Attribute> For(string serviceCode) =>
        serviceCode is "0403" or "0407" || serviceCode.StartsWith("13", StringComparison.Ordinal) ? [Hazard] : [];
}
