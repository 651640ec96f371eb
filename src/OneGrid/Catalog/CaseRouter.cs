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
    /// Names and the explanation are in the request's language; the explanation is also given in both.
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
            const string noneZh = "未能从描述判断类别，需人工分类", noneEn = "No category could be suggested from the description; classify it by hand";
            return new RouteProposal(null, null, false, null, null, null, null,
                community?.Code ?? "", street?.Code ?? "", district?.Code ?? "", null, TimeLimitKind.WorkingHours,
                Text.Pick(noneZh, noneEn), noneZh, noneEn);
        }

        var platform = catalog.FindPlatform(type.PlatformCode);
        var rule = catalog.MatchRule(type, grid.Code);
        var kind = catalog.FindKind(type.DepartmentKind);
        Department? serving = null;
        UnitRef? byCommunity = null;
        if (rule is null && kind is { HandledByCommunity: true } && community is not null) byCommunity = community;
        else if (rule is null && district is not null) serving = catalog.DepartmentServing(type.DepartmentKind, district.Code);
        var ruleDepartment = rule is null ? null : catalog.FindDepartment(rule.DepartmentCode)!;

        string? departmentCode = ruleDepartment?.Code ?? byCommunity?.Code ?? serving?.Code;
        string? departmentName = ruleDepartment is not null ? Name(ruleDepartment.Name, ruleDepartment.NameEn)
            : byCommunity is not null ? byCommunity.Name
            : serving is not null ? Name(serving.Name, serving.NameEn) : null;

        // The explanation in both languages, so a case reported in one reads right in the other.
        string Explain(bool en)
        {
            string P(string zh, string english) => en ? english : zh;
            string N(string zh, string? english) => en && !string.IsNullOrWhiteSpace(english) ? english : zh;
            var category = $"{type.Code} {N(type.Name, type.NameEn)}";
            if (suggestion is not null)
            {
                var words = string.Join(P("、", ", "), suggestion.MatchedKeywords.Take(3).Select(k => P($"“{k}”", $"\"{k}\"")));
                category += P($"（据描述关键词{words}建议）", $" (suggested from the keyword{(suggestion.MatchedKeywords.Count > 1 ? "s" : "")} {words})");
            }
            string why;
            string department;
            if (ruleDepartment is not null && rule is not null)
            {
                department = N(ruleDepartment.Name, ruleDepartment.NameEn);
                var scope = place.Path.FirstOrDefault(u => u.Code == rule.UnitCode)?.Name ?? rule.UnitCode;
                why = P($"{scope}规则：{rule.Description}", $"rule of {scope}: {rule.Description}");
            }
            else if (byCommunity is not null)
            {
                department = byCommunity.Name;
                why = P($"类别默认由所在{N(kind!.Name, kind.NameEn)}办理", $"by default the {N(kind!.Name, kind.NameEn).ToLowerInvariant()} handles it");
            }
            else if (serving is not null)
            {
                department = N(serving.Name, serving.NameEn);
                why = P("类别默认部门", "default for category");
            }
            else
            {
                var kindName = kind is null ? type.DepartmentKind : N(kind.Name, kind.NameEn);
                var where = district?.Name ?? grid.Name;
                return P($"规则：{category} → 未找到服务{where}的{kindName}部门，需人工指定", $"Rule: {category} → no {kindName} department serves {where}; choose one by hand");
            }
            return P($"规则：{category} → {department}（{why}）", $"Rule: {category} → {department} ({why})");
        }

        var zh = Explain(en: false);
        var english = Explain(en: true);
        return new RouteProposal(
            type.Code, Name(type.Name, type.NameEn), suggestion is not null,
            type.PlatformCode, platform is null ? null : Name(platform.Name, platform.NameEn),
            departmentCode, departmentName,
            community?.Code ?? "", street?.Code ?? "", district?.Code ?? "",
            TimeSpan.FromHours(type.HandlingLimitHours), type.LimitKind, Text.Pick(zh, english), zh, english);
    }

    private static string Name(string zh, string? en) => Text.Pick(zh, string.IsNullOrWhiteSpace(en) ? zh : en);
}
