using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OneGrid.Cli;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Tests.Cli;

/// <summary>The CLI verbs as an administrator runs them, on a real SQLite file.</summary>
[Collection(ConsoleCapture.Name)]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<int> UnitCount()
    {
        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));
        return await db.Units.CountAsync();
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Import_divisions_dry_run_then_for_real()
    {
        var csv = Write("d.csv", "code,name,level,parent_code\n3301,杭州市,city,\n330108,滨江区,district,3301\n330108001,西兴街道,street,330108\n");

        Assert.Equal(0, await OneGridCli.RunAsync(["import", "divisions", csv, "--dry-run", "--data", _dir]));
        Assert.Equal(0, await UnitCount());

        Assert.Equal(0, await OneGridCli.RunAsync(["import", "divisions", csv, "--data", _dir]));
        Assert.Equal(3, await UnitCount());
    }

    [Fact]
    public async Task Import_divisions_with_problems_exits_1_and_writes_nothing()
    {
        var csv = Write("d.csv", "code,name,level,parent_code\n3301,杭州市,city,\n330108,滨江区,district,3301\n330199001,某街道,street,330199\n");
        Assert.Equal(1, await OneGridCli.RunAsync(["import", "divisions", csv, "--data", _dir]));
        Assert.Equal(0, await UnitCount());
    }

    [Fact]
    public async Task Generated_geojson_imports_back_as_the_same_grids()
    {
        var geojson = Path.Combine(_dir, "binjiang.geojson");
        Assert.Equal(0, await OneGridCli.RunAsync(["generate", "grids", "--scope", "330108", "--out", geojson, "--data", _dir]));

        var divisions = Write("d.csv", "code,name,level,parent_code\n3301,杭州市,city,\n");
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "divisions", divisions, "--data", _dir]));
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "polygons", geojson, "--data", _dir]));

        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));
        var grids = await db.Units.Where(u => u.Level == UnitLevel.Grid).ToListAsync();
        Assert.InRange(grids.Count, 67 * 8, 67 * 12);
        Assert.All(grids, g => Assert.NotNull(g.Boundary));
        Assert.Equal(67, await db.Units.CountAsync(u => u.Level == UnitLevel.Community));

        // Same seed, same map: generating again into the database changes no polygon.
        static string Shape(byte[] wkb) => new NetTopologySuite.IO.WKBReader().Read(wkb).Normalized().ToText();
        var before = grids.ToDictionary(g => g.Code, g => Shape(g.Boundary!));
        Assert.Equal(0, await OneGridCli.RunAsync(["generate", "grids", "--scope", "330108", "--data", _dir]));
        db.ChangeTracker.Clear();
        var after = (await db.Units.Where(u => u.Level == UnitLevel.Grid).ToListAsync()).ToDictionary(g => g.Code, g => Shape(g.Boundary!));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Import_polygons_refuses_a_file_that_is_not_geojson()
    {
        var bad = Write("bad.geojson", "{ this is not json");
        Assert.Equal(2, await OneGridCli.RunAsync(["import", "polygons", bad, "--data", _dir]));
        Assert.Equal(2, await OneGridCli.RunAsync(["import", "polygons", Path.Combine(_dir, "missing.geojson"), "--data", _dir]));
    }

    [Fact]
    public async Task Bench_resolve_prints_its_rate_as_the_last_line()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, await OneGridCli.RunAsync(["bench", "resolve", "--grids", "500", "--seconds", "0.2"]));
        }
        finally
        {
            Console.SetOut(original);
        }
        var last = output.ToString().Trim().Split('\n')[^1];
        Assert.Matches(@"^resolve: \d+ lookups/s over 500 grids$", last.Trim());
    }

    [Fact]
    public async Task The_first_administrator_is_created_from_the_command_line_and_can_sign_in()
    {
        var csv = Write("d.csv", "code,name,level,parent_code\n3301,杭州市,city,\n");
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "divisions", csv, "--data", _dir]));

        async Task<int> AddAdmin(string name, string unit, string password)
        {
            var original = Console.In;
            Console.SetIn(new StringReader(password + "\n"));
            try { return await OneGridCli.RunAsync(["users", "add-admin", name, "--unit", unit, "--password-stdin", "--data", _dir]); }
            finally { Console.SetIn(original); }
        }
        Assert.Equal(1, await AddAdmin("chief", "3301", "short"));          // password rules apply
        Assert.Equal(2, await AddAdmin("chief", "9999", "Str0ng-pass!"));   // no such unit
        Assert.Equal(0, await AddAdmin("chief", "3301", "Str0ng-pass!"));
        Assert.Equal(2, await AddAdmin("chief", "3301", "Str0ng-pass!"));   // exists already

        var database = DatabaseSettings.Parse(null, _dir);
        var (app, client) = await OneGrid.Tests.Integration.HostFixture.StartAsync(_dir, database, demo: false);
        await using (app)
        {
            var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "chief", password = "Str0ng-pass!" });
            Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
            var token = (string)(await login.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["accessToken"]!;
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var verify = await client.GetAsync("/api/v1/audit/verify"); // an administrators-only endpoint
            Assert.Equal(System.Net.HttpStatusCode.OK, verify.StatusCode);
            await app.StopAsync();
        }
    }
}
