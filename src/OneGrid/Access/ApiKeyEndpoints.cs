using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Access;

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<GrantRequest>? Grants);

/// <summary>An API key as administrators see it; <c>key</c> only in the answer to its creation.</summary>
public sealed record ApiKeyResponse(long Id, string Name, string Prefix, bool Revoked, DateTimeOffset CreatedAt, string? CreatedBy,
    DateTimeOffset? LastUsedAt, IReadOnlyList<GrantResponse> Grants, string? Key = null);

internal static class ApiKeyEndpoints
{
    public static void Map(WebApplication app)
    {
        var keys = app.MapGroup("/api/v1/api-keys").WithTags("Access").RequireAdmin(AdminCapability.ApiKeys);
        keys.MapPost("/", Create).WithName("CreateApiKey")
            .WithSummary("Creates a key for another system, scoped by grants; the key is in this answer only (stored hashed).");
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("API keys (never the keys themselves).");
        keys.MapPost("/{id:long}/revoke", Revoke).WithName("RevokeApiKey").WithSummary("Revokes a key; it stops at once.");
    }

    internal static async Task<IResult> Create(CreateApiKeyRequest? body, Actor actor, OneGridDbContext db, IGrantTargets targets, TimeProvider time,
        HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Name)) return Problems.InvalidField("name", "请填写密钥名称", "The name is required");
        if (InputText.Refuse("name", body.Name) is { } control) return control;
        if (body.Grants is not { Count: > 0 }) return Problems.InvalidField("grants", "请至少授予一项权限", "At least one grant is required");
        var (grants, problem) = await GrantValidation.ValidateAsync(body.Grants, actor, db, targets, ct);
        if (problem is not null) return problem;

        var (row, key) = await IssueAsync(db, body.Name.Trim(), grants!, actor.UserName, time.GetUtcNow(), ct);
        AuditTrail.Note(http, "api-keys/" + row.Id, $"create key {row.Prefix} '{row.Name}': " + string.Join(", ", grants!.Select(UserEndpoints.Describe)));
        return TypedResults.Created($"/api/v1/api-keys/{row.Id}", await DescribeAsync(row, db, ct, key));
    }

    internal static async Task<(ApiKey Row, string Key)> IssueAsync(OneGridDbContext db, string name, IEnumerable<Grant> grants,
        string? createdBy, DateTimeOffset now, CancellationToken ct, Func<string, string>? demoSecret = null)
    {
        var (key, prefix, hash) = ApiKeySecrets.Generate();
        var row = new ApiKey
        {
            Name = name,
            Prefix = prefix,
            Hash = hash,
            CreatedAt = now,
            CreatedBy = createdBy,
            DemoSecret = demoSecret?.Invoke(key),
            Grants = grants.Select(g => new ApiKeyGrant
            {
                Role = g.Role, UnitCode = g.UnitCode, PlatformCode = g.PlatformCode, DepartmentCode = g.DepartmentCode, CreatedAt = now,
            }).ToList(),
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        return (row, key);
    }

    internal static async Task<IResult> List(Actor actor, TerritoryIndexHolder territory, OneGridDbContext db, CancellationToken ct)
    {
        var rows = await db.ApiKeys.AsNoTracking().ManagedBy(actor, territory.Current).Include(k => k.Grants).OrderBy(k => k.Id).ToListAsync(ct);
        var items = new List<ApiKeyResponse>();
        foreach (var row in rows) items.Add(await DescribeAsync(row, db, ct));
        return TypedResults.Ok(new { items });
    }

    internal static async Task<IResult> Revoke(long id, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db, HttpContext http,
        CancellationToken ct)
    {
        var row = await db.ApiKeys.Include(k => k.Grants).FirstOrDefaultAsync(k => k.Id == id, ct);
        // An administrator may revoke a key only if they could have issued it; another's key reads as absent.
        if (row is null || !actor.ManagesHolderOf(row.Grants, territory.Current)) return KeyNotFound(id);
        row.Revoked = true;
        await db.SaveChangesAsync(ct);
        AuditTrail.Note(http, "api-keys/" + id, $"revoke key {row.Prefix}");
        return TypedResults.Ok(await DescribeAsync(row, db, ct));
    }

    private static async Task<ApiKeyResponse> DescribeAsync(ApiKey k, OneGridDbContext db, CancellationToken ct, string? key = null) =>
        new(k.Id, k.Name, k.Prefix, k.Revoked, k.CreatedAt, k.CreatedBy, k.LastUsedAt,
            await AuthEndpoints.DescribeGrantsAsync(k.Grants.OrderBy(g => g.Id).Select(g => ((long?)g.Id, g.ToGrant())).ToList(), db, ct), key);

    private static ProblemHttpResult KeyNotFound(long id) =>
        Problems.NotFound("api-key-not-found", "未找到该接口密钥", "No such API key", Text.Pick($"编号为 {id} 的接口密钥不存在。", $"There is no API key {id}."));
}
