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
    public TimeSpan DeadlineScanPeriod { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A case rule was broken: carries the problem details the endpoint answers with.</summary>
public sealed class CaseProblemException(int status, string type, string titleZh, string titleEn, string? detail = null,
    IDictionary<string, object?>? extensions = null) : Exception(titleEn)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string TitleZh { get; } = titleZh;
    public string TitleEn { get; } = titleEn;
    public string? Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>Refuses text carrying a control character (see <see cref="Kernel.InputText"/>), naming the field.</summary>
    public static void RefuseControls(string field, string? text)
    {
        if (Kernel.InputText.Fault(field, text) is { } f) throw Invalid(field, f.Zh, f.En);
    }

    public static CaseProblemException Invalid(string field, string zh, string en) =>
        new(400, "invalid-request", "请求参数无效", "The request is invalid", Kernel.Text.Pick(zh, en),
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [Kernel.Text.Pick(zh, en)] } });
}
