using System.CommandLine;
using OneGrid.Calendar;
using OneGrid.Persistence;
using Spectre.Console;

namespace OneGrid.Cli;

/// <summary><c>import calendar FILE.csv [--dry-run]</c>: load statutory holidays and make-up working days.</summary>
internal static class CalendarCommands
{
    /// <summary>Adds <c>calendar</c> under the existing <c>import</c> verb.</summary>
    public static void AddTo(RootCommand root)
    {
        var import = root.Subcommands.First(c => c.Name == "import");
        import.Subcommands.Add(Create());
    }

    private static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV with date,kind,name_en,name_zh (kind: holiday or workday)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row, list every problem, write nothing" };
        var command = new Command("calendar", "Import statutory holidays and make-up working days (调休)") { file, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            var csv = parse.GetValue(file)!;
            if (!csv.Exists)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]No such file: {csv.FullName}[/]");
                return 2;
            }
            await using var db = PersistenceServices.CreateContext(OneGridCli.Database(parse));
            await PersistenceServices.MigrateAsync(db, ct);
            using var reader = csv.OpenText();
            var report = await CalendarStore.ImportAsync(db, reader, parse.GetValue(dryRun), TimeProvider.System, ct);
            return Print(report);
        });
        return command;
    }

    /// <summary>Exit code 0 when clean, 1 when the file has problems (nothing was written).</summary>
    private static int Print(CalendarImportReport report)
    {
        foreach (var w in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]warning[/] {w.ToString()}");
        foreach (var p in report.Problems) AnsiConsole.MarkupLineInterpolated($"[red]problem[/] {p.ToString()}");
        var years = string.Join(", ", report.Years);
        if (!report.IsClean)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{report.Problems.Count} problem(s); nothing was written.[/]");
            return 1;
        }
        if (report.DryRun)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[green]Dry run: {report.Days} day(s) ({report.Holidays} holidays, {report.Workdays} make-up working days) in {years}, no problems; nothing was written.[/]");
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated(
            $"[green]Imported {report.Days} day(s) in {years}: {report.Created} created, {report.Updated} updated (calendar revision {report.Revision}). Running nodes reload within {(int)CalendarRefresher.Interval.TotalSeconds} s.[/]");
        return 0;
    }
}
