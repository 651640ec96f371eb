using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.CommandCentre;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory.Generation;
using Spectre.Console;

namespace OneGrid.Cli;

internal sealed record ReadBenchOptions
{
    public string? Url { get; init; }
    public int? Pid { get; init; }
    public required string DataDirectory { get; init; }
    public string? Database { get; init; }
    public bool Demo { get; init; }
    public int Iterations { get; init; } = 50;
    public int Warmup { get; init; } = 5;
    public int Reports { get; init; } = 20;
    public double ViewSeconds { get; init; } = 120;
    public string? Password { get; init; }
    public string? Admin { get; init; }
    public string? AdminPassword { get; init; }
    public string? District { get; init; }
}

/// <summary>
/// <c>bench read</c>: what the people who read OneGrid all day wait for — a district leader, a street dispatcher and a
/// community operator, each signed in over HTTP with an account of its own — timed as real requests, p50/p95/max per
/// view against issue 15's targets, with the server's resident memory and the command centre's live push after a report.
/// Targets are reported, not asserted: the exit code says only whether every request was answered.
/// </summary>
internal static class ReadBench
{
    public const double PageTargetMs = 50;
    public const double HeavyTargetMs = 200;
    public const double PushTargetMs = 1000;
    public const long RssTargetBytes = 1L << 30;

    /// <summary>Words residents use in reports, from the catalog's common types; the last is long enough for trigrams.</summary>
    public static readonly string[] SearchTerms = ["井盖", "路灯", "垃圾", "占道经营"];

    private sealed record Place(string Code, string Name, int Grids);

    private sealed record Places(Place District, Place Street, Place Community, Place Grid);

    /// <summary>One of the three people: key (as printed), role on the wire, grant unit, the unit one below it, the indicators' grouping.</summary>
    private sealed record Person(string Key, string Role, Place Unit, Place Child, string Grouping)
    {
        public string UserName => $"bench-{Key}-{Unit.Code}";
        public string Token { get; set; } = "";
    }

    private sealed record View(string Name, string Path, double TargetMs);

    private sealed record Timing(string Person, string View, double TargetMs, double[] Sorted, string? Error)
    {
        public double P50 => BenchHost.Percentile(Sorted, 0.50);
        public double P95 => BenchHost.Percentile(Sorted, 0.95);
        public double Max => Sorted.Length == 0 ? double.NaN : Sorted[^1];
        public bool Met => Error is null && P95 <= TargetMs;
    }

    private sealed class BenchFailure(string message) : Exception(message);

    public static async Task<int> RunAsync(ReadBenchOptions options, CancellationToken ct)
    {
        if (options.Iterations < 1 || options.Warmup < 0 || options.Reports < 0 || options.ViewSeconds <= 0)
        {
            AnsiConsole.MarkupLine("[red]--iterations must be ≥ 1, --warmup and --reports ≥ 0, --view-seconds > 0[/]");
            return 2;
        }
        try
        {
            await using var host = options.Url is null
                ? await BenchHost.StartAsync(options.DataDirectory, options.Database, options.Demo, ct)
                : BenchHost.Attach(options.Url, options.Pid);
            using var http = BenchHost.Client(host.Url);
            await BenchHost.WaitReadyAsync(http, ct, refusedIsFinal: options.Url is not null);
            var password = options.Password ?? RandomPassword();

            var adminToken = await AdminTokenAsync(http, options, password, ct);
            var places = await ChoosePlacesAsync(http, adminToken, options.District, ct);
            Console.WriteLine($"places: district {places.District.Code} {places.District.Name}; busiest street {places.Street.Code} {places.Street.Name} " +
                $"({places.Street.Grids} grids); its busiest community {places.Community.Code} {places.Community.Name} ({places.Community.Grids} grids)");
            Person[] people =
            [
                new("leader", "leader", places.District, places.Street, "street"),
                new("street", "street-dispatcher", places.Street, places.Community, "community"),
                new("community", "community-operator", places.Community, places.Grid, "grid"),
            ];
            foreach (var person in people)
            {
                person.Token = await EnsurePersonAsync(http, options, adminToken, person, password, ct);
            }
            Console.WriteLine($"accounts: {string.Join(", ", people.Select(p => $"{p.UserName} ({p.Role}@{p.Unit.Code})"))}");

            host.StartSampling();
            var timings = new List<Timing>();
            foreach (var person in people)
            {
                foreach (var view in await ViewsAsync(http, person, ct))
                {
                    timings.Add(await MeasureAsync(http, person, view, options, ct));
                }
            }
            var live = options.Reports > 0 ? await LivePushAsync(http, host.Url, adminToken, people[0], places.Community, options.Reports, ct) : null;
            Print(timings, live, host);
            return timings.Any(t => t.Error is not null) || live is { Failed: > 0 } ? 1 : 0;
        }
        catch (Exception e) when (e is BenchFailure or TimeoutException or HttpRequestException or InvalidOperationException)
        {
            // On standard error, so scripts reading the measurement lines from standard output see none.
            Console.Error.WriteLine("bench read: " + e.Message);
            return 1;
        }
    }

    // ---- who signs in ----------------------------------------------------------------------------------------------

    /// <summary>
    /// An administrator to create the bench's accounts with: the one named by <c>--admin</c>; else, on a host this bench
    /// started, <c>bench-admin</c> on the territory's root, written straight into the database (there is nobody yet who could
    /// create it over the API — as <c>users add-admin</c>); else the demo listing's administrator.
    /// </summary>
    private static async Task<string> AdminTokenAsync(HttpClient http, ReadBenchOptions options, string password, CancellationToken ct)
    {
        if (options.Admin is not null)
        {
            return await SignInAsync(http, options.Admin, options.AdminPassword ?? "", ct)
                ?? throw new BenchFailure($"Could not sign in as {options.Admin} (--admin, --admin-password).");
        }
        if (options.Url is null)
        {
            await SetPasswordDirectlyAsync(options, BenchAdmin, password, createAsRootAdmin: true, ct);
            return await SignInAsync(http, BenchAdmin, password, ct) ?? throw new BenchFailure($"Could not sign in as {BenchAdmin}.");
        }
        if (await BenchHost.DemoListingAsync(http, ct) is { } demo)
        {
            var pw = (string?)demo["password"] ?? "";
            return await SignInAsync(http, "admin", pw, ct) ?? throw new BenchFailure("Could not sign in as the demo administrator.");
        }
        throw new BenchFailure("Name an administrator to create the bench accounts with: --admin NAME --admin-password PASSWORD.");
    }

    private const string BenchAdmin = "bench-admin";

    /// <summary>
    /// Makes <paramref name="userName"/> sign in with <paramref name="password"/> on the bench's own database: a password set
    /// once (a random one by default) cannot be read back, and the API lets nobody set another's. Creates the account only
    /// for the bench administrator (an admin grant on the territory's root); the people are created through the API.
    /// </summary>
    private static async Task<bool> SetPasswordDirectlyAsync(ReadBenchOptions options, string userName, string password, bool createAsRootAdmin,
        CancellationToken ct)
    {
        var settings = new HostSettings
        {
            DataDirectory = Path.GetFullPath(options.DataDirectory),
            Database = DatabaseSettings.Parse(options.Database, Path.GetFullPath(options.DataDirectory)),
        };
        await using var app = OneGridApp.Build(settings, ["--Logging:LogLevel:Default=Warning"]);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<OneGridUser>>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        if (await users.FindByNameAsync(userName) is { } user)
        {
            Check(await users.RemovePasswordAsync(user), userName);
            Check(await users.AddPasswordAsync(user, password), userName);
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            return true;
        }
        if (!createAsRootAdmin) return false;
        var root = await db.Units.AsNoTracking().Where(u => u.ParentCode == null).OrderBy(u => u.Code).Select(u => u.Code).FirstOrDefaultAsync(ct)
            ?? throw new BenchFailure("The database holds no territory: import one (or simulate over the demo) first.");
        var now = time.GetUtcNow();
        var created = new OneGridUser { UserName = userName, DisplayName = "压测管理员", CreatedAt = now };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Check(await users.CreateAsync(created, password), userName);
        db.Grants.Add(new UserGrant { UserId = created.Id, Role = Role.Admin, UnitCode = root, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;

        static void Check(IdentityResult result, string name)
        {
            if (!result.Succeeded) throw new BenchFailure($"{name}: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>
    /// The person's account, created through the user administration API if missing (idempotent: an existing one gets the
    /// grant it lacks), then signed in. An existing account whose password differs is reset on a host this bench started;
    /// against <c>--url</c> the earlier run's <c>--password</c> is needed.
    /// </summary>
    private static async Task<string> EnsurePersonAsync(HttpClient http, ReadBenchOptions options, string adminToken, Person person, string password,
        CancellationToken ct)
    {
        var found = await SendJsonAsync(http, HttpMethod.Get, $"/api/v1/users?q={Uri.EscapeDataString(person.UserName)}&pageSize=50", adminToken, null, ct);
        var existing = found["items"]!.AsArray().OfType<JsonObject>().FirstOrDefault(u => (string?)u["userName"] == person.UserName);
        var displayName = person.Key switch
        {
            "leader" => $"压测·领导（{person.Unit.Name}）",
            "street" => $"压测·街道派遣员（{person.Unit.Name}）",
            _ => $"压测·社区受理员（{person.Unit.Name}）",
        };
        var grant = new JsonObject { ["role"] = person.Role, ["unitCode"] = person.Unit.Code };
        if (existing is null)
        {
            await SendJsonAsync(http, HttpMethod.Post, "/api/v1/users", adminToken, new JsonObject
            {
                ["userName"] = person.UserName, ["displayName"] = displayName, ["password"] = password, ["grants"] = new JsonArray(grant),
            }, ct);
        }
        else if (!existing["grants"]!.AsArray().OfType<JsonObject>()
                     .Any(g => (string?)g["role"] == person.Role && (string?)g["unitCode"] == person.Unit.Code))
        {
            await SendJsonAsync(http, HttpMethod.Post, $"/api/v1/users/{existing["id"]}/grants", adminToken, grant, ct);
        }
        if (await SignInAsync(http, person.UserName, password, ct) is { } token) return token;
        if (options.Url is null && await SetPasswordDirectlyAsync(options, person.UserName, password, createAsRootAdmin: false, ct)
            && await SignInAsync(http, person.UserName, password, ct) is { } again)
        {
            return again;
        }
        throw new BenchFailure($"{person.UserName} exists with another password: pass the earlier run's --password.");
    }

    /// <summary>
    /// A bearer token, or null for wrong credentials. Sign-in is limited per client address (10 a minute): runs in quick
    /// succession against one host wait for the limit rather than fail.
    /// </summary>
    private static async Task<string?> SignInAsync(HttpClient http, string userName, string password, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = userName, password }, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 4)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(30);
                Console.Error.WriteLine($"bench read: sign-in limited, waiting {wait.TotalSeconds:0} s");
                await Task.Delay(wait, ct);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new BenchFailure($"Sign-in as {userName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
            return (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(ct))?["accessToken"];
        }
    }

    /// <summary>A password the account rules accept (8+ characters, a digit, a lowercase letter), new each run.</summary>
    private static string RandomPassword() => "Bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) + "a7";

    // ---- where ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A district (<c>--district</c>, else the one of the administrator's territory with the most streets), its street with
    /// the most grids, that street's community with the most grids, and its first grid. Grids stand for cases: a history
    /// spread over the grids puts the most cases where the most grids are, and counting units costs a few small reads
    /// where counting cases would read the table this bench is about.
    /// </summary>
    private static async Task<Places> ChoosePlacesAsync(HttpClient http, string adminToken, string? districtCode, CancellationToken ct)
    {
        if (districtCode is null)
        {
            var me = await SendJsonAsync(http, HttpMethod.Get, "/api/v1/auth/me", adminToken, null, ct);
            var root = me["grants"]!.AsArray().OfType<JsonObject>().Where(g => (string?)g["role"] == "admin")
                .Select(g => (string)g["unitCode"]!).OrderBy(c => c.Length).ThenBy(c => c, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new BenchFailure("The administrator holds no admin grant.");
            var rootUnit = await SendJsonAsync(http, HttpMethod.Get, $"/api/v1/units/{root}", null, null, ct);
            districtCode = (string?)rootUnit["level"] switch
            {
                "district" => root,
                "city" => (await ChildrenAsync(http, root, ct)).Where(u => (string?)u["level"] == "district" && (int)u["childCount"]! > 0)
                    .OrderByDescending(u => (int)u["childCount"]!).ThenBy(u => (string)u["code"]!, StringComparer.Ordinal)
                    .Select(u => (string)u["code"]!).FirstOrDefault(),
                _ => null,
            } ?? throw new BenchFailure($"No district with streets under {root}: name one with --district.");
        }
        var district = await SendJsonAsync(http, HttpMethod.Get, $"/api/v1/units/{Uri.EscapeDataString(districtCode)}", null, null, ct);
        if ((string?)district["level"] != "district") throw new BenchFailure($"{districtCode} is not a district.");

        var streets = new List<(Place Street, List<Place> Communities)>();
        foreach (var street in await ChildrenAsync(http, districtCode, ct))
        {
            var communities = (await ChildrenAsync(http, (string)street["code"]!, ct))
                .Select(c => new Place((string)c["code"]!, (string)c["name"]!, (int)c["childCount"]!)).ToList();
            streets.Add((new Place((string)street["code"]!, (string)street["name"]!, communities.Sum(c => c.Grids)), communities));
        }
        var busiest = streets.Where(s => s.Street.Grids > 0).OrderByDescending(s => s.Street.Grids).ThenBy(s => s.Street.Code, StringComparer.Ordinal)
            .FirstOrDefault();
        if (busiest.Street is null) throw new BenchFailure($"District {districtCode} has no grids.");
        var community = busiest.Communities.OrderByDescending(c => c.Grids).ThenBy(c => c.Code, StringComparer.Ordinal).First();
        var grid = (await ChildrenAsync(http, community.Code, ct)).Select(g => new Place((string)g["code"]!, (string)g["name"]!, 1))
            .OrderBy(g => g.Code, StringComparer.Ordinal).First();
        var total = streets.Sum(s => s.Street.Grids);
        return new Places(new Place(districtCode, (string)district["name"]!, total), busiest.Street, community, grid);
    }

    private static async Task<List<JsonObject>> ChildrenAsync(HttpClient http, string code, CancellationToken ct)
    {
        var all = new List<JsonObject>();
        for (var page = 1; ; page++)
        {
            var body = await SendJsonAsync(http, HttpMethod.Get, $"/api/v1/units/{Uri.EscapeDataString(code)}/children?page={page}&pageSize=500", null, null, ct);
            var items = body["items"]!.AsArray().OfType<JsonObject>().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= (int)body["total"]!) return all;
        }
    }

    // ---- what is read -----------------------------------------------------------------------------------------------

    /// <summary>
    /// The views a person opens, as the pages and the API ask for them: the command centre's snapshot and page, the map page
    /// (its server rendering reads the markers), the inbox's and the case list's first page — unfiltered and under each single
    /// filter — text search, and a year of indicators grouped one level below the person's unit.
    /// </summary>
    private static async Task<List<View>> ViewsAsync(HttpClient http, Person person, CancellationToken ct)
    {
        var zone = new CalendarOptions().Zone();
        var now = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), zone);
        DateTimeOffset LocalMidnight(DateTime day) => new(day.Date, zone.GetUtcOffset(day.Date));
        static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        var thisMonth = LocalMidnight(new DateTime(now.Year, now.Month, 1));
        var lastMonth = LocalMidnight(new DateTime(now.Year, now.Month, 1).AddMonths(-1));
        var yearAgo = LocalMidnight(now.Date.AddYears(-1));

        // The most reported type this month in the person's scope, as the command centre ranks them.
        var month = await SendJsonAsync(http, HttpMethod.Get, "/api/v1/command-centre?period=month", person.Token, null, ct);
        var topCategory = month["byCategory"]!.AsArray().OfType<JsonObject>().Select(c => (string?)c["code"]).FirstOrDefault(c => !string.IsNullOrEmpty(c))
            ?? "01";

        var views = new List<View>
        {
            new("command-centre-today", "/api/v1/command-centre?period=today", PageTargetMs),
            new("command-centre-month", "/api/v1/command-centre?period=month", PageTargetMs),
            // The wall screen's page: its server rendering reads the snapshot, the map's markers and the disputes panel.
            new("command-centre-page", "/command", PageTargetMs),
            new("map", "/map", PageTargetMs),
            new("inbox", "/api/v1/inbox", PageTargetMs),
            new("list", "/api/v1/cases", PageTargetMs),
        };
        views.AddRange(Enum.GetValues<CaseState>().Select(s => new View($"list-state-{s}", $"/api/v1/cases?state={s}", PageTargetMs)));
        views.Add(new("list-category", $"/api/v1/cases?category={Uri.EscapeDataString(topCategory)}", PageTargetMs));
        foreach (var flag in new[] { "overdue", "supervised", "extended", "suspended" })
        {
            views.Add(new($"list-{flag}", $"/api/v1/cases?{flag}=true", PageTargetMs));
        }
        views.Add(new("list-last-month", $"/api/v1/cases?from={Q(lastMonth)}&to={Q(thisMonth)}", PageTargetMs));
        views.Add(new("list-unit", $"/api/v1/cases?unit={Uri.EscapeDataString(person.Child.Code)}", PageTargetMs));
        views.AddRange(SearchTerms.Select(term => new View($"search-{term}", $"/api/v1/cases?q={Uri.EscapeDataString(term)}", HeavyTargetMs)));
        views.Add(new("indicators-year",
            $"/api/v1/indicators?by={person.Grouping}&unit={Uri.EscapeDataString(person.Unit.Code)}&from={Q(yearAgo)}&to={Q(now)}", HeavyTargetMs));
        return views;
    }

    /// <summary>
    /// Warm-up requests (not counted), then N sequential ones. A view slower than its time budget is cut short (after at
    /// least three timed requests) so a run over a history the host cannot yet read fast still ends; the line shows n.
    /// </summary>
    private static async Task<Timing> MeasureAsync(HttpClient http, Person person, View view, ReadBenchOptions options, CancellationToken ct)
    {
        var samples = new List<double>(options.Iterations);
        var budget = TimeSpan.FromSeconds(options.ViewSeconds);
        var spent = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < options.Warmup && spent.Elapsed < budget / 4; i++) await TimedGetAsync(http, view.Path, person.Token, ct);
            spent.Restart();
            for (var i = 0; i < options.Iterations && (i < 3 || spent.Elapsed < budget); i++)
            {
                samples.Add(await TimedGetAsync(http, view.Path, person.Token, ct));
            }
        }
        catch (Exception e) when (e is BenchFailure or HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var why = e is TaskCanceledException ? $"GET {view.Path}: no answer within {http.Timeout.TotalSeconds:0} s" : e.Message;
            return new Timing(person.Key, view.Name, view.TargetMs, [], why);
        }
        return new Timing(person.Key, view.Name, view.TargetMs, samples.Order().ToArray(), null);
    }

    private static async Task<double> TimedGetAsync(HttpClient http, string path, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            var text = System.Text.Encoding.UTF8.GetString(body);
            throw new BenchFailure($"GET {path}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        }
        return elapsed;
    }

    private static async Task<JsonObject> SendJsonAsync(HttpClient http, HttpMethod method, string path, string? token, JsonObject? body,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new BenchFailure($"{method} {path}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        return JsonNode.Parse(text) as JsonObject ?? throw new BenchFailure($"{method} {path}: not a JSON object");
    }

    // ---- live push --------------------------------------------------------------------------------------------------

    private sealed record LiveResult(double[] Push, double[] Snapshot, int Stale, int Failed);

    /// <summary>
    /// The command centre on a wall screen: the leader connected to <c>/hubs/live</c>; a report is posted in the busiest
    /// community (with an API key the bench issues and revokes), and the time is taken from the post until the hub tells
    /// the leader, then until the refreshed snapshot has been read. A snapshot that does not yet count the report is stale.
    /// Reports are spaced by a random pause so they fall anywhere in the host's polling period.
    /// </summary>
    private static async Task<LiveResult> LivePushAsync(HttpClient http, string url, string adminToken, Person leader, Place community, int reports,
        CancellationToken ct)
    {
        var key = await SendJsonAsync(http, HttpMethod.Post, "/api/v1/api-keys", adminToken, new JsonObject
        {
            ["name"] = "bench read " + DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["grants"] = new JsonArray(new JsonObject { ["role"] = "district-dispatcher", ["unitCode"] = leader.Unit.Code }),
        }, ct);
        var apiKey = (string)key["key"]!;
        var pushes = Channel.CreateUnbounded<(long At, string[] Codes)>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(url), LiveHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(leader.Token))
            .Build();
        connection.On<JsonElement>(LiveHub.CasesChangedMethod, message =>
        {
            var codes = message.GetProperty("unitCodes").EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
            pushes.Writer.TryWrite((Stopwatch.GetTimestamp(), codes));
        });
        var push = new List<double>();
        var snapshot = new List<double>();
        int stale = 0, failed = 0;
        try
        {
            await connection.StartAsync(ct);
            var grids = await GridShapesAsync(http, community.Code, ct);
            var rng = new Random(15);
            for (var i = 0; i < reports; i++)
            {
                await Task.Delay(rng.Next(0, 500), ct);
                var before = ReportedToday(await SendJsonAsync(http, HttpMethod.Get, "/api/v1/command-centre?period=today", leader.Token, null, ct));
                while (pushes.Reader.TryRead(out _)) { }
                var point = Tessellator.RandomPointsInside(grids[rng.Next(grids.Count)], 1, rng)[0];
                var start = Stopwatch.GetTimestamp();
                using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports")
                {
                    Content = JsonContent.Create(new JsonObject
                    {
                        ["lon"] = point.X, ["lat"] = point.Y, ["description"] = $"压测实时推送 {i + 1}：路灯不亮", ["categoryCode"] = null,
                    }),
                };
                post.Headers.Add("X-Api-Key", apiKey);
                using var posted = await http.SendAsync(post, ct);
                if (posted.StatusCode != HttpStatusCode.Created)
                {
                    failed++;
                    continue;
                }
                var grid = (string?)(await posted.Content.ReadFromJsonAsync<JsonObject>(ct))?["path"]?.AsArray()[^1]?["code"] ?? "";
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds(10));
                long? arrived = null;
                try
                {
                    while (arrived is null)
                    {
                        var (at, codes) = await pushes.Reader.ReadAsync(wait.Token);
                        if (codes.Contains(grid)) arrived = at;
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    failed++;
                    continue;
                }
                push.Add(Stopwatch.GetElapsedTime(start, arrived.Value).TotalMilliseconds);
                var after = ReportedToday(await SendJsonAsync(http, HttpMethod.Get, "/api/v1/command-centre?period=today", leader.Token, null, ct));
                snapshot.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (after <= before) stale++;
            }
        }
        finally
        {
            await connection.DisposeAsync();
            await SendJsonAsync(http, HttpMethod.Post, $"/api/v1/api-keys/{key["id"]}/revoke", adminToken, null, CancellationToken.None);
        }
        return new LiveResult(push.Order().ToArray(), snapshot.Order().ToArray(), stale, failed);

        static long ReportedToday(JsonObject snapshot) => (long?)snapshot["kpis"]?["reportedToday"] ?? 0;
    }

    private static async Task<List<Geometry>> GridShapesAsync(HttpClient http, string community, CancellationToken ct)
    {
        var json = new JsonSerializerOptions();
        json.Converters.Add(new GeoJsonConverterFactory());
        var features = await http.GetFromJsonAsync<FeatureCollection>($"/api/v1/units/{Uri.EscapeDataString(community)}/children.geojson", json, ct);
        var shapes = features?.Select(f => f.Geometry).Where(g => g is Polygon or MultiPolygon).ToList() ?? [];
        return shapes.Count > 0 ? shapes : throw new BenchFailure($"Community {community} has no grid outlines to report in.");
    }

    // ---- output -----------------------------------------------------------------------------------------------------

    private static void Print(List<Timing> timings, LiveResult? live, BenchHost host)
    {
        // One table per person, so a terminal of 80 columns shows each row on one line.
        foreach (var person in timings.GroupBy(t => t.Person))
        {
            var table = new Table { Title = new TableTitle(person.Key) }.AddColumns("view", "p50 ms", "p95 ms", "max ms", "n", "target p95", "");
            foreach (var t in person)
            {
                table.AddRow(Markup.Escape(t.View), Ms(t.P50), Ms(t.P95), Ms(t.Max), t.Sorted.Length.ToString(CultureInfo.InvariantCulture), $"≤ {t.TargetMs:0}",
                    t.Error is not null ? "[red]error[/]" : t.Met ? "[green]ok[/]" : "[red]over[/]");
            }
            if (live is not null && person.Key == "leader")
            {
                table.AddRow("live push", Ms(P(live.Push, 0.5)), Ms(P(live.Push, 0.95)), Ms(Last(live.Push)),
                    live.Push.Length.ToString(CultureInfo.InvariantCulture), $"≤ {PushTargetMs:0}",
                    live.Push.Length > 0 && P(live.Push, 0.95) <= PushTargetMs && live.Failed == 0 ? "[green]ok[/]" : "[red]over[/]");
                table.AddRow("live push + snapshot", Ms(P(live.Snapshot, 0.5)), Ms(P(live.Snapshot, 0.95)), Ms(Last(live.Snapshot)),
                    live.Snapshot.Length.ToString(CultureInfo.InvariantCulture), "", "");
            }
            AnsiConsole.Write(table);
        }

        // One line per measurement, for scripts and the README; the same numbers as the table.
        foreach (var t in timings)
        {
            Console.WriteLine(t.Error is null
                ? $"read: {t.Person} {t.View} p50={Ms(t.P50)} p95={Ms(t.P95)} max={Ms(t.Max)} n={t.Sorted.Length} target={t.TargetMs:0} {(t.Met ? "ok" : "over")}"
                : $"read: {t.Person} {t.View} error: {t.Error}");
        }
        if (live is not null)
        {
            var met = live.Push.Length > 0 && P(live.Push, 0.95) <= PushTargetMs && live.Failed == 0;
            Console.WriteLine($"live: leader push p50={Ms(P(live.Push, 0.5))} p95={Ms(P(live.Push, 0.95))} max={Ms(Last(live.Push))} " +
                $"target={PushTargetMs:0} {(met ? "ok" : "over")} ({live.Push.Length} reports, {live.Failed} without a push within 10 s)");
            Console.WriteLine($"live: leader push+snapshot p50={Ms(P(live.Snapshot, 0.5))} p95={Ms(P(live.Snapshot, 0.95))} max={Ms(Last(live.Snapshot))} " +
                $"({live.Stale} snapshots not yet counting the report)");
        }
        Console.WriteLine(host.MaxRssBytes is { } rss
            ? $"rss: max={rss / (1024.0 * 1024):0} MiB target={RssTargetBytes / (1024 * 1024)} MiB {(rss <= RssTargetBytes ? "ok" : "over")} (process {host.Pid})"
            : "rss: unknown (with --url, pass the server's --pid)");

        static double P(double[] sorted, double q) => BenchHost.Percentile(sorted, q);
        static double Last(double[] sorted) => sorted.Length == 0 ? double.NaN : sorted[^1];
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
}
