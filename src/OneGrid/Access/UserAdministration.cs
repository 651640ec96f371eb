using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Access;

/// <summary>
/// Accounts and grants as administrators manage them: the work behind /api/v1/users and the /admin/users
/// page. Each change returns its audit note; the caller records it (the API's audit middleware, or the page).
/// </summary>
public static class UserAdministration
{
    public static async Task<Outcome<Page<UserResponse>>> ListAsync(int? page, int? pageSize, string? q, Actor actor, TerritoryIndex territory,
        OneGridDbContext db, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return Problems.InvalidField(bad, $"分页参数 {bad} 无效", $"Invalid '{bad}'");
        var query = db.Users.AsNoTracking().ManagedBy(actor, territory);
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
        return Outcome<Page<UserResponse>>.Done(new Page<UserResponse>(items, p, size, total));
    }

    public static async Task<Outcome<UserResponse>> GetAsync(string id, Actor actor, TerritoryIndex territory, OneGridDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Grants).FirstOrDefaultAsync(u => u.Id == id, ct);
        // An account this administrator does not manage reads as absent, so ids cannot be probed.
        return user is null || !actor.ManagesHolderOf(user.Grants, territory) ? UserNotFound(id) : Outcome<UserResponse>.Done(await DescribeAsync(user, db, ct));
    }

    public static async Task<Outcome<UserResponse>> CreateAsync(CreateUserRequest? body, Actor actor, TerritoryIndex territory,
        UserManager<OneGridUser> users, OneGridDbContext db, IGrantTargets targets, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.UserName)) return Problems.InvalidField("userName", "请填写用户名", "The userName is required");
        if (string.IsNullOrWhiteSpace(body.DisplayName)) return Problems.InvalidField("displayName", "请填写姓名", "The displayName is required");
        if (string.IsNullOrEmpty(body.Password)) return Problems.InvalidField("password", "请填写密码", "The password is required");
        if ((InputText.Refuse("userName", body.UserName) ?? InputText.Refuse("displayName", body.DisplayName)) is { } control) return control;
        var (grants, problem) = await GrantValidation.ValidateAsync(body.Grants ?? [], actor, db, targets, ct);
        if (problem is not null) return problem;
        // An account without grants is the city administrator's; a scoped administrator would lose it on creation.
        if (grants!.Count == 0 && !actor.IsCityAdmin(territory))
        {
            return Problems.InvalidField("grants", "请至少授予一项您辖区内的权限", "Give at least one grant inside your territory");
        }

        var now = time.GetUtcNow();
        var user = new OneGridUser { UserName = body.UserName.Trim(), DisplayName = body.DisplayName.Trim(), CreatedAt = now };
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        var created = await users.CreateAsync(user, body.Password);
        if (!created.Succeeded)
        {
            var field = created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "userName";
            return AuthEndpoints.IdentityProblem(created, field);
        }
        db.Grants.AddRange(grants!.Select(g => ToRow(user.Id, g, now)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        user.Grants = await db.Grants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(ct);
        return Outcome<UserResponse>.Done(await DescribeAsync(user, db, ct),
            new AuditNote("users/" + user.Id, $"create user {user.UserName}: " + string.Join(", ", grants!.Select(Describe))));
    }

    public static async Task<Outcome<GrantResponse>> AddGrantAsync(string id, GrantRequest? body, Actor actor, TerritoryIndex territory,
        OneGridDbContext db, IGrantTargets targets, TimeProvider time, CancellationToken ct)
    {
        if (body is null) return Problems.InvalidField("role", "请填写授权", "A grant is required");
        if (!await ManagesAsync(id, actor, territory, db, ct)) return UserNotFound(id);
        var (grants, problem) = await GrantValidation.ValidateAsync([body], actor, db, targets, ct);
        if (problem is not null) return problem;
        var row = ToRow(id, grants![0], time.GetUtcNow());
        db.Grants.Add(row);
        await db.SaveChangesAsync(ct);
        var described = await AuthEndpoints.DescribeGrantsAsync([(row.Id, row.ToGrant())], db, ct);
        return Outcome<GrantResponse>.Done(described[0], new AuditNote("users/" + id, "grant " + Describe(row.ToGrant())));
    }

    public static async Task<Outcome<bool>> RemoveGrantAsync(string id, long grantId, Actor actor, TerritoryIndex territory, OneGridDbContext db,
        CancellationToken ct)
    {
        if (!await ManagesAsync(id, actor, territory, db, ct)) return UserNotFound(id);
        var row = await db.Grants.FirstOrDefaultAsync(g => g.Id == grantId && g.UserId == id, ct);
        if (row is null)
        {
            return Problems.NotFound("grant-not-found", "未找到该授权", "No such grant",
                Text.Pick($"用户 {id} 没有编号为 {grantId} 的授权。", $"User {id} has no grant {grantId}."));
        }
        if (!actor.AdministersUnit(row.UnitCode)) return AdminScope.OutsideScope(row.UnitCode);
        db.Grants.Remove(row);
        await db.SaveChangesAsync(ct);
        return Outcome<bool>.Done(true, new AuditNote("users/" + id, "withdraw " + Describe(row.ToGrant())));
    }

    public static async Task<Outcome<bool>> UnlockAsync(string id, Actor actor, TerritoryIndex territory, UserManager<OneGridUser> users,
        OneGridDbContext db, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null || !await ManagesAsync(id, actor, territory, db, ct)) return UserNotFound(id);
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return Outcome<bool>.Done(true, new AuditNote("users/" + id, $"unlock {user.UserName}"));
    }

    private static async Task<bool> ManagesAsync(string id, Actor actor, TerritoryIndex territory, OneGridDbContext db, CancellationToken ct) =>
        await db.Users.AsNoTracking().ManagedBy(actor, territory).AnyAsync(u => u.Id == id, ct);

    public static string Describe(Grant g) =>
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
