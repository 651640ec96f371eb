using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Catalog;

// Bodies of the administration endpoints. PUT creates or updates: on create the required fields must be
// there; on update an omitted (null) field keeps its value, and "" clears an optional one.
public sealed record PlatformWrite(string? Name, string? NameEn, int? SortOrder);
public sealed record CategoryClassWrite(string? Name, string? NameEn);
public sealed record CategoryTypeWrite(string? Name, string? NameEn, string? PlatformCode, string? DepartmentKind,
    double? HandlingLimitHours, string? LimitKind, IReadOnlyList<string>? Keywords, bool? Active);
public sealed record DepartmentKindWrite(string? Name, string? NameEn, bool? HandledByCommunity, int? SortOrder);
public sealed record DepartmentWrite(string? Name, string? NameEn, string? Kind, string? UnitCode, string? PlatformCode);

/// <summary>A routing rule as written: replaced whole by PUT.</summary>
public sealed record RoutingRuleWrite(string? CategoryPrefix, string? PlatformCode, string? UnitCode, string? DepartmentCode,
    int? Priority, string? Description);

public static partial class CatalogAdminEndpoints
{
    public const double MaxLimitHours = 24 * 366;

    /// <summary>
    /// The administrator's edits of catalog, departments and routing rules, on a group the caller has
    /// made (and may protect). Every write bumps the catalog revision, so every node's cache reloads.
    /// </summary>
    public static RouteGroupBuilder MapCatalogAdminEndpoints(this RouteGroupBuilder admin)
    {
        // Who may use which is decided in AdminScope: the catalog itself is city-wide; departments and rules are
        // scoped, checked per row below against the administrator's subtree.
        admin.MapPut("/catalog/platforms/{code}", PutPlatform).WithName("PutPlatform")
            .WithSummary("Create or rename a platform.").RequireAdmin(AdminCapability.Platforms);
        admin.MapDelete("/catalog/platforms/{code}", DeletePlatform).WithName("DeletePlatform")
            .WithSummary("Delete a platform; with mergeInto, first move its categories, departments and rules to that platform.")
            .RequireAdmin(AdminCapability.Platforms);
        admin.MapPut("/catalog/classes/{code}", PutClass).WithName("PutCategoryClass")
            .WithSummary("Create or rename a category class (two digits).").RequireAdmin(AdminCapability.CatalogTypes);
        admin.MapPut("/catalog/categories/{code}", PutCategory).WithName("PutCategory")
            .WithSummary("Create or update a category type: names, platform, default department kind, limit, keywords, active.")
            .RequireAdmin(AdminCapability.CatalogTypes);
        admin.MapPut("/catalog/department-kinds/{code}", PutDepartmentKind).WithName("PutDepartmentKind")
            .WithSummary("Create or update a department kind.").RequireAdmin(AdminCapability.DepartmentKinds);
        admin.MapPut("/departments/{code}", PutDepartment).WithName("PutDepartment")
            .WithSummary("Create or update a department and the unit it serves (a unit in the administrator's subtree).")
            .RequireAdmin(AdminCapability.Departments);
        admin.MapDelete("/departments/{code}", DeleteDepartment).WithName("DeleteDepartment")
            .WithSummary("Delete a department no routing rule sends cases to.").RequireAdmin(AdminCapability.Departments);
        admin.MapPost("/routing/rules", PostRule).WithName("CreateRoutingRule")
            .WithSummary("Add a territory-scoped routing rule (for a unit in the administrator's subtree).").RequireAdmin(AdminCapability.RoutingRules);
        admin.MapPut("/routing/rules/{id:int}", PutRule).WithName("PutRoutingRule").WithSummary("Replace a routing rule.")
            .RequireAdmin(AdminCapability.RoutingRules);
        admin.MapDelete("/routing/rules/{id:int}", DeleteRule).WithName("DeleteRoutingRule").WithSummary("Delete a routing rule.")
            .RequireAdmin(AdminCapability.RoutingRules);
        return admin;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex PlatformCodePattern();

    [GeneratedRegex("^[0-9]{2}$")]
    private static partial Regex ClassCodePattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,15}$")]
    private static partial Regex KindCodePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex DepartmentCodePattern();

    internal static async Task<Results<Created<PlatformResponse>, Ok<PlatformResponse>, ProblemHttpResult>> PutPlatform(
        string code, PlatformWrite body, OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!PlatformCodePattern().IsMatch(code)) errors.Add("code", "平台编码须为小写字母开头的字母、数字、-、_（最多 32 位）",
            "A platform code is a lower-case letter followed by letters, digits, - or _ (at most 32)");
        var platform = errors.Any ? null : await db.Set<Platform>().FindAsync([code], ct);
        errors.Name(body.Name, required: platform is null);
        errors.NameEn(body.NameEn);
        if (errors.Any) return errors.ToProblem();

        var created = platform is null;
        platform ??= db.Add(new Platform { Code = code, Name = body.Name!.Trim() }).Entity;
        if (body.Name is not null) platform.Name = body.Name.Trim();
        if (body.NameEn is not null) platform.NameEn = EmptyToNull(body.NameEn);
        if (body.SortOrder is { } order) platform.SortOrder = order;
        else if (created) platform.SortOrder = await db.Set<Platform>().Select(p => (int?)p.SortOrder).MaxAsync(ct) + 1 ?? 1;
        platform.UpdatedAt = time.GetUtcNow();

        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        var catalog = await cache.GetAsync(ct);
        var response = new PlatformResponse(platform.Code, platform.Name, platform.NameEn, platform.SortOrder,
            catalog.Types.Count(t => t.Active && t.PlatformCode == code));
        return created ? TypedResults.Created($"/api/v1/catalog/platforms/{code}", response) : TypedResults.Ok(response);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeletePlatform(string code, string? mergeInto,
        OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var platform = await db.Set<Platform>().FindAsync([code], ct);
        if (platform is null) return CatalogEndpoints.PlatformNotFound(code);

        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        if (!string.IsNullOrEmpty(mergeInto))
        {
            if (mergeInto == code || !await db.Set<Platform>().AnyAsync(p => p.Code == mergeInto, ct))
            {
                return Problems.InvalidField("mergeInto", $"要并入的平台 {mergeInto} 不存在或就是本平台",
                    $"The platform to merge into, {mergeInto}, does not exist or is this one");
            }
            var now = time.GetUtcNow();
            await db.Set<CategoryType>().Where(t => t.PlatformCode == code)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.PlatformCode, mergeInto).SetProperty(t => t.UpdatedAt, now), ct);
            await db.Set<Department>().Where(d => d.PlatformCode == code)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.PlatformCode, mergeInto).SetProperty(d => d.UpdatedAt, now), ct);
            await db.Set<RoutingRule>().Where(r => r.PlatformCode == code)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.PlatformCode, mergeInto).SetProperty(r => r.UpdatedAt, now), ct);
        }
        else
        {
            var categories = await db.Set<CategoryType>().CountAsync(t => t.PlatformCode == code, ct);
            var departments = await db.Set<Department>().CountAsync(d => d.PlatformCode == code, ct);
            var rules = await db.Set<RoutingRule>().CountAsync(r => r.PlatformCode == code, ct);
            if (categories + departments + rules > 0)
            {
                return Problems.Create(StatusCodes.Status409Conflict, "platform-in-use", "平台仍在使用中", "The platform is in use",
                    Text.Pick($"平台 {code} 仍有 {categories} 个类别、{departments} 个部门、{rules} 条路由规则；请先改挂，或用 mergeInto 并入另一平台。",
                        $"Platform {code} still has {categories} categories, {departments} departments and {rules} routing rules; re-map them first, or merge with mergeInto."),
                    new Dictionary<string, object?> { ["categories"] = categories, ["departments"] = departments, ["rules"] = rules });
            }
        }
        db.Remove(platform);
        await db.SaveChangesAsync(ct);
        await CatalogRevision.BumpAsync(db, time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        await cache.ReloadAsync(db, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Created<CategoryClassResponse>, Ok<CategoryClassResponse>, ProblemHttpResult>> PutClass(
        string code, CategoryClassWrite body, OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!ClassCodePattern().IsMatch(code)) errors.Add("code", "大类编码须为两位数字", "A class code is two digits");
        var @class = errors.Any ? null : await db.Set<CategoryClass>().FindAsync([code], ct);
        errors.Name(body.Name, required: @class is null);
        errors.NameEn(body.NameEn);
        if (errors.Any) return errors.ToProblem();

        var created = @class is null;
        @class ??= db.Add(new CategoryClass { Code = code, Name = body.Name!.Trim() }).Entity;
        if (body.Name is not null) @class.Name = body.Name.Trim();
        if (body.NameEn is not null) @class.NameEn = EmptyToNull(body.NameEn);
        @class.UpdatedAt = time.GetUtcNow();

        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        var catalog = await cache.GetAsync(ct);
        var response = new CategoryClassResponse(@class.Code, @class.Name, @class.NameEn,
            catalog.Types.Where(t => t.ClassCode == code).Select(t => CategoryTypeResponse.From(t, catalog)).ToList());
        return created ? TypedResults.Created($"/api/v1/catalog/categories?class={code}", response) : TypedResults.Ok(response);
    }

    internal static async Task<Results<Created<CategoryTypeResponse>, Ok<CategoryTypeResponse>, ProblemHttpResult>> PutCategory(
        string code, CategoryTypeWrite body, OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        CategoryType? type = null;
        if (!CategoryType.IsValidCode(code))
        {
            errors.Add("code", "类别编码须为 4–8 位数字，前两位为大类编码", "A category code is 4–8 digits, the first two being its class");
        }
        else
        {
            type = await db.Set<CategoryType>().FindAsync([code], ct);
            var classCode = CategoryType.ClassOf(code);
            if (type is null && !await db.Set<CategoryClass>().AnyAsync(c => c.Code == classCode, ct))
            {
                errors.Add("code", $"大类 {classCode} 不存在，请先创建", $"Class {classCode} does not exist; create it first");
            }
        }
        var isNew = type is null;
        errors.Name(body.Name, required: isNew);
        errors.NameEn(body.NameEn);
        if (body.PlatformCode is null)
        {
            if (isNew) errors.Missing("platformCode");
        }
        else if (!await db.Set<Platform>().AnyAsync(p => p.Code == body.PlatformCode, ct))
        {
            errors.Add("platformCode", $"平台 {body.PlatformCode} 不存在", $"Platform '{body.PlatformCode}' does not exist");
        }
        if (body.DepartmentKind is null)
        {
            if (isNew) errors.Missing("departmentKind");
        }
        else if (!await db.Set<DepartmentKind>().AnyAsync(k => k.Code == body.DepartmentKind, ct))
        {
            errors.Add("departmentKind", $"部门类型 {body.DepartmentKind} 不存在", $"Department kind '{body.DepartmentKind}' does not exist");
        }
        if (body.HandlingLimitHours is { } hours ? !(hours > 0 && hours <= MaxLimitHours) : isNew)
        {
            errors.Add("handlingLimitHours", $"处置时限须为大于 0、不超过 {MaxLimitHours} 的小时数",
                $"The handling limit is a number of hours above 0 and at most {MaxLimitHours}");
        }
        Calendar.TimeLimitKind limitKind = default;
        if (body.LimitKind is null ? isNew : !LimitKinds.TryParse(body.LimitKind, out limitKind))
        {
            errors.Add("limitKind", "时限类型须为 working（工作时）或 natural（自然时）", "The limit kind is 'working' or 'natural'");
        }
        var keywords = body.Keywords?.Select(k => k?.Trim() ?? "").ToList();
        if (keywords is not null && (keywords.Count > 100 || keywords.Any(k => k.Length is 0 or > 50)))
        {
            errors.Add("keywords", "关键词最多 100 个，每个 1–50 字", "At most 100 keywords, each 1–50 characters");
        }
        if (errors.Any) return errors.ToProblem();

        type ??= db.Add(new CategoryType
        {
            Code = code, Name = body.Name!.Trim(), ClassCode = CategoryType.ClassOf(code),
            PlatformCode = body.PlatformCode!, DepartmentKind = body.DepartmentKind!,
        }).Entity;
        if (body.Name is not null) type.Name = body.Name.Trim();
        if (body.NameEn is not null) type.NameEn = EmptyToNull(body.NameEn);
        if (body.PlatformCode is not null) type.PlatformCode = body.PlatformCode;
        if (body.DepartmentKind is not null) type.DepartmentKind = body.DepartmentKind;
        if (body.HandlingLimitHours is { } limit) type.HandlingLimitHours = limit;
        if (body.LimitKind is not null) type.LimitKind = limitKind;
        if (keywords is not null) type.Keywords = keywords.Distinct().ToList();
        if (body.Active is { } active) type.Active = active;
        type.UpdatedAt = time.GetUtcNow();

        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        var response = CategoryTypeResponse.From(type, await cache.GetAsync(ct));
        return isNew ? TypedResults.Created($"/api/v1/catalog/categories/{code}", response) : TypedResults.Ok(response);
    }

    internal static async Task<Results<Created<DepartmentKindResponse>, Ok<DepartmentKindResponse>, ProblemHttpResult>> PutDepartmentKind(
        string code, DepartmentKindWrite body, OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!KindCodePattern().IsMatch(code)) errors.Add("code", "部门类型编码须为小写字母开头的字母数字（最多 16 位）",
            "A department kind code is a lower-case letter followed by letters or digits (at most 16)");
        var kind = errors.Any ? null : await db.Set<DepartmentKind>().FindAsync([code], ct);
        errors.Name(body.Name, required: kind is null);
        errors.NameEn(body.NameEn);
        if (errors.Any) return errors.ToProblem();

        var created = kind is null;
        kind ??= db.Add(new DepartmentKind { Code = code, Name = body.Name!.Trim() }).Entity;
        if (body.Name is not null) kind.Name = body.Name.Trim();
        if (body.NameEn is not null) kind.NameEn = EmptyToNull(body.NameEn);
        if (body.HandledByCommunity is { } byCommunity) kind.HandledByCommunity = byCommunity;
        if (body.SortOrder is { } order) kind.SortOrder = order;
        else if (created) kind.SortOrder = await db.Set<DepartmentKind>().Select(k => (int?)k.SortOrder).MaxAsync(ct) + 1 ?? 1;
        kind.UpdatedAt = time.GetUtcNow();

        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        var response = DepartmentKindResponse.From(kind);
        return created ? TypedResults.Created("/api/v1/catalog/department-kinds", response) : TypedResults.Ok(response);
    }

    internal static async Task<Results<Created<DepartmentResponse>, Ok<DepartmentResponse>, ProblemHttpResult>> PutDepartment(
        string code, DepartmentWrite body, Actor actor, OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!DepartmentCodePattern().IsMatch(code)) errors.Add("code", "部门编码须为字母、数字、-、_（最多 32 位）",
            "A department code is letters, digits, - or _ (at most 32)");
        var department = errors.Any ? null : await db.Set<Department>().FindAsync([code], ct);
        if (department is not null && !actor.AdministersUnit(department.UnitCode)) return AdminScope.OutsideScope(department.UnitCode);
        var isNew = department is null;
        errors.Name(body.Name, required: isNew);
        errors.NameEn(body.NameEn);
        if (body.Kind is null)
        {
            if (isNew) errors.Missing("kind");
        }
        else if (!await db.Set<DepartmentKind>().AnyAsync(k => k.Code == body.Kind, ct))
        {
            errors.Add("kind", $"部门类型 {body.Kind} 不存在", $"Department kind '{body.Kind}' does not exist");
        }
        if (body.UnitCode is null)
        {
            if (isNew) errors.Missing("unitCode");
        }
        else if (!await db.Units.AnyAsync(u => u.Code == body.UnitCode, ct))
        {
            errors.Add("unitCode", $"服务的单元 {body.UnitCode} 不存在", $"The unit served, '{body.UnitCode}', does not exist");
        }
        if (!string.IsNullOrEmpty(body.PlatformCode) && !await db.Set<Platform>().AnyAsync(p => p.Code == body.PlatformCode, ct))
        {
            errors.Add("platformCode", $"平台 {body.PlatformCode} 不存在", $"Platform '{body.PlatformCode}' does not exist");
        }
        if (errors.Any) return errors.ToProblem();
        if (body.UnitCode is not null && !actor.AdministersUnit(body.UnitCode)) return AdminScope.OutsideScope(body.UnitCode);

        department ??= db.Add(new Department { Code = code, Name = body.Name!.Trim(), Kind = body.Kind!, UnitCode = body.UnitCode! }).Entity;
        if (body.Name is not null) department.Name = body.Name.Trim();
        if (body.NameEn is not null) department.NameEn = EmptyToNull(body.NameEn);
        if (body.Kind is not null) department.Kind = body.Kind;
        if (body.UnitCode is not null) department.UnitCode = body.UnitCode;
        if (body.PlatformCode is not null) department.PlatformCode = EmptyToNull(body.PlatformCode);
        department.UpdatedAt = time.GetUtcNow();

        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        var response = DepartmentResponse.From(department);
        return isNew ? TypedResults.Created($"/api/v1/departments/{code}", response) : TypedResults.Ok(response);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteDepartment(string code, Actor actor, OneGridDbContext db,
        CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var department = await db.Set<Department>().FindAsync([code], ct);
        if (department is null) return CatalogEndpoints.DepartmentNotFound(code);
        if (!actor.AdministersUnit(department.UnitCode)) return AdminScope.OutsideScope(department.UnitCode);
        var rules = await db.Set<RoutingRule>().Where(r => r.DepartmentCode == code).Select(r => r.Id).ToListAsync(ct);
        if (rules.Count > 0)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "department-in-use", "部门仍在使用中", "The department is in use",
                Text.Pick($"路由规则 {string.Join("、", rules)} 仍把案件派给部门 {code}；请先修改或删除这些规则。",
                    $"Routing rules {string.Join(", ", rules)} still send cases to department {code}; change or delete them first."),
                new Dictionary<string, object?> { ["rules"] = rules });
        }
        db.Remove(department);
        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Created<RoutingRuleResponse>, ProblemHttpResult>> PostRule(RoutingRuleWrite body, Actor actor,
        OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        if (await ValidateRuleAsync(body, null, actor, db, ct) is { } problem) return problem;
        var rule = db.Add(new RoutingRule { UnitCode = "", DepartmentCode = "", Description = "" }).Entity;
        Apply(rule, body, time);
        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        return TypedResults.Created($"/api/v1/routing/rules/{rule.Id}", RoutingRuleResponse.From(rule));
    }

    internal static async Task<Results<Ok<RoutingRuleResponse>, ProblemHttpResult>> PutRule(int id, RoutingRuleWrite body, Actor actor,
        OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        var rule = await db.Set<RoutingRule>().FindAsync([id], ct);
        if (rule is null) return CatalogEndpoints.RuleNotFound(id);
        if (!actor.AdministersUnit(rule.UnitCode)) return AdminScope.OutsideScope(rule.UnitCode);
        if (await ValidateRuleAsync(body, id, actor, db, ct) is { } problem) return problem;
        Apply(rule, body, time);
        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        return TypedResults.Ok(RoutingRuleResponse.From(rule));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(int id, Actor actor, OneGridDbContext db, CatalogCache cache,
        TimeProvider time, CancellationToken ct)
    {
        var rule = await db.Set<RoutingRule>().FindAsync([id], ct);
        if (rule is null) return CatalogEndpoints.RuleNotFound(id);
        if (!actor.AdministersUnit(rule.UnitCode)) return AdminScope.OutsideScope(rule.UnitCode);
        db.Remove(rule);
        if (await CommitAsync(db, cache, time, ct) is { } conflict) return conflict;
        return TypedResults.NoContent();
    }

    private static void Apply(RoutingRule rule, RoutingRuleWrite body, TimeProvider time)
    {
        rule.CategoryPrefix = EmptyToNull(body.CategoryPrefix?.Trim());
        rule.PlatformCode = EmptyToNull(body.PlatformCode?.Trim());
        rule.UnitCode = body.UnitCode!.Trim();
        rule.DepartmentCode = body.DepartmentCode!.Trim();
        rule.Priority = body.Priority ?? 0;
        rule.Description = body.Description!.Trim();
        rule.UpdatedAt = time.GetUtcNow();
    }

    private static async Task<ProblemHttpResult?> ValidateRuleAsync(RoutingRuleWrite body, int? id, Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var prefix = EmptyToNull(body.CategoryPrefix?.Trim());
        var platform = EmptyToNull(body.PlatformCode?.Trim());
        if (prefix is null && platform is null)
        {
            errors.Add("categoryPrefix", "须指定类别编码前缀（大类或小类编码）或平台，或两者", "Give a category prefix (a class or type code), a platform, or both");
        }
        if (prefix is not null && (prefix.Length < 2 || !prefix.All(char.IsAsciiDigit)
            || !await db.Set<CategoryType>().AnyAsync(t => t.Code.StartsWith(prefix), ct)
               && !await db.Set<CategoryClass>().AnyAsync(c => c.Code == prefix, ct)))
        {
            errors.Add("categoryPrefix", $"{prefix} 不是任何大类或类别的编码", $"{prefix} is the code of no class or category");
        }
        if (platform is not null && !await db.Set<Platform>().AnyAsync(p => p.Code == platform, ct))
        {
            errors.Add("platformCode", $"平台 {platform} 不存在", $"Platform '{platform}' does not exist");
        }
        var unit = body.UnitCode?.Trim();
        if (string.IsNullOrEmpty(unit) || !await db.Units.AnyAsync(u => u.Code == unit, ct))
        {
            errors.Add("unitCode", $"适用范围单元 {unit} 不存在", $"The scope unit '{unit}' does not exist");
        }
        var department = body.DepartmentCode?.Trim();
        var served = string.IsNullOrEmpty(department) ? null
            : await db.Set<Department>().Where(d => d.Code == department).Select(d => d.UnitCode).FirstOrDefaultAsync(ct);
        if (served is null)
        {
            errors.Add("departmentCode", $"部门 {department} 不存在", $"Department '{department}' does not exist");
        }
        else if (!string.IsNullOrEmpty(unit) && !unit.StartsWith(served, StringComparison.Ordinal))
        {
            // A rule sends its unit's cases to the department, so the department must serve the whole unit.
            errors.Add("departmentCode", $"部门 {department} 不服务单元 {unit}（它服务 {served}）", $"Department '{department}' does not serve unit {unit} (it serves {served})");
        }
        if (string.IsNullOrWhiteSpace(body.Description) || body.Description.Trim().Length > 500)
        {
            errors.Add("description", "须填写规则说明（最多 500 字），它会出现在案件的路由解释中",
                "A description (at most 500 characters) is required: cases quote it to explain their routing");
        }
        if (errors.Any) return errors.ToProblem();
        if (!actor.AdministersUnit(unit!)) return AdminScope.OutsideScope(unit!);

        var priority = body.Priority ?? 0;
        var twin = await db.Set<RoutingRule>().AsNoTracking()
            .Where(r => r.Id != id && r.UnitCode == unit && r.CategoryPrefix == prefix && r.PlatformCode == platform && r.Priority == priority)
            .Select(r => (int?)r.Id)
            .FirstOrDefaultAsync(ct);
        if (twin is { } other)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "routing-rule-conflict", "与已有路由规则冲突", "Conflicts with an existing routing rule",
                Text.Pick($"规则 {other} 已对同一范围、同一类别以同一优先级作出规定；请修改该规则，或换一个优先级。",
                    $"Rule {other} already covers the same scope and categories at the same priority; change that rule or use another priority."),
                new Dictionary<string, object?> { ["ruleId"] = other });
        }
        return null;
    }

    /// <summary>Saves, bumps the revision in the same transaction, and reloads this node's cache; a lost race is a 409.</summary>
    private static async Task<ProblemHttpResult?> CommitAsync(OneGridDbContext db, CatalogCache cache, TimeProvider time, CancellationToken ct)
    {
        try
        {
            await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await CatalogRevision.BumpAsync(db, time.GetUtcNow(), ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "concurrent-change", "数据已被同时修改", "The data was changed concurrently",
                Text.Pick("另一次修改与本次冲突，请刷新后重试。", "Another change conflicted with this one; reload and try again."));
        }
        await cache.ReloadAsync(db, ct);
        return null;
    }

    private static string? EmptyToNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Validation errors by field, reported together as one 400 problem like ASP.NET's own.</summary>
    private sealed class FieldErrors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
        private string? _first;

        public bool Any => _errors.Count > 0;

        public void Add(string field, string zh, string en)
        {
            var message = Text.Pick(zh, en);
            _first ??= message;
            if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
            list.Add(message);
        }

        public void Missing(string field) => Add(field, $"缺少 {field}", $"'{field}' is required");

        public void Name(string? name, bool required)
        {
            if (name is null ? required : string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
            {
                Add("name", "须填写中文名称（最多 100 字）", "A Chinese name (at most 100 characters) is required");
            }
            if (InputText.Fault("name", name) is { } control) Add("name", control.Zh, control.En);
        }

        public void NameEn(string? name)
        {
            if (name is not null && name.Trim().Length > 100) Add("nameEn", "英文名称最多 100 字", "The English name is at most 100 characters");
            if (InputText.Fault("nameEn", name) is { } control) Add("nameEn", control.Zh, control.En);
        }

        public ProblemHttpResult ToProblem() =>
            Problems.BadRequest("invalid-request", "请求参数无效", "The request is invalid", _first,
                new Dictionary<string, object?> { ["errors"] = _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()) });
    }
}
