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
        new("inspector", "黄磊（安全隐患检查员）", new(Role.Inspector, "330108")),
        new("leader", "周强（滨江区领导）", new(Role.Leader, "330108")),
        new("admin", "系统管理员", new(Role.Admin, "3301")),
    ];

    public const string CourierName = "吴师傅（顺丰速运 · 流动网格员）";
    public const string ApiKeyName = "演示接口密钥（区社会治理中心）";
    public static readonly Grant ApiKeyGrant = new(Role.DistrictDispatcher, "330108");

    public int Order => 100;

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        if (!settings.Demo) return;
        var db = services.GetRequiredService<OneGridDbContext>();
        var users = services.GetRequiredService<UserManager<OneGridUser>>();
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();

        foreach (var account in Accounts)
        {
            if (await users.FindByNameAsync(account.UserName) is not null) continue;
            var user = new OneGridUser { UserName = account.UserName, DisplayName = account.DisplayName, CreatedAt = now };
            user.PasswordHash = users.PasswordHasher.HashPassword(user, Password);
            var result = await users.CreateAsync(user);
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

        if (!await db.Couriers.AnyAsync(c => c.CreatedBy == DemoMarker && c.Phone == CourierPhone, ct))
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
        return new DemoAccountsResponse(list, Password,
            demoKey is null ? null : DemoSecretProtector(services).Unprotect(demoKey),
            courier is null || courier.Revoked ? null : codes.Issue(courier));
    }
}
