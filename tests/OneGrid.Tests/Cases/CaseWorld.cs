using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Workflows;
using OneGrid.Catalog;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Tests.Cases;

/// <summary>
/// The case module over a real SQLite database holding the demo district, with the clock under the test's
/// control. Routing and the calendar are small stand-ins here (their own modules are tested on their own):
/// category 0102 goes to 滨江区城管局 330108-CG with a 4-hour limit on the clock.
/// </summary>
public sealed class CaseWorld : IAsyncDisposable
{
    public const string Grid = "330108001001001";           // 西陵社区第1网格, 西兴街道
    public const string Community = "330108001001";
    public const string SiblingCommunity = "330108001002";
    public const string Street = "330108001";
    public const string District = "330108";
    public const string Department = "330108-CG";

    private readonly string _dir;
    private readonly ServiceProvider _services;

    public FakeTimeProvider Clock { get; private set; } = new(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero)); // 10:00 in Hangzhou
    public TerritoryIndexHolder Territory { get; }
    public (double Lon, double Lat) InsideGrid { get; private set; }

    private CaseWorld(string dir, ServiceProvider services)
    {
        _dir = dir;
        _services = services;
        Territory = services.GetRequiredService<TerritoryIndexHolder>();
    }

    public static async Task<CaseWorld> CreateAsync(CaseOptions? options = null, IWorkingCalendar? calendar = null,
        TimeLimitKind limitKind = TimeLimitKind.NaturalHours, DateTimeOffset? start = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-cases-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var database = DatabaseSettings.Parse(null, dir);
        var services = new ServiceCollection();
        var world = default(CaseWorld);
        services.AddLogging();
        services.AddOneGridDatabase(database);
        services.AddSingleton(new HostSettings { DataDirectory = dir, Database = database });
        services.AddSingleton<TerritoryIndexHolder>();
        services.AddSingleton<ICaseRouter>(new FixedRouter(limitKind));
        if (calendar is null) services.AddSingleton<IWorkingCalendar, ClockCalendar>();
        else services.AddSingleton(calendar);
        services.AddSingleton<AttachmentStore>();
        services.AddSingleton(new ReporterKeys(new HostKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(HostKey.MinimumLength))));
        services.AddSingleton(Options.Create(options ?? new CaseOptions()));
        services.AddSingleton<TimeProvider>(_ => world!.Clock);
        services.AddScoped<CaseService>();
        services.AddScoped<CasePhotos>();
        services.AddWorkflow<Case, CaseState, CaseWorkflow>();
        services.AddSingleton<DuplicateFinder>();
        services.AddSingleton<OpenCaseIndex>();
        services.AddSingleton<ReportWriter>();
        // Not started: searches here read new cases by their text (the indexer's tail), as they do before it comes round.
        services.AddSingleton<StartupState>();
        services.AddSingleton<CaseSearchIndexer>();
        var provider = services.BuildServiceProvider();
        world = new CaseWorld(dir, provider);
        if (start is { } at) world.Clock = new FakeTimeProvider(at);
        await provider.GetRequiredService<ReportWriter>().StartAsync(CancellationToken.None);

        File.Copy(await Template.Value, Path.Combine(dir, DatabaseSettings.SqliteFileName));
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await world.Territory.RefreshAsync(db, force: true);
            // As a host's live case feed does once it has started.
            await provider.GetRequiredService<OpenCaseIndex>().LoadAsync(db, CancellationToken.None);
        }
        var unit = world.Territory.Current.Find(Grid)!;
        Assert.NotNull(unit);
        // A point well inside the grid: the interior point of its polygon, found through the index itself.
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            var wkb = db.Units.Where(u => u.Code == Grid).Select(u => u.Boundary).Single()!;
            var p = new NetTopologySuite.IO.WKBReader().Read(wkb).InteriorPoint;
            world.InsideGrid = (p.X, p.Y);
        }
        return world;
    }

    /// <summary>The migrated demo district, generated once per test run and copied for each world (generation takes a second).</summary>
    private static readonly Lazy<Task<string>> Template = new(async () =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-cases-template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var settings = DatabaseSettings.Parse(null, dir);
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            await PersistenceServices.MigrateAsync(db);
            await DemoTerritory.EnsureAsync(db, TimeProvider.System, NullLogger.Instance);
            // One file to copy: fold the write-ahead log back into the database.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
        }
        SqliteConnection.ClearAllPools();
        return Path.Combine(dir, DatabaseSettings.SqliteFileName);
    });

    /// <summary>Runs the body with a fresh scope (a fresh DbContext), as each HTTP request would.</summary>
    public async Task<T> InScope<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = _services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public Task<T> Cases<T>(Func<CaseService, Task<T>> body) => InScope(sp => body(sp.GetRequiredService<CaseService>()));

    public Task<Case> ReportAsync(Actor reporter, string? category = "0102", string description = "路边有暴露垃圾", bool selfHandled = false,
        (double Lon, double Lat)? at = null, string? key = null, IReadOnlyList<string>? photos = null) =>
        Cases(async s => (await s.ReportAsync(
            new ReportRequest((at ?? InsideGrid).Lon, (at ?? InsideGrid).Lat, description, category, null, photos, selfHandled),
            reporter, reporter.IsAnonymous ? ReporterKind.Resident : reporter.HasRole(Role.GridWorker) ? ReporterKind.GridWorker : ReporterKind.Staff,
            key, CaseService.HashBody(description + category + selfHandled), CancellationToken.None)).Case);

    public Task<Case> ActAsync(Case c, string action, Actor actor, CaseActionRequest? body = null) =>
        Cases(s => s.ActAsync(c.Id.ToString(), action, body ?? new CaseActionRequest(Reason: "理由", Result: "已清理", Rating: 5, Hours: 4), actor, CancellationToken.None));

    // The people of the demo district, as grants.
    public static Actor GridWorker { get; } = new("u-grid", "gridworker", "网格员", [new Grant(Role.GridWorker, Grid)]);
    public static Actor CommunityOperator { get; } = new("u-community", "community", "西陵社区受理员", [new Grant(Role.CommunityOperator, Community)]);
    public static Actor SiblingOperator { get; } = new("u-community2", "community2", "水电社区受理员", [new Grant(Role.CommunityOperator, SiblingCommunity)]);
    public static Actor StreetDispatcher { get; } = new("u-street", "street", "西兴街道派遣员", [new Grant(Role.StreetDispatcher, Street)]);
    public static Actor OtherStreetDispatcher { get; } = new("u-street2", "street2", "长河街道派遣员", [new Grant(Role.StreetDispatcher, "330108002")]);
    public static Actor DistrictDispatcher { get; } = new("u-district", "district", "区中心派遣员", [new Grant(Role.DistrictDispatcher, District)]);
    public static Actor Handler { get; } = new("u-cg", "cg", "城管局处置员", [new Grant(Role.DepartmentHandler, District, DepartmentCode: Department)]);
    public static Actor OtherHandler { get; } = new("u-scjg", "scjg", "市场监管局处置员", [new Grant(Role.DepartmentHandler, District, DepartmentCode: "330108-SCJG")]);
    public static Actor Leader { get; } = new("u-leader", "leader", "区领导", [new Grant(Role.Leader, District)]);
    public static Actor Resident { get; } = Actor.Anonymous;

    /// <summary>Holds every post on this case's path: used to show which actions the state allows, whoever asks.</summary>
    public static Actor Everyone { get; } = new("u-all", "all", "全能", [
        new Grant(Role.GridWorker, Grid), new Grant(Role.CommunityOperator, Community), new Grant(Role.DistrictDispatcher, District),
        new Grant(Role.DepartmentHandler, District, DepartmentCode: Department), new Grant(Role.Leader, District)]);

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<ReportWriter>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private sealed class FixedRouter(TimeLimitKind kind) : ICaseRouter
    {
        public Task<RouteProposal?> ProposeAsync(string? categoryCode, string description, Resolution place, CancellationToken ct)
        {
            var path = place.Path;
            if (categoryCode is not null and not "0102" and not "0301") return Task.FromResult<RouteProposal?>(null);
            var code = categoryCode ?? (description.Contains("垃圾") ? "0102" : null);
            return Task.FromResult<RouteProposal?>(new RouteProposal(code, code is null ? null : "暴露垃圾", categoryCode is null && code is not null,
                code is null ? null : "zhzf", code is null ? null : "综合执法", code is null ? null : Department, code is null ? null : "滨江区城管局",
                path[2].Code, path[1].Code, path[0].Code, code is null ? null : TimeSpan.FromHours(4), kind,
                code is null ? "未指定类别" : $"规则：{code} 暴露垃圾 → 滨江区城管局（类别默认部门）"));
        }

        public Task<bool> DepartmentExistsAsync(string departmentCode, CancellationToken ct) =>
            Task.FromResult(departmentCode is Department or "330108-SCJG");
    }

    /// <summary>Every limit on the clock, so the expected instants are plain arithmetic.</summary>
    private sealed class ClockCalendar : IWorkingCalendar
    {
        public DateTimeOffset Add(DateTimeOffset start, TimeSpan duration, TimeLimitKind kind) => start + duration;
        public TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to, TimeLimitKind kind) => to > from ? to - from : TimeSpan.Zero;
    }
}
