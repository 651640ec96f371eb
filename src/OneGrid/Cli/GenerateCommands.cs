using System.CommandLine;
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
        return new Command("generate", "Generate territory data") { grids };
    }
}
