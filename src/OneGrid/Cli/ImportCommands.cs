using System.CommandLine;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Import;
using Spectre.Console;

namespace OneGrid.Cli;

internal static class ImportCommands
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Check everything, list every problem, write nothing" };

        var divisionsFile = new Argument<FileInfo>("file") { Description = "CSV with code,name,level,parent_code" };
        var divisions = new Command("divisions", "Import administrative divisions (the unit tree)") { divisionsFile, dryRun };
        divisions.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(divisionsFile)!;
            if (!file.Exists) return Fail($"No such file: {file.FullName}");
            await using var db = await OpenAsync(parse, ct);
            using var reader = file.OpenText();
            var report = await AnsiConsole.Status().StartAsync("Checking divisions…",
                _ => new TerritoryImporter(db, TimeProvider.System).ImportDivisionsAsync(reader, parse.GetValue(dryRun), ct));
            return Print(report, parse.GetValue(dryRun));
        });

        var polygonsFile = new Argument<FileInfo>("file") { Description = "GeoJSON FeatureCollection; features matched by a code or name property" };
        var repair = new Option<bool>("--repair") { Description = "Fix invalid (self-touching, self-crossing) rings instead of refusing them" };
        var polygons = new Command("polygons", "Import unit polygons (and building points)") { polygonsFile, dryRun, repair };
        polygons.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(polygonsFile)!;
            if (!file.Exists) return Fail($"No such file: {file.FullName}");
            NetTopologySuite.Features.FeatureCollection features;
            try
            {
                await using var stream = file.OpenRead();
                features = GeoJson.Read(stream);
            }
            catch (System.Text.Json.JsonException e)
            {
                return Fail($"Not a GeoJSON FeatureCollection: {e.Message}");
            }
            await using var db = await OpenAsync(parse, ct);
            var report = await AnsiConsole.Status().StartAsync($"Checking {features.Count:N0} features…",
                _ => new TerritoryImporter(db, TimeProvider.System).ImportPolygonsAsync(features, parse.GetValue(dryRun), parse.GetValue(repair), ct));
            return Print(report, parse.GetValue(dryRun));
        });

        var targetsFile = new Argument<FileInfo>("file") { Description = "CSV with " + string.Join(",", OneGrid.Inspections.TargetImporter.Columns) };
        var targets = new Command("targets", "Import inspection targets (re-importing updates by code)") { targetsFile, dryRun };
        targets.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(targetsFile)!;
            if (!file.Exists) return Fail($"No such file: {file.FullName}");
            await using var db = await OpenAsync(parse, ct);
            using var reader = file.OpenText();
            var report = await AnsiConsole.Status().StartAsync("Checking targets…",
                _ => new OneGrid.Inspections.TargetImporter(db, TimeProvider.System).ImportAsync(reader, parse.GetValue(dryRun), ct));
            return Print(report, parse.GetValue(dryRun));
        });

        return new Command("import", "Import territory data and inspection targets") { divisions, polygons, targets };
    }

    private static async Task<OneGridDbContext> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var db = PersistenceServices.CreateContext(OneGridCli.Database(parse));
        await PersistenceServices.MigrateAsync(db, ct);
        return db;
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]{message}[/]");
        return 2;
    }

    /// <summary>Exit code 0 when clean, 1 when the file has problems (nothing was written).</summary>
    internal static int Print(OneGrid.Inspections.TargetImportReport report, bool dryRun)
    {
        foreach (var p in report.Problems) AnsiConsole.MarkupLineInterpolated($"[red]problem[/] {p.ToString()}");
        if (!report.IsClean)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{report.Problems.Count} problem(s) in {report.Rows} target(s); nothing was written.[/]");
            return 1;
        }
        if (dryRun)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]Dry run: {report.Rows} target(s), no problems; nothing was written.[/]");
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated(
            $"[green]Imported {report.Rows} target(s): {report.Created} created, {report.Updated} updated, {report.Unchanged} unchanged.[/]");
        return 0;
    }

    /// <summary>Exit code 0 when clean, 1 when the file has problems (nothing was written).</summary>
    internal static int Print(ImportReport report, bool dryRun)
    {
        foreach (var w in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]warning[/] {w.ToString()}");
        foreach (var p in report.Problems) AnsiConsole.MarkupLineInterpolated($"[red]problem[/] {p.ToString()}");
        if (!report.IsClean)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{report.Problems.Count} problem(s) in {report.Units} unit(s); nothing was written.[/]");
            return 1;
        }
        if (dryRun)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]Dry run: {report.Units} unit(s), no problems; nothing was written.[/]");
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated(
            $"[green]Imported {report.Units} unit(s): {report.Result!.Created} created, {report.Result.Updated} updated (territory revision {report.Result.Revision}).[/]");
        return 0;
    }
}
