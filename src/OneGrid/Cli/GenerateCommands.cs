using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;
using Spectre.Console;

namespace OneGrid.Cli;

internal static class GenerateCommands
{
    public static Command Create()
    {
        var scope = new Option<string>("--scope")
        {
            Description = "A city or district code of the shipped Hangzhou divisions: 3301 (all Hangzhou) or e.g. 330108 (滨江区)",
            DefaultValueFactory = _ => "330108",
        };
        var seed = new Option<int>("--seed") { Description = "Same seed, same map", DefaultValueFactory = _ => 1 };
        var min = new Option<int>("--min-grids") { Description = "Fewest grids per community", DefaultValueFactory = _ => 8 };
        var max = new Option<int>("--max-grids") { Description = "Most grids per community", DefaultValueFactory = _ => 12 };
        var buildings = new Option<int>("--buildings") { Description = "Buildings (points) per grid", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo?>("--out") { Description = "Write a GeoJSON FeatureCollection instead of importing into the database" };

        var grids = new Command("grids", "Tessellate streets, communities and grids inside real district outlines") { scope, seed, min, max, buildings, output };
        grids.SetAction(async (parse, ct) =>
        {
            var options = new GenerationOptions
            {
                Seed = parse.GetValue(seed),
                MinGridsPerCommunity = parse.GetValue(min),
                MaxGridsPerCommunity = parse.GetValue(max),
                BuildingsPerGrid = parse.GetValue(buildings),
            };
            if (options.MinGridsPerCommunity < 1 || options.MaxGridsPerCommunity < options.MinGridsPerCommunity)
            {
                AnsiConsole.MarkupLine("[red]--min-grids must be ≥ 1 and ≤ --max-grids[/]");
                return 2;
            }

            List<GeneratedUnit> units = [];
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("Tessellating communities");
                var reporter = new Progress<(int Done, int Total)>(p => { task.MaxValue = p.Total; task.Value = p.Done; });
                units = await Task.Run(() => TerritoryGenerator.Generate(DivisionsCsv.Hangzhou(), TerritoryGenerator.HangzhouOutlines(),
                    parse.GetValue(scope)!, options, reporter), ct);
                task.Value = task.MaxValue;
            });
            var gridCount = units.Count(u => u.Level == UnitLevel.Grid);
            AnsiConsole.MarkupLine($"Generated {units.Count:N0} units, [bold]{gridCount:N0} grids[/]");

            if (parse.GetValue(output) is { } file)
            {
                await using var stream = file.Create();
                await GeoJsonExport.WriteAsync(stream, units, ct);
                AnsiConsole.MarkupLine($"Wrote {file.FullName}");
                return 0;
            }

            var settings = OneGridCli.Database(parse);
            await using var db = PersistenceServices.CreateContext(settings);
            await PersistenceServices.MigrateAsync(db, ct);
            var writes = DemoTerritory.ToWrites(units);
            UpsertResult result = null!;
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("Writing units", maxValue: writes.Count);
                result = await TerritoryStore.UpsertAsync(db, writes, TimeProvider.System, new Progress<int>(n => task.Value = n), ct);
                task.Value = writes.Count;
            });
            AnsiConsole.MarkupLine($"{settings.Describe()}: {result.Created:N0} created, {result.Updated:N0} updated (revision {result.Revision})");
            return 0;
        });
        return new Command("generate", "Generate territory data and trial sets") { grids, Targets() };
    }

    /// <summary><c>generate targets</c>: a trial set of inspection targets inside the loaded territory, imported or written as CSV.</summary>
    private static Command Targets()
    {
        var kind = new Option<string>("--kind") { Description = "The targets' kind, by code or name (燃气用户, 餐饮, 出租房, 九小场所)", DefaultValueFactory = _ => "燃气用户" };
        var count = new Option<int>("--count") { Description = "How many targets", DefaultValueFactory = _ => 9000 };
        var scope = new Option<string>("--scope") { Description = "The unit whose grids hold them (e.g. 330108)", DefaultValueFactory = _ => "330108" };
        var seed = new Option<int>("--seed") { Description = "Same seed, same set", DefaultValueFactory = _ => 1 };
        var output = new Option<FileInfo?>("--out") { Description = "Write the CSV (the import's format) instead of importing it" };
        var command = new Command("targets", "Generate inspection targets at points inside the scope's grids") { kind, count, scope, seed, output };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(count) is < 1 or > 1_000_000)
            {
                AnsiConsole.MarkupLine("[red]--count must be between 1 and 1,000,000[/]");
                return 2;
            }
            await using var db = PersistenceServices.CreateContext(OneGridCli.Database(parse));
            await PersistenceServices.MigrateAsync(db, ct);
            var kinds = await db.TargetKinds.AsNoTracking().ToListAsync(ct);
            var wanted = parse.GetValue(kind)!;
            if (kinds.FirstOrDefault(k => k.Code == wanted || k.NameZh == wanted) is not { } targetKind)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Unknown kind {wanted} (known: {string.Join(", ", kinds.Select(k => k.NameZh))})[/]");
                return 2;
            }
            var (territory, units) = await TerritoryIndexHolder.LoadAsync(db, ct);
            if (territory.Find(parse.GetValue(scope)!) is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]No unit {parse.GetValue(scope)} in the territory loaded[/]");
                return 2;
            }
            string csv;
            try
            {
                csv = OneGrid.Inspections.TargetGenerator.Csv(units, territory, targetKind, parse.GetValue(count), parse.GetValue(scope)!, parse.GetValue(seed));
            }
            catch (ArgumentException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 2;
            }
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, csv, ct);
                AnsiConsole.MarkupLineInterpolated($"Wrote {parse.GetValue(count):N0} targets to {file.FullName}");
                return 0;
            }
            var report = await new OneGrid.Inspections.TargetImporter(db, TimeProvider.System).ImportAsync(new StringReader(csv), dryRun: false, ct, territory);
            return ImportCommands.Print(report, dryRun: false);
        });
        return command;
    }
}
