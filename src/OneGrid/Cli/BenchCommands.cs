using System.CommandLine;
using System.Diagnostics;
using NetTopologySuite.Geometries;
using OneGrid.Territory;
using OneGrid.Territory.Generation;
using Spectre.Console;

namespace OneGrid.Cli;

internal static class BenchCommands
{
    public static Command Create()
    {
        var grids = new Option<int>("--grids") { Description = "How many grids to generate over Hangzhou", DefaultValueFactory = _ => 30_000 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var postgis = new Option<bool>("--postgis") { Description = "Also run the same points as ST_Contains queries in PostGIS and compare" };
        var pg = new Option<string?>("--pg") { Description = "PostGIS connection string (default: start a throwaway cluster with scripts/pg-throwaway.sh)" };

        var hangzhou = new Option<bool>("--hangzhou") { Description = "Use the generated tree of all Hangzhou (33,193 grids of very unequal size) instead of N even grids" };
        var resolve = new Command("resolve", "Point → grid lookups per second on one thread") { grids, seconds, seed, postgis, pg, hangzhou };
        resolve.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(grids);
            if (n < 1) { AnsiConsole.MarkupLine("[red]--grids must be ≥ 1[/]"); return 2; }
            var setup = parse.GetValue(hangzhou) ? ResolveBench.SetupHangzhou(parse.GetValue(seed)) : ResolveBench.Setup(n, parse.GetValue(seed));
            AnsiConsole.MarkupLineInterpolated($"{setup.Index.GridCount:N0} grids over Hangzhou generated in {setup.GenerateSeconds:0.0} s; index built in {setup.IndexSeconds:0.00} s");
            var rate = ResolveBench.Measure(setup.Index, setup.Points, TimeSpan.FromSeconds(parse.GetValue(seconds)));
            if (parse.GetValue(postgis))
            {
                var pgRate = await PostgisBench.MeasureAsync(setup, parse.GetValue(pg), TimeSpan.FromSeconds(parse.GetValue(seconds)), ct);
                Console.WriteLine($"postgis: {pgRate:0} lookups/s over {setup.Index.GridCount} grids (ST_Contains on a GiST index, 2 clients)");
                Console.WriteLine($"ratio: OneGrid is {rate / pgRate:0}x PostGIS");
            }
            Console.WriteLine($"resolve: {rate:0} lookups/s over {setup.Index.GridCount} grids");
            return 0;
        });
        var url = new Option<string?>("--url") { Description = "A running host to post to (default: start one in this process on a fresh demo database)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Key to report with (default: the demo key the host lists)" };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients (connections) for the maximum-rate run", DefaultValueFactory = _ => 64 };
        var rate = new Option<double>("--rate") { Description = "Fixed rate for the latency run (reports/s)", DefaultValueFactory = _ => 500 };
        var intakeSeconds = new Option<double>("--seconds") { Description = "How long each run lasts", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of load before measuring", DefaultValueFactory = _ => 15 };
        var intake = new Command("intake", "Reports per second and latency over HTTP") { url, apiKey, clients, rate, intakeSeconds, warmup };
        intake.SetAction((parse, ct) => IntakeBench.RunAsync(parse.GetValue(url), parse.GetValue(OneGridCli.DatabaseOption), parse.GetValue(apiKey),
            parse.GetValue(intakeSeconds), parse.GetValue(clients), parse.GetValue(rate), parse.GetValue(warmup), ct));

        return new Command("bench", "Benchmarks") { resolve, intake, ReadCommand() };
    }

    private static Command ReadCommand()
    {
        var url = new Option<string?>("--url") { Description = "A running host to read from (default: start one in a child process over --data / --database)" };
        var pid = new Option<int?>("--pid") { Description = "With --url: the server's process id, to report its resident memory" };
        var demo = new Option<bool>("--demo") { Description = "Start the host with --demo (loads the demo district into an empty data folder)" };
        var iterations = new Option<int>("--iterations") { Description = "Timed requests per view and person", DefaultValueFactory = _ => 50 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed requests per view before those", DefaultValueFactory = _ => 5 };
        var reports = new Option<int>("--reports") { Description = "Reports posted to time the command centre's live push (0: none)", DefaultValueFactory = _ => 20 };
        var viewSeconds = new Option<double>("--view-seconds")
        {
            Description = "Time budget per view: a slower view stops after at least 3 timed requests", DefaultValueFactory = _ => 120,
        };
        var password = new Option<string?>("--password") { Description = "Password of the bench accounts (default: a new random one; reset on a host the bench starts)" };
        var admin = new Option<string?>("--admin") { Description = "Administrator who creates the bench accounts (default: bench-admin on an own host, the demo admin with --url)" };
        var adminPassword = new Option<string?>("--admin-password") { Description = "Password of --admin" };
        var district = new Option<string?>("--district") { Description = "District code to measure (default: the one with the most streets)" };
        var read = new Command("read", "What a leader, a street dispatcher and a community operator wait for: p50/p95 per view over HTTP, live push, host memory")
        {
            url, pid, demo, iterations, warmup, reports, viewSeconds, password, admin, adminPassword, district,
        };
        read.SetAction((parse, ct) => ReadBench.RunAsync(new ReadBenchOptions
        {
            Url = parse.GetValue(url),
            Pid = parse.GetValue(pid),
            DataDirectory = parse.GetValue(OneGridCli.DataOption)!,
            Database = parse.GetValue(OneGridCli.DatabaseOption) ?? Environment.GetEnvironmentVariable("ONEGRID_DATABASE"),
            Demo = parse.GetValue(demo),
            Iterations = parse.GetValue(iterations),
            Warmup = parse.GetValue(warmup),
            Reports = parse.GetValue(reports),
            ViewSeconds = parse.GetValue(viewSeconds),
            Password = parse.GetValue(password),
            Admin = parse.GetValue(admin),
            AdminPassword = parse.GetValue(adminPassword),
            District = parse.GetValue(district),
        }, ct));
        return read;
    }
}

internal sealed record ResolveBenchSetup(TerritoryIndex Index, IReadOnlyList<(string Code, Geometry Boundary)> Grids, Coordinate[] Points,
    double GenerateSeconds, double IndexSeconds);

internal static class ResolveBench
{
    /// <summary>
    /// N grids tessellated over the whole of Hangzhou (the union of its district outlines), and
    /// 100,000 random lookup points inside it.
    /// </summary>
    public static ResolveBenchSetup Setup(int gridCount, int seed)
    {
        var watch = Stopwatch.StartNew();
        var city = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(
            TerritoryGenerator.HangzhouOutlines().Values.Select(Tessellator.Normalize).ToList());
        city = Tessellator.Normalize(city);
        var cells = Tessellator.Split(city, gridCount, seed, relaxations: 1);
        var grids = cells.Select((g, i) => ($"B{i + 1:D7}", g)).ToList();
        var generate = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var index = new TerritoryIndex(grids.Select(g => new UnitRef(g.Item1, g.Item1, UnitLevel.Grid, null)), grids, revision: 1);
        var indexSeconds = watch.Elapsed.TotalSeconds;
        var points = Tessellator.RandomPointsInside(city, 100_000, new Random(seed + 1));
        return new ResolveBenchSetup(index, grids, points, generate, indexSeconds);
    }

    /// <summary>The whole generated city tree: grids as small as an old-town block and as large as a mountain village.</summary>
    public static ResolveBenchSetup SetupHangzhou(int seed)
    {
        var watch = Stopwatch.StartNew();
        var units = TerritoryGenerator.Generate(Territory.Import.DivisionsCsv.Hangzhou(), TerritoryGenerator.HangzhouOutlines(), "3301",
            new GenerationOptions { Seed = seed });
        var grids = units.Where(u => u.Level == UnitLevel.Grid).Select(u => (u.Code, u.Boundary!)).ToList();
        var generate = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var index = new TerritoryIndex(units.Select(u => new UnitRef(u.Code, u.Name, u.Level, u.ParentCode)), grids, revision: 1);
        var indexSeconds = watch.Elapsed.TotalSeconds;
        var city = units.Single(u => u.Level == UnitLevel.City).Boundary!;
        var points = Tessellator.RandomPointsInside(city, 100_000, new Random(seed + 1));
        return new ResolveBenchSetup(index, grids, points, generate, indexSeconds);
    }

    public static double Measure(TerritoryIndex index, Coordinate[] points, TimeSpan duration)
    {
        // Warm up, and check every point resolves: a benchmark of misses would flatter the index.
        var misses = 0;
        foreach (var p in points) if (index.Resolve(p.X, p.Y) is null) misses++;
        if (misses > 0) throw new InvalidOperationException($"{misses} benchmark points resolved to no grid.");

        long count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < points.Length; i++)
            {
                if (index.Resolve(points[i].X, points[i].Y) is null) misses++;
            }
            count += points.Length;
        }
        return count / watch.Elapsed.TotalSeconds;
    }
}
