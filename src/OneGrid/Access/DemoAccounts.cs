using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Access;

public sealed record DemoAccountResponse(string Username, string Role, string UnitCode, string DisplayName);

public sealed record DemoAccountsResponse(IReadOnlyList<DemoAccountResponse> Accounts, string Password, string? ApiKey, string? CourierCode);

/// <summary>
/// In demo mode only: one account per role on real Binjiang units, all with password "demo", a courier
/// with a personal code, and an API key. The weak password is set by hashing it directly — the password
/// rules for real accounts are untouched. The demo API key is kept (besides its hash) encrypted with Data
/// Protection in <see cref="ApiKey.DemoSecret"/>, which only the demo listing reads; the courier's code
/// is simply issued afresh for each listing (any code of the current version is valid).
/// </summary>
internal sealed class DemoAccounts : IStartupTask
{
    public const string Password = "demo";
    public const string CourierUserName = "courier";
    private const string DemoMarker = "demo";
    private const string CourierPhone = "13800001234";
    private static readonly string[] CourierStreets = ["330108001", "330108002"];

    internal sealed record Account(string UserName, string DisplayName, Grant Grant);

    public static readonly IReadOnlyList<Account> Accounts =
    [
        new("gridworker", "张伟（西陵社区第一网格网格员）", new(Role.GridWorker, "330108001001001")),
        new("community", "李娜（西陵社区受理员）", new(Role.CommunityOperator, "330108001001")),
        new("community2", "王芳（水电社区受理员）", new(Role.CommunityOperator, "330108001002")),
        new("street", "刘洋（长河街道派遣员）", new(Role.StreetDispatcher, "330108002")),
        new("district", "陈静（滨江区社会治理中心派遣员）", new(Role.DistrictDispatcher, "330108")),
        new("cg", "杨帆（滨江区城管局处置员）", new(Role.DepartmentHandler, "330108", DepartmentCode: "330108-CG")),
        new("mediator", "赵敏（区矛调中心调解员）", new(Role.Mediator, "330108")),
        new("mediator-xl", "孙丽（西陵社区调解员）", new(Role.Mediator, "330108001001")),
        new("mediator-xx", "郑华（西兴街道调解员）", new(Role.Mediator, "330108001")),
        new("mediator-sd", "钱进（水电社区调解员）", new(Role.Mediator, "330108001002")),
        new("inspector", "黄磊（安全隐患检查员）", new(Role.Inspector, "330108")),
        new("leader", "周强（滨江区领导）", new(Role.Leader, "330108")),
        new("admin", "系统管理员", new(Role.Admin, "3301")),
    ];

    public const string CourierName = "吴师傅（顺丰速运 · 流动网格员）";
    public const string ApiKeyName = "演示接口密钥（区社会治理中心）";
    public static readonly Grant ApiKeyGrant = new(Role.DistrictDispatcher, "330108");

    public int Order => 100;

    /// <summary>The claim that marks an account as a demo account (Identity's user claims, so no column of its own).</summary>
    internal const string DemoClaimType = "onegrid:demo-account";

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        if (!settings.Demo)
        {
            await DisableAsync(services, ct);
            return;
        }
        var db = services.GetRequiredService<OneGridDbContext>();
        var users = services.GetRequiredService<UserManager<OneGridUser>>();
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();

        foreach (var account in Accounts)
        {
            if (await users.FindByNameAsync(account.UserName) is { } existing)
            {
                // Disabled by a start without --demo: the password comes back; the tokens issued before stay void.
                if (existing.PasswordHash is null && (await users.GetClaimsAsync(existing)).Any(c => c.Type == DemoClaimType))
                {
                    existing.PasswordHash = users.PasswordHasher.HashPassword(existing, Password);
                    await users.UpdateAsync(existing);
                }
                continue;
            }
            var user = new OneGridUser { UserName = account.UserName, DisplayName = account.DisplayName, CreatedAt = now };
            user.PasswordHash = users.PasswordHasher.HashPassword(user, Password);
            var result = await users.CreateAsync(user);
            if (result.Succeeded) result = await users.AddClaimAsync(user, new Claim(DemoClaimType, "true"));
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Demo account {account.UserName}: " + string.Join("; ", result.Errors.Select(e => e.Description)));
            }
            var g = account.Grant;
            db.Grants.Add(new UserGrant
            {
                UserId = user.Id, Role = g.Role, UnitCode = g.UnitCode, PlatformCode = g.PlatformCode, DepartmentCode = g.DepartmentCode, CreatedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }

        if (await db.Couriers.FirstOrDefaultAsync(c => c.CreatedBy == DemoMarker && c.Phone == CourierPhone, ct) is { } courier)
        {
            if (courier.Revoked)
            {
                courier.Revoked = false;
                await db.SaveChangesAsync(ct);
            }
        }
        else
        {
            db.Couriers.Add(new Courier
            {
                Name = CourierName, Phone = CourierPhone, Company = "顺丰速运", Station = "滨江西兴营业点",
                StreetCodes = string.Join(',', CourierStreets), CreatedAt = now, CreatedBy = DemoMarker,
            });
            await db.SaveChangesAsync(ct);
        }

        if (!await db.ApiKeys.AnyAsync(k => k.DemoSecret != null && !k.Revoked, ct))
        {
            var protector = DemoSecretProtector(services);
            await ApiKeyEndpoints.IssueAsync(db, ApiKeyName, [ApiKeyGrant], DemoMarker, now, ct, protector.Protect);
        }
    }

    /// <summary>
    /// Served without --demo, a database that was once served with it must not keep a city administrator with
    /// the password "demo": every demo account loses its password and its sessions (a new security stamp),
    /// the demo key is revoked, the demo courier revoked and its codes superseded. An account with a demo
    /// name is taken for a demo account if it carries the mark or (made before the mark existed) still has
    /// the password "demo". --demo gives the accounts their password back and issues a new key.
    /// </summary>
    private static async Task DisableAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var users = services.GetRequiredService<UserManager<OneGridUser>>();
        var disabled = new List<string>();

        foreach (var account in Accounts)
        {
            if (await users.FindByNameAsync(account.UserName) is not { } user || user.PasswordHash is null) continue;
            var marked = (await users.GetClaimsAsync(user)).Any(c => c.Type == DemoClaimType);
            if (!marked && users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, Password) == PasswordVerificationResult.Failed) continue;
            if (!marked) await users.AddClaimAsync(user, new Claim(DemoClaimType, "true"));
            user.PasswordHash = null;
            await users.UpdateSecurityStampAsync(user);
            disabled.Add(account.UserName);
        }

        foreach (var courier in await db.Couriers.Where(c => c.CreatedBy == DemoMarker && !c.Revoked).ToListAsync(ct))
        {
            courier.Revoked = true;
            courier.CodeVersion++;
            disabled.Add(CourierUserName);
        }
        foreach (var key in await db.ApiKeys.Where(k => k.DemoSecret != null && !k.Revoked).ToListAsync(ct))
        {
            key.Revoked = true;
            disabled.Add("api key " + key.Prefix);
        }
        await db.SaveChangesAsync(ct);

        var left = await db.ApiKeys.AnyAsync(k => k.DemoSecret != null, ct) ||
            await db.Couriers.AnyAsync(c => c.CreatedBy == DemoMarker, ct) ||
            await db.UserClaims.AnyAsync(c => c.ClaimType == DemoClaimType, ct);
        if (disabled.Count > 0 || left)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger<DemoAccounts>().LogWarning(
                "Served without --demo: the demo accounts, demo API key and demo courier of this database are disabled{Now} (serve --demo enables them again)",
                disabled.Count > 0 ? " now: " + string.Join(", ", disabled) : "");
        }
    }

    private static IDataProtector DemoSecretProtector(IServiceProvider services) =>
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("OneGrid.Access.DemoSecret.v1");

    public static void MapEndpoint(WebApplication app) =>
        app.MapGet("/api/v1/demo/accounts", ListAsync)
            .WithTags("Access")
            .WithName("DemoAccounts")
            .WithSummary("Demo mode only: the demo accounts (password \"demo\"), the demo API key and the demo courier's code.");

    internal static async Task<DemoAccountsResponse> ListAsync(OneGridDbContext db, CourierCodes codes, IServiceProvider services, CancellationToken ct)
    {
        var list = Accounts.Select(a => new DemoAccountResponse(a.UserName, a.Grant.Role.ToWire(), a.Grant.UnitCode, a.DisplayName)).ToList();
        var courier = await db.Couriers.AsNoTracking().FirstOrDefaultAsync(c => c.CreatedBy == DemoMarker && c.Phone == CourierPhone, ct);
        list.Insert(1, new DemoAccountResponse(CourierUserName, Role.Courier.ToWire(), CourierStreets[0], CourierName));

        var demoKey = await db.ApiKeys.AsNoTracking().Where(k => k.DemoSecret != null && !k.Revoked)
            .OrderByDescending(k => k.Id).Select(k => k.DemoSecret).FirstOrDefaultAsync(ct);
        string? key = null;
        // Under another host key the stored secret no longer decrypts: the listing then shows no key, not a 500.
        try { key = demoKey is null ? null : DemoSecretProtector(services).Unprotect(demoKey); }
        catch (CryptographicException) { }
        return new DemoAccountsResponse(list, Password, key,
            courier is null || courier.Revoked ? null : codes.Issue(courier));
    }
}
