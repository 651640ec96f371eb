namespace OneGrid.Cases;

/// <summary>Phase limits and intake rules; appsettings section "Cases". Defaults follow issue 3.</summary>
public sealed class CaseOptions
{
    public double RegisterHours { get; set; } = 1;
    public double DispatchHours { get; set; } = 1;
    public double SignForHours { get; set; } = 1;
    public double VerifyHours { get; set; } = 4;
    /// <summary>Handling limit for a case without a category (the category's own limit applies otherwise).</summary>
    public double DefaultHandleHours { get; set; } = 16;
    public double WarnFraction { get; set; } = 0.8;
    /// <summary>Phases whose overdue cases escalate one level up automatically (the owner did not act in time).</summary>
    public List<Phase> AutoEscalatePhases { get; set; } = [Phase.Register, Phase.Dispatch];
    public double DuplicateRadiusMeters { get; set; } = 50;
    public double DuplicateWindowHours { get; set; } = 7 * 24;
    public int DescriptionMaxLength { get; set; } = 2000;
    public int MaxPhotos { get; set; } = 9;
}
