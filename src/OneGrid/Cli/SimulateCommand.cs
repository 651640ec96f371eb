using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Cases.Simulation;
using OneGrid.Cases.Tallies;
using OneGrid.Catalog;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;
using Spectre.Console;

namespace OneGrid.Cli;

/// <summary><c>simulate</c> (a realistic history of cases) and <c>tallies rebuild</c> (the cases read model from scratch).</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var cases = new Option<long>("--cases") { Description = "How many cases to add", Required = true };
        var days = new Option<int>("--days") { Description = "Over how many days up to now", DefaultValueFactory = _ => 365 };
        var seed = new Option<int>("--seed") { Description = "The same seed (and clock) gives the same history", DefaultValueFactory = _ => 1 };
        var demo = new Option<bool>("--demo") { Description = "Load the demo district (滨江区), its departments and accounts first, as serve --demo does (done anyway when no territory is loaded)" };
        var command = new Command("simulate", "Add a realistic history of cases over the territory loaded (for benchmarks and trials at scale)")
        {
            cases, days, seed, demo,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = new SimulationRequest(parse.GetValue(cases), parse.GetValue(days), parse.GetValue(seed));
            if (request.Cases < 1) return Fail("--cases must be at least 1");
            if (request.Days is < 1 or > 3660) return Fail("--days must be between 1 and 3660");
            var outcome = await SimulateAsync(Settings(parse, parse.GetValue(demo)), request, clock: null, ct);
            if (outcome is null)
            {
                return Fail("The territory has no grids with boundaries to place reports in: import polygons or generate grids.");
            }
            var result = outcome;
            foreach (var (state, count) in result.ByState.OrderBy(s => s.Key))
            {
                AnsiConsole.MarkupLineInterpolated($"  {CaseService.StateZh(state)} {state}: {count:N0}");
            }
            // Generating runs beside writing; the indexes are built after the last row.
            Console.WriteLine($"  generating {result.GenerateTime.TotalSeconds:0.0} s (beside the writes), building the indexes {result.IndexTime.TotalSeconds:0.0} s");
            Console.WriteLine($"simulate: {result.Cases} cases in {result.Elapsed.TotalSeconds:0.0} s ({result.CasesPerSecond:0} cases/s), {result.Events} timeline entries");
            return 0;
        });
        return command;
    }

    public static Command Tallies()
    {
        var rebuild = new Command("rebuild", "Recompute the case tallies (the command centre's and indicators' counts) from the cases");
        rebuild.SetAction(async (parse, ct) =>
        {
            await using var app = Build(Settings(parse, demo: false));
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await PersistenceServices.MigrateAsync(db, ct);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var zone = app.Services.GetRequiredService<CaseTallyInterceptor>().Zone;
            var counted = await AnsiConsole.Status().StartAsync("Counting cases…", _ => CaseTallyRebuild.RunAsync(db, zone, onlyIfEmpty: false, ct));
            Console.WriteLine($"tallies rebuild: {counted} cases in {watch.Elapsed.TotalSeconds:0.0} s");
            return 0;
        });
        return new Command("tallies", "The cases read model") { rebuild };
    }

    /// <summary>
    /// Prepares the database as a starting host would and adds the history, with a progress bar. Null when no territory is
    /// loaded. <paramref name="clock"/> replaces the system clock (the history ends at its now).
    /// </summary>
    internal static async Task<SimulationResult?> SimulateAsync(HostSettings settings, SimulationRequest request, TimeProvider? clock, CancellationToken ct)
    {
        if (!settings.Demo && !await HasGridsAsync(settings, ct))
        {
            // Nothing to place reports in: the demo district, as serve --demo would load it, so a bare data folder works.
            AnsiConsole.MarkupLine("No territory is loaded: loading the demo district 滨江区 (330108) and its departments, as serve --demo does.");
            settings = new HostSettings { DataDirectory = settings.DataDirectory, Database = settings.Database, Demo = true, Urls = settings.Urls };
        }
        await using var app = Build(settings, clock);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        await PrepareAsync(app.Services, db, ct);
        var territory = app.Services.GetRequiredService<TerritoryIndexHolder>();
        if (territory.Current.GridCount == 0) return null;
        var world = await SimulationWorld.LoadAsync(db, territory.Current, await app.Services.GetRequiredService<CatalogCache>().GetAsync(ct),
            app.Services.GetRequiredService<WorkingCalendarProvider>().Current, app.Services.GetRequiredService<IOptions<CaseOptions>>().Value, ct);
        AnsiConsole.MarkupLineInterpolated(
            $"Simulating {request.Cases:N0} cases over {request.Days} days on {world.Grids.Length:N0} grids and {world.Categories.Length} categories ({settings.Database.Describe()})");
        var simulator = new HistorySimulator(world, app.Services.GetRequiredService<TimeProvider>());
        SimulationResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("cases", maxValue: request.Cases);
                result = await simulator.RunAsync(db, request, new Progress<long>(n => task.Value = n), ct);
                task.Value = request.Cases;
            });
        return result;
    }

    private static async Task<bool> HasGridsAsync(HostSettings settings, CancellationToken ct)
    {
        await using var db = PersistenceServices.CreateContext(settings.Database);
        await PersistenceServices.MigrateAsync(db, ct);
        return await db.Units.AnyAsync(u => u.Level == UnitLevel.Grid && u.Boundary != null, ct);
    }

    /// <summary>The host's services without serving: its start-up logging would only bury the progress bar.</summary>
    private static WebApplication Build(HostSettings settings, TimeProvider? clock = null) =>
        OneGridApp.Build(settings, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            if (clock is not null) b.Services.AddSingleton(clock);
        });

    private static HostSettings Settings(ParseResult parse, bool demo) => new()
    {
        DataDirectory = Path.GetFullPath(parse.GetValue(OneGridCli.DataOption)!),
        Database = OneGridCli.Database(parse),
        Demo = demo,
    };

    /// <summary>What a host does at start before it serves (<see cref="StartupWork"/>): migrate, the demo district if asked, every module's start-up task, the territory index.</summary>
    internal static async Task PrepareAsync(IServiceProvider services, OneGridDbContext db, CancellationToken ct)
    {
        var settings = services.GetRequiredService<HostSettings>();
        await PersistenceServices.MigrateAsync(db, ct);
        if (settings.Demo)
        {
            await DemoTerritory.EnsureAsync(db, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>().CreateLogger("simulate"), ct);
        }
        foreach (var task in services.GetServices<IStartupTask>().OrderBy(t => t.Order))
        {
            using var taskScope = services.CreateScope();
            await task.RunAsync(taskScope.ServiceProvider, settings, ct);
        }
        await services.GetRequiredService<TerritoryIndexHolder>().RefreshAsync(db, force: true, ct);
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]{message}[/]");
        return 2;
    }
}
