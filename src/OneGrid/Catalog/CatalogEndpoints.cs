using Microsoft.AspNetCore.Http.HttpResults;
using OneGrid.Kernel;
using OneGrid.Territory;

namespace OneGrid.Catalog;

public static class CatalogEndpoints
{
    /// <summary>
    /// Maps the catalog's read endpoints and, in a separate group, its administration endpoints; returns
    /// that administration group so the host can protect it, e.g. <c>.RequireAuthorization(...)</c>.
    /// </summary>
    public static RouteGroupBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Catalog");
        api.MapGet("/catalog/platforms", GetPlatforms).WithName("GetPlatforms")
            .WithSummary("The platforms (四平台) in display order, each with its number of categories.");
        api.MapGet("/catalog/categories", GetCategories).WithName("GetCategories")
            .WithSummary("The two-level category catalog: classes with their types. Filter by platform; retired types only on request.");
        api.MapGet("/catalog/categories/{code}", GetCategory).WithName("GetCategory").WithSummary("One category type.");
        api.MapGet("/catalog/department-kinds", GetDepartmentKinds).WithName("GetDepartmentKinds")
            .WithSummary("The kinds of handling department a category can name.");
        api.MapGet("/departments", GetDepartments).WithName("GetDepartments")
            .WithSummary("Departments, paged; with unit, those serving that unit (registered on it, above it or in its subtree).");
        api.MapGet("/departments/{code}", GetDepartment).WithName("GetDepartment").WithSummary("One department.");
        api.MapGet("/routing/rules", GetRules).WithName("GetRoutingRules")
            .WithSummary("Territory-scoped routing rules; with unit, those whose scope contains it or lies inside it.");
        api.MapGet("/routing/rules/{id:int}", GetRule).WithName("GetRoutingRule").WithSummary("One routing rule.");
        api.MapGet("/routing/preview", Preview).WithName("PreviewRoute")
            .WithSummary("The route a report at this point would get: category (given or suggested), platform, department, limit, and why.");

        var admin = app.MapGroup("/api/v1").WithTags("Catalog administration");
        admin.MapCatalogAdminEndpoints();
        return admin;
    }

    internal static async Task<Ok<ItemsResponse<PlatformResponse>>> GetPlatforms(CatalogCache cache, CancellationToken ct)
    {
        var catalog = await cache.GetAsync(ct);
        var counts = catalog.Types.Where(t => t.Active).CountBy(t => t.PlatformCode).ToDictionary();
        return TypedResults.Ok(new ItemsResponse<PlatformResponse>(catalog.Platforms
            .Select(p => new PlatformResponse(p.Code, p.Name, p.NameEn, p.SortOrder, counts.GetValueOrDefault(p.Code)))
            .ToList()));
    }

    internal static async Task<Ok<CategoryCatalogResponse>> GetCategories(string? platform, bool? includeInactive,
        CatalogCache cache, CancellationToken ct)
    {
        var catalog = await cache.GetAsync(ct);
        var types = catalog.Types
            .Where(t => includeInactive == true || t.Active)
            .Where(t => string.IsNullOrEmpty(platform) || t.PlatformCode == platform)
            .ToLookup(t => t.ClassCode);
        var classes = catalog.Classes
            .Select(c => new CategoryClassResponse(c.Code, c.Name, c.NameEn,
                types[c.Code].Select(t => CategoryTypeResponse.From(t, catalog)).ToList()))
            .Where(c => string.IsNullOrEmpty(platform) || c.Types.Count > 0)
            .ToList();
        return TypedResults.Ok(new CategoryCatalogResponse(classes));
    }

    internal static async Task<Results<Ok<CategoryTypeResponse>, ProblemHttpResult>> GetCategory(string code, CatalogCache cache,
        CancellationToken ct)
    {
        var catalog = await cache.GetAsync(ct);
        return catalog.FindType(code) is { } type
            ? TypedResults.Ok(CategoryTypeResponse.From(type, catalog))
            : CategoryNotFound(code);
    }

    internal static async Task<Ok<ItemsResponse<DepartmentKindResponse>>> GetDepartmentKinds(CatalogCache cache, CancellationToken ct) =>
        TypedResults.Ok(new ItemsResponse<DepartmentKindResponse>((await cache.GetAsync(ct)).Kinds.Select(DepartmentKindResponse.From).ToList()));

    internal static async Task<Results<Ok<Page<DepartmentResponse>>, ProblemHttpResult>> GetDepartments(string? unit, string? kind,
        int? page, int? pageSize, CatalogCache cache, TerritoryIndexHolder territory, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return BadPaging(bad);
        if (!string.IsNullOrEmpty(unit) && territory.Current.Find(unit) is null) return TerritoryEndpoints.UnitNotFound(unit);

        var matching = (await cache.GetAsync(ct)).Departments
            .Where(d => string.IsNullOrEmpty(unit) || Related(d.UnitCode, unit))
            .Where(d => string.IsNullOrEmpty(kind) || d.Kind == kind)
            .ToList();
        return TypedResults.Ok(new Page<DepartmentResponse>(
            matching.Skip((p - 1) * size).Take(size).Select(DepartmentResponse.From).ToList(), p, size, matching.Count));
    }

    internal static async Task<Results<Ok<DepartmentResponse>, ProblemHttpResult>> GetDepartment(string code, CatalogCache cache,
        CancellationToken ct) =>
        (await cache.GetAsync(ct)).FindDepartment(code) is { } department
            ? TypedResults.Ok(DepartmentResponse.From(department))
            : DepartmentNotFound(code);

    internal static async Task<Ok<ItemsResponse<RoutingRuleResponse>>> GetRules(string? unit, CatalogCache cache, CancellationToken ct) =>
        TypedResults.Ok(new ItemsResponse<RoutingRuleResponse>((await cache.GetAsync(ct)).Rules
            .Where(r => string.IsNullOrEmpty(unit) || Related(r.UnitCode, unit))
            .Select(RoutingRuleResponse.From)
            .ToList()));

    internal static async Task<Results<Ok<RoutingRuleResponse>, ProblemHttpResult>> GetRule(int id, CatalogCache cache, CancellationToken ct) =>
        (await cache.GetAsync(ct)).Rules.FirstOrDefault(r => r.Id == id) is { } rule
            ? TypedResults.Ok(RoutingRuleResponse.From(rule))
            : RuleNotFound(id);

    internal static async Task<Results<Ok<RouteProposalResponse>, ProblemHttpResult>> Preview(string? lon, string? lat, string? category,
        string? description, TerritoryIndexHolder territory, ICaseRouter router, CancellationToken ct)
    {
        if (TerritoryEndpoints.ParseCoordinate("lon", lon, 180, out var x) is { } badLon) return badLon;
        if (TerritoryEndpoints.ParseCoordinate("lat", lat, 90, out var y) is { } badLat) return badLat;
        var place = territory.Current.Resolve(x, y);
        if (place is null) return TerritoryEndpoints.OutsideTerritory(x, y);

        var proposal = await router.ProposeAsync(category, description ?? "", place, ct);
        if (proposal is null)
        {
            return Problems.InvalidField("category", $"类别编码 {category} 不存在或已停用", $"There is no active category with code {category}");
        }
        return TypedResults.Ok(RouteProposalResponse.From(proposal));
    }

    /// <summary>Whether a department or rule registered on one unit concerns another: one contains the other.</summary>
    private static bool Related(string registeredOn, string unit) =>
        unit.StartsWith(registeredOn, StringComparison.Ordinal) || registeredOn.StartsWith(unit, StringComparison.Ordinal);

    private static ProblemHttpResult BadPaging(string field) =>
        Problems.InvalidField(field, $"分页参数 {field} 无效（page ≥ 1，1 ≤ pageSize ≤ {Paging.MaxPageSize}）",
            $"Invalid '{field}' (page ≥ 1, 1 ≤ pageSize ≤ {Paging.MaxPageSize})");

    public static ProblemHttpResult CategoryNotFound(string code) =>
        Problems.NotFound("category-not-found", "未找到该类别", "No such category",
            Text.Pick($"编码为 {code} 的事件类别不存在。", $"There is no category with code {code}."));

    public static ProblemHttpResult PlatformNotFound(string code) =>
        Problems.NotFound("platform-not-found", "未找到该平台", "No such platform",
            Text.Pick($"编码为 {code} 的平台不存在。", $"There is no platform with code {code}."));

    public static ProblemHttpResult DepartmentNotFound(string code) =>
        Problems.NotFound("department-not-found", "未找到该部门", "No such department",
            Text.Pick($"编码为 {code} 的部门不存在。", $"There is no department with code {code}."));

    public static ProblemHttpResult RuleNotFound(int id) =>
        Problems.NotFound("routing-rule-not-found", "未找到该路由规则", "No such routing rule",
            Text.Pick($"编号为 {id} 的路由规则不存在。", $"There is no routing rule with id {id}."));
}
