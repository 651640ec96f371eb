using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Access;

/// <summary>A grant as the API takes it: role by its wire name (grid-worker, community-operator …).</summary>
public sealed record GrantRequest(string? Role, string? UnitCode, string? PlatformCode = null, string? DepartmentCode = null);

public sealed record CreateUserRequest(string? UserName, string? DisplayName, string? Password, IReadOnlyList<GrantRequest>? Grants);

public sealed record UserResponse(string Id, string? UserName, string DisplayName, DateTimeOffset? LockedUntil, IReadOnlyList<GrantResponse> Grants);

internal static class UserEndpoints
{
    public static void Map(WebApplication app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Access").RequireAdmin(AdminCapability.Users);
        users.MapGet("/", List).WithName("ListUsers").WithSummary("Accounts and their grants, paged (administrators).");
        users.MapGet("/{id}", Get).WithName("GetUser").WithSummary("One account and its grants (administrators).");
        users.MapPost("/", Create).WithName("CreateUser")
            .WithSummary("Creates an account with a password that meets the rules and grants on units the administrator reaches.");
        users.MapPost("/{id}/grants", AddGrant).WithName("AddGrant").WithSummary("Grants a role on a unit.");
        users.MapDelete("/{id}/grants/{grantId:long}", RemoveGrant).WithName("RemoveGrant")
            .WithSummary("Withdraws a grant; it stops counting at the account's next request.");
        users.MapPost("/{id}/unlock", Unlock).WithName("UnlockUser").WithSummary("Lifts a lock-out after failed sign-ins.");
    }

    // Thin adapters: the work is in UserAdministration, which the administration pages call too.

    internal static async Task<IResult> List(int? page, int? pageSize, string? q, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db,
        CancellationToken ct)
    {
        var o = await UserAdministration.ListAsync(page, pageSize, q, actor, territory.Current, db, ct);
        return o.Problem ?? (IResult)TypedResults.Ok(o.Value);
    }

    internal static async Task<IResult> Get(string id, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db, CancellationToken ct)
    {
        var o = await UserAdministration.GetAsync(id, actor, territory.Current, db, ct);
        return o.Problem ?? (IResult)TypedResults.Ok(o.Value);
    }

    internal static async Task<IResult> Create(CreateUserRequest? body, Actor actor, TerritoryIndexHolder territory, UserManager<OneGridUser> users,
        OneGridDbContext db, IGrantTargets targets, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var o = await UserAdministration.CreateAsync(body, actor, territory.Current, users, db, targets, time, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.Created($"/api/v1/users/{o.Value!.Id}", o.Value);
    }

    internal static async Task<IResult> AddGrant(string id, GrantRequest? body, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db,
        IGrantTargets targets, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var o = await UserAdministration.AddGrantAsync(id, body, actor, territory.Current, db, targets, time, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.Created($"/api/v1/users/{id}", o.Value);
    }

    internal static async Task<IResult> RemoveGrant(string id, long grantId, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db,
        HttpContext http, CancellationToken ct)
    {
        var o = await UserAdministration.RemoveGrantAsync(id, grantId, actor, territory.Current, db, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.NoContent();
    }

    internal static async Task<IResult> Unlock(string id, Actor actor, TerritoryIndexHolder territory, UserManager<OneGridUser> users,
        OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        var o = await UserAdministration.UnlockAsync(id, actor, territory.Current, users, db, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.NoContent();
    }

    internal static string Describe(Grant g) => UserAdministration.Describe(g);
}

/// <summary>Checks grants an administrator hands out (to accounts or API keys).</summary>
internal static class GrantValidation
{
    private static readonly Role[] PlatformRoles = [Role.StreetDispatcher, Role.DistrictDispatcher];

    public static async Task<(List<Grant>? Grants, ProblemHttpResult? Problem)> ValidateAsync(
        IReadOnlyList<GrantRequest> requests, Actor actor, OneGridDbContext db, IGrantTargets targets, CancellationToken ct)
    {
        var grants = new List<Grant>();
        foreach (var r in requests)
        {
            if (!Roles.TryParse(r.Role, out var role) || role == Role.Courier)
            {
                return (null, Problems.InvalidField("role", $"角色 {r.Role} 无效（流动网格员请用登记接口）",
                    $"Unknown role '{r.Role}' (couriers are enrolled, not granted)"));
            }
            var unit = r.UnitCode?.Trim();
            if (string.IsNullOrEmpty(unit)) return (null, Problems.InvalidField("unitCode", "请填写单元编码", "The unitCode is required"));
            if (!await db.Units.AnyAsync(u => u.Code == unit, ct))
            {
                return (null, Problems.InvalidField("unitCode", $"单元 {unit} 不存在", $"There is no unit {unit}"));
            }
            if (role == Role.DepartmentHandler && string.IsNullOrWhiteSpace(r.DepartmentCode))
            {
                return (null, Problems.InvalidField("departmentCode", "职能部门处置员需要填写部门编码", "A department handler needs a departmentCode"));
            }
            if (!string.IsNullOrWhiteSpace(r.DepartmentCode) && role != Role.DepartmentHandler)
            {
                return (null, Problems.InvalidField("departmentCode", "只有职能部门处置员的授权可以填写部门编码", "Only department handlers' grants take a departmentCode"));
            }
            if (!string.IsNullOrWhiteSpace(r.PlatformCode) && !PlatformRoles.Contains(role))
            {
                return (null, Problems.InvalidField("platformCode", "只有派遣员的授权可以限定平台", "Only dispatchers' grants take a platformCode"));
            }
            if (!actor.MayGive(role, unit)) return (null, AdminScope.OutsideScope(unit));
            var department = NullIfBlank(r.DepartmentCode);
            if (department is not null)
            {
                // A handler's grant is bounded by its unit, so the department must serve that unit: registered on it or above it.
                var served = await targets.UnitServedByAsync(db, department, ct);
                if (served is null)
                {
                    return (null, Problems.InvalidField("departmentCode", $"部门 {department} 不存在", $"There is no department {department}"));
                }
                if (!unit.StartsWith(served, StringComparison.Ordinal))
                {
                    return (null, Problems.InvalidField("departmentCode", $"部门 {department} 不服务单元 {unit}（它服务 {served}）",
                        $"Department {department} does not serve unit {unit} (it serves {served})"));
                }
            }
            var platform = NullIfBlank(r.PlatformCode);
            if (platform is not null && !await targets.PlatformExistsAsync(db, platform, ct))
            {
                return (null, Problems.InvalidField("platformCode", $"平台 {platform} 不存在", $"There is no platform {platform}"));
            }
            grants.Add(new Grant(role, unit, platform, department));
        }
        return (grants, null);
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
