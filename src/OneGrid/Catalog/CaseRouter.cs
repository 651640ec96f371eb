using OneGrid.Calendar;
using OneGrid.Kernel;
using OneGrid.Territory;

namespace OneGrid.Catalog;

/// <summary>Routing (条抓块统) over the cached catalog: see <see cref="CaseRouting.Propose"/>.</summary>
internal sealed class CaseRouter(CatalogCache cache, TerritoryIndexHolder territory) : ICaseRouter
{
    public async Task<RouteProposal?> ProposeAsync(string? categoryCode, string description, Resolution place, CancellationToken ct) =>
        CaseRouting.Propose(await cache.GetAsync(ct), categoryCode, description, place);

    /// <summary>A department of the catalog, or a community (for matters the community handles itself).</summary>
    public async Task<bool> DepartmentExistsAsync(string departmentCode, CancellationToken ct) =>
        (await cache.GetAsync(ct)).FindDepartment(departmentCode) is not null ||
        territory.Current.Find(departmentCode) is { Level: UnitLevel.Community };
}

public static class CaseRouting
{
    /// <summary>
    /// The category (given, else suggested from the description's keywords) gives the platform and the
    /// default department kind, resolved to the department of that kind serving the grid's district —
    /// or the grid's community itself for kinds the community handles — unless a routing rule scoped to
    /// a unit containing the grid overrides it. Null when the given category code is unknown or retired.
    /// Names and the explanation are in the request's language.
    /// </summary>
    public static RouteProposal? Propose(CatalogSnapshot catalog, string? categoryCode, string? description, Resolution place)
    {
        var district = place.Path.FirstOrDefault(u => u.Level == UnitLevel.District);
        var street = place.Path.FirstOrDefault(u => u.Level == UnitLevel.Street);
        var community = place.Path.FirstOrDefault(u => u.Level == UnitLevel.Community);
        var grid = place.Grid;

        CategoryType? type;
        CategorySuggestion? suggestion = null;
        if (!string.IsNullOrWhiteSpace(categoryCode))
        {
            type = catalog.FindType(categoryCode.Trim());
            if (type is null || !type.Active) return null;
        }
        else
        {
            suggestion = catalog.Suggest(description);
            type = suggestion?.Type;
        }

        if (type is null)
        {
            return new RouteProposal(null, null, false, null, null, null, null,
                community?.Code ?? "", street?.Code ?? "", district?.Code ?? "", null, TimeLimitKind.WorkingHours,
                Text.Pick("未能从描述判断类别，需人工分类", "No category could be suggested from the description; classify it by hand"));
        }

        var platform = catalog.FindPlatform(type.PlatformCode);
        var category = $"{type.Code} {Name(type.Name, type.NameEn)}";
        if (suggestion is not null)
        {
            var words = string.Join(Text.Pick("、", ", "), suggestion.MatchedKeywords.Take(3).Select(k => Text.Pick($"“{k}”", $"\"{k}\"")));
            category += Text.Pick($"（据描述关键词{words}建议）", $" (suggested from the keyword{(suggestion.MatchedKeywords.Count > 1 ? "s" : "")} {words})");
        }

        string? departmentCode;
        string? departmentName;
        string why;
        var rule = catalog.MatchRule(type, grid.Code);
        var kind = catalog.FindKind(type.DepartmentKind);
        if (rule is not null)
        {
            var department = catalog.FindDepartment(rule.DepartmentCode)!;
            departmentCode = department.Code;
            departmentName = Name(department.Name, department.NameEn);
            var scope = place.Path.FirstOrDefault(u => u.Code == rule.UnitCode)?.Name ?? rule.UnitCode;
            why = Text.Pick($"{scope}规则：{rule.Description}", $"rule of {scope}: {rule.Description}");
        }
        else if (kind is { HandledByCommunity: true } && community is not null)
        {
            departmentCode = community.Code;
            departmentName = community.Name;
            why = Text.Pick($"类别默认由所在{Name(kind.Name, kind.NameEn)}办理", $"by default the {Name(kind.Name, kind.NameEn).ToLowerInvariant()} handles it");
        }
        else if (district is not null && catalog.DepartmentServing(type.DepartmentKind, district.Code) is { } department)
        {
            departmentCode = department.Code;
            departmentName = Name(department.Name, department.NameEn);
            why = Text.Pick("类别默认部门", "default for category");
        }
        else
        {
            departmentCode = null;
            departmentName = null;
            var kindName = kind is null ? type.DepartmentKind : Name(kind.Name, kind.NameEn);
            var where = district?.Name ?? grid.Name;
            return Proposal(Text.Pick($"规则：{category} → 未找到服务{where}的{kindName}部门，需人工指定",
                $"Rule: {category} → no {kindName} department serves {where}; choose one by hand"));
        }

        return Proposal(Text.Pick($"规则：{category} → {departmentName}（{why}）", $"Rule: {category} → {departmentName} ({why})"));

        RouteProposal Proposal(string explanation) => new(
            type.Code, Name(type.Name, type.NameEn), suggestion is not null,
            type.PlatformCode, platform is null ? null : Name(platform.Name, platform.NameEn),
            departmentCode, departmentName,
            community?.Code ?? "", street?.Code ?? "", district?.Code ?? "",
            TimeSpan.FromHours(type.HandlingLimitHours), type.LimitKind, explanation);
    }

    private static string Name(string zh, string? en) => Text.Pick(zh, string.IsNullOrWhiteSpace(en) ? zh : en);
}
