namespace OneGrid.Catalog;

// Names follow the territory API: `name` is the Chinese name, `nameEn` the English one.

public sealed record ItemsResponse<T>(IReadOnlyList<T> Items);

public sealed record PlatformResponse(string Code, string Name, string? NameEn, int SortOrder, int CategoryCount);

public sealed record CategoryCatalogResponse(IReadOnlyList<CategoryClassResponse> Classes);

public sealed record CategoryClassResponse(string Code, string Name, string? NameEn, IReadOnlyList<CategoryTypeResponse> Types);

public sealed record CategoryTypeResponse(
    string Code, string Name, string? NameEn, string ClassCode, string? ClassName,
    string PlatformCode, string? PlatformName, string DepartmentKind, string? DepartmentKindName,
    double HandlingLimitHours, string LimitKind, IReadOnlyList<string> Keywords, bool Active)
{
    public static CategoryTypeResponse From(CategoryType t, CatalogSnapshot catalog) => new(
        t.Code, t.Name, t.NameEn, t.ClassCode, catalog.FindClass(t.ClassCode)?.Name,
        t.PlatformCode, catalog.FindPlatform(t.PlatformCode)?.Name, t.DepartmentKind, catalog.FindKind(t.DepartmentKind)?.Name,
        t.HandlingLimitHours, t.LimitKind.ToWire(), t.Keywords, t.Active);
}

public sealed record DepartmentKindResponse(string Code, string Name, string? NameEn, bool HandledByCommunity, int SortOrder)
{
    public static DepartmentKindResponse From(DepartmentKind k) => new(k.Code, k.Name, k.NameEn, k.HandledByCommunity, k.SortOrder);
}

public sealed record DepartmentResponse(string Code, string Name, string? NameEn, string Kind, string UnitCode, string? PlatformCode)
{
    public static DepartmentResponse From(Department d) => new(d.Code, d.Name, d.NameEn, d.Kind, d.UnitCode, d.PlatformCode);
}

public sealed record RoutingRuleResponse(int Id, string? CategoryPrefix, string? PlatformCode, string UnitCode,
    string DepartmentCode, int Priority, string Description)
{
    public static RoutingRuleResponse From(RoutingRule r) =>
        new(r.Id, r.CategoryPrefix, r.PlatformCode, r.UnitCode, r.DepartmentCode, r.Priority, r.Description);
}

/// <summary>A <see cref="RouteProposal"/> on the wire: the limit in hours, its kind as "working" or "natural".</summary>
public sealed record RouteProposalResponse(
    string? CategoryCode, string? CategoryName, bool CategorySuggested,
    string? PlatformCode, string? PlatformName, string? DepartmentCode, string? DepartmentName,
    string CommunityCode, string StreetCode, string DistrictCode,
    double? HandlingLimitHours, string? LimitKind, string Explanation)
{
    public static RouteProposalResponse From(RouteProposal p) => new(
        p.CategoryCode, p.CategoryName, p.CategorySuggested, p.PlatformCode, p.PlatformName, p.DepartmentCode, p.DepartmentName,
        p.CommunityCode, p.StreetCode, p.DistrictCode,
        p.HandlingLimit?.TotalHours, p.HandlingLimit is null ? null : p.LimitKind.ToWire(), p.Explanation);
}
