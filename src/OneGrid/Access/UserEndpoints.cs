using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>A grant as the API takes it: role by its wire name (grid-worker, community-operator …).</summary>
public sealed record GrantRequest(string? Role, string? UnitCode, string? PlatformCode = null, string? DepartmentCode = null);

public sealed record CreateUserRequest(string? UserName, string? DisplayName, string? Password, IReadOnlyList<GrantRequest>? Grants);

public sealed record UserResponse(string Id, string? UserName, string DisplayName, DateTimeOffset? LockedUntil, IReadOnlyList<GrantResponse> Grants);

internal static class UserEndpoints
{
    public static void Map(WebApplication app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Access").RequireRoles(Role.Admin);
        users.MapGet("/", List).WithName("ListUsers").WithSummary("Accounts and their grants, paged (administrators).");
        users.MapGet("/{id}", Get).WithName("GetUser").WithSummary("One account and its grants (administrators).");
        users.MapPost("/", Create).WithName("CreateUser")
            .WithSummary("Creates an account with a password that meets the rules and grants on units the administrator reaches.");
        users.MapPost("/{id}/grants", AddGrant).WithName("AddGrant").WithSummary("Grants a role on a unit.");
        users.MapDelete("/{id}/grants/{grantId:long}", RemoveGrant).WithName("RemoveGrant")
            .WithSummary("Withdraws a grant; it stops counting at the account's next request.");
        users.MapPost("/{id}/unlock", Unlock).WithName("UnlockUser").WithSummary("Lifts a lock-out after failed sign-ins.");
    }

    internal static async Task<IResult> List(int? page, int? pageSize, string? q, OneGridDbContext db, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return Problems.InvalidField(bad, $"分页参数 {bad} 无效", $"Invalid '{bad}'");
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim();
            var upper = text.ToUpperInvariant();
            query = query.Where(u => u.NormalizedUserName!.Contains(upper) || u.DisplayName.Contains(text));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(u => u.UserName).Skip((p - 1) * size).Take(size).Include(u => u.Grants).ToListAsync(ct);
        var items = new List<UserResponse>();
        foreach (var u in rows) items.Add(await DescribeAsync(u, db, ct));
        return TypedResults.Ok(new Page<UserResponse>(items, p, size, total));
    }

    internal static async Task<IResult> Get(string id, OneGridDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Grants).FirstOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? UserNotFound(id) : TypedResults.Ok(await DescribeAsync(user, db, ct));
    }

    internal static async Task<IResult> Create(CreateUserRequest? body, Actor actor, UserManager<OneGridUser> users,
        OneGridDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.UserName)) return Problems.InvalidField("userName", "请填写用户名", "The userName is required");
        if (string.IsNullOrWhiteSpace(body.DisplayName)) return Problems.InvalidField("displayName", "请填写姓名", "The displayName is required");
        if (string.IsNullOrEmpty(body.Password)) return Problems.InvalidField("password", "请填写密码", "The password is required");
        var (grants, problem) = await GrantValidation.ValidateAsync(body.Grants ?? [], actor, db, ct);
        if (problem is not null) return problem;

        var now = time.GetUtcNow();
        var user = new OneGridUser { UserName = body.UserName.Trim(), DisplayName = body.DisplayName.Trim(), CreatedAt = now };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await users.CreateAsync(user, body.Password);
        if (!created.Succeeded)
        {
            var field = created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "userName";
            return AuthEndpoints.IdentityProblem(created, field);
        }
        db.Grants.AddRange(grants!.Select(g => ToRow(user.Id, g, now)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        AuditTrail.Note(http, "users/" + user.Id, $"create user {user.UserName}: " + string.Join(", ", grants!.Select(Describe)));
        user.Grants = await db.Grants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", await DescribeAsync(user, db, ct));
    }

    internal static async Task<IResult> AddGrant(string id, GrantRequest? body, Actor actor, OneGridDbContext db, TimeProvider time,
        HttpContext http, CancellationToken ct)
    {
        if (body is null) return Problems.InvalidField("role", "请填写授权", "A grant is required");
        if (!await db.Users.AnyAsync(u => u.Id == id, ct)) return UserNotFound(id);
        var (grants, problem) = await GrantValidation.ValidateAsync([body], actor, db, ct);
        if (problem is not null) return problem;
        var row = ToRow(id, grants![0], time.GetUtcNow());
        db.Grants.Add(row);
        await db.SaveChangesAsync(ct);
        AuditTrail.Note(http, "users/" + id, "grant " + Describe(row.ToGrant()));
        var described = await AuthEndpoints.DescribeGrantsAsync([(row.Id, row.ToGrant())], db, ct);
        return TypedResults.Created($"/api/v1/users/{id}", described[0]);
    }

    internal static async Task<IResult> RemoveGrant(string id, long grantId, Actor actor, OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        var row = await db.Grants.FirstOrDefaultAsync(g => g.Id == grantId && g.UserId == id, ct);
        if (row is null)
        {
            return Problems.NotFound("grant-not-found", "未找到该授权", "No such grant",
                Text.Pick($"用户 {id} 没有编号为 {grantId} 的授权。", $"User {id} has no grant {grantId}."));
        }
        if (!actor.Reaches(row.UnitCode, Role.Admin)) return AccessProblems.Forbidden();
        db.Grants.Remove(row);
        await db.SaveChangesAsync(ct);
        AuditTrail.Note(http, "users/" + id, "withdraw " + Describe(row.ToGrant()));
        return TypedResults.NoContent();
    }

    internal static async Task<IResult> Unlock(string id, UserManager<OneGridUser> users, HttpContext http)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return UserNotFound(id);
        AuditTrail.Note(http, "users/" + id, $"unlock {user.UserName}");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return TypedResults.NoContent();
    }

    internal static string Describe(Grant g) =>
        $"{g.Role.ToWire()}@{g.UnitCode}" + (g.PlatformCode is null ? "" : "/" + g.PlatformCode) + (g.DepartmentCode is null ? "" : "/" + g.DepartmentCode);

    private static UserGrant ToRow(string userId, Grant g, DateTimeOffset now) => new()
    {
        UserId = userId, Role = g.Role, UnitCode = g.UnitCode, PlatformCode = g.PlatformCode, DepartmentCode = g.DepartmentCode, CreatedAt = now,
    };

    private static async Task<UserResponse> DescribeAsync(OneGridUser u, OneGridDbContext db, CancellationToken ct) =>
        new(u.Id, u.UserName, u.DisplayName, u.LockoutEnd,
            await AuthEndpoints.DescribeGrantsAsync(u.Grants.OrderBy(g => g.Id).Select(g => ((long?)g.Id, g.ToGrant())).ToList(), db, ct));

    private static ProblemHttpResult UserNotFound(string id) =>
        Problems.NotFound("user-not-found", "未找到该用户", "No such user", Text.Pick($"编号为 {id} 的用户不存在。", $"There is no user {id}."));
}

/// <summary>Checks grants an administrator hands out (to accounts or API keys).</summary>
internal static class GrantValidation
{
    private static readonly Role[] PlatformRoles = [Role.StreetDispatcher, Role.DistrictDispatcher];

    public static async Task<(List<Grant>? Grants, ProblemHttpResult? Problem)> ValidateAsync(
        IReadOnlyList<GrantRequest> requests, Actor actor, OneGridDbContext db, CancellationToken ct)
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
            if (!string.IsNullOrWhiteSpace(r.PlatformCode) && !PlatformRoles.Contains(role))
            {
                return (null, Problems.InvalidField("platformCode", "只有派遣员的授权可以限定平台", "Only dispatchers' grants take a platformCode"));
            }
            if (!actor.Reaches(unit, Role.Admin))
            {
                return (null, AccessProblems.Forbidden(Text.Pick($"您的管理员授权不包括单元 {unit}。", $"Your administrator grants do not reach unit {unit}.")));
            }
            grants.Add(new Grant(role, unit, NullIfBlank(r.PlatformCode), role == Role.DepartmentHandler ? r.DepartmentCode!.Trim() : NullIfBlank(r.DepartmentCode)));
        }
        return (grants, null);
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
