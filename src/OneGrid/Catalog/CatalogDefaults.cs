using System.Text.Json;
using OneGrid.Calendar;
using OneGrid.Kernel;

namespace OneGrid.Catalog;

/// <summary>
/// The default catalog shipped as data (ReferenceData/catalog/default-catalog.json): the four platforms,
/// the department kinds, and the two-level category catalog.
/// </summary>
public sealed record DefaultCatalog(
    IReadOnlyList<DefaultCatalog.PlatformData> Platforms,
    IReadOnlyList<DefaultCatalog.KindData> DepartmentKinds,
    IReadOnlyList<DefaultCatalog.ClassData> Classes)
{
    public sealed record PlatformData(string Code, string Name, string? NameEn, int SortOrder);

    /// <summary>A department kind; <c>Department</c>/<c>DepartmentEn</c> name a district's department of this kind (demo data).</summary>
    public sealed record KindData(string Code, string Name, string? NameEn, bool HandledByCommunity,
        string? Department, string? DepartmentEn, string? Platform);

    public sealed record ClassData(string Code, string Name, string? NameEn, IReadOnlyList<TypeData> Types);

    public sealed record TypeData(string Code, string Name, string? NameEn, string Platform, string Department,
        double LimitHours, string LimitKind, IReadOnlyList<string> Keywords);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    public static DefaultCatalog Load() => Parse(ReferenceData.ReadAllText(ReferenceData.DefaultCatalog));

    public static DefaultCatalog Parse(string json) =>
        JsonSerializer.Deserialize<DefaultCatalog>(json, Json) ?? throw new InvalidOperationException("The default catalog is empty.");

    public IEnumerable<Platform> ToPlatforms(DateTimeOffset now) =>
        Platforms.Select(p => new Platform { Code = p.Code, Name = p.Name, NameEn = p.NameEn, SortOrder = p.SortOrder, UpdatedAt = now });

    public IEnumerable<DepartmentKind> ToDepartmentKinds(DateTimeOffset now) =>
        DepartmentKinds.Select((k, i) => new DepartmentKind
        {
            Code = k.Code, Name = k.Name, NameEn = k.NameEn, HandledByCommunity = k.HandledByCommunity, SortOrder = i + 1, UpdatedAt = now,
        });

    public IEnumerable<CategoryClass> ToClasses(DateTimeOffset now) =>
        Classes.Select(c => new CategoryClass { Code = c.Code, Name = c.Name, NameEn = c.NameEn, UpdatedAt = now });

    public IEnumerable<CategoryType> ToTypes(DateTimeOffset now) =>
        Classes.SelectMany(c => c.Types.Select(t => new CategoryType
        {
            Code = t.Code,
            Name = t.Name,
            NameEn = t.NameEn,
            ClassCode = c.Code,
            PlatformCode = t.Platform,
            DepartmentKind = t.Department,
            HandlingLimitHours = t.LimitHours,
            LimitKind = LimitKinds.TryParse(t.LimitKind, out var kind)
                ? kind
                : throw new InvalidOperationException($"Category {t.Code}: limit kind '{t.LimitKind}' is neither working nor natural."),
            Keywords = t.Keywords.ToList(),
            Active = true,
            UpdatedAt = now,
        }));
}

/// <summary>The wire names of <see cref="TimeLimitKind"/>: "working" and "natural".</summary>
public static class LimitKinds
{
    public static string ToWire(this TimeLimitKind kind) => kind == TimeLimitKind.NaturalHours ? "natural" : "working";

    public static bool TryParse(string? text, out TimeLimitKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "working": kind = TimeLimitKind.WorkingHours; return true;
            case "natural": kind = TimeLimitKind.NaturalHours; return true;
            default: kind = default; return false;
        }
    }
}
