using Microsoft.EntityFrameworkCore;
using OneGrid.Cases;
using OneGrid.Cli;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cli;

/// <summary>
/// <c>bench read</c> as someone measuring a deployment runs it: over a demo data folder, with its own host in a child
/// process. What is checked is that the bench works — every view of every person measured, the live push timed, the
/// host's memory read — never how fast anything was.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class ReadBenchTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-readbench-" + Guid.NewGuid().ToString("N"));

    public ReadBenchTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every view the issue names, for each person; a view the bench stopped measuring fails here.</summary>
    private static IEnumerable<string> Views() =>
        new[] { "command-centre-today", "command-centre-month", "command-centre-page", "map", "inbox", "list" }
            .Concat(Enum.GetValues<CaseState>().Select(s => $"list-state-{s}"))
            .Concat(["list-category", "list-overdue", "list-supervised", "list-extended", "list-suspended", "list-last-month", "list-unit"])
            .Concat(["search-井盖", "search-路灯", "search-垃圾", "search-占道经营", "indicators-year"]);

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            return (await OneGridCli.RunAsync(args), output.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    private static void AssertMeasuredEverything(string output, bool live)
    {
        foreach (var person in new[] { "leader", "street", "community" })
        {
            foreach (var view in Views())
            {
                Assert.Matches($@"(?m)^read: {person} {view} p50=[\d.]+ p95=[\d.]+ max=[\d.]+ n=\d+ target=(50|200) (ok|over)$", output);
            }
        }
        if (live) Assert.Matches(@"(?m)^live: leader push p50=[\d.]+ p95=[\d.]+ max=[\d.]+ target=1000 (ok|over) \(2 reports, 0 without", output);
        Assert.Matches(@"(?m)^rss: max=\d+ MiB target=1024 MiB (ok|over) \(process \d+\)$", output);
    }

    [Fact]
    public async Task Bench_read_measures_every_view_of_each_person_and_can_run_again_on_the_same_folder()
    {
        var (exit, output) = await RunAsync("bench", "read", "--data", _dir, "--demo", "--iterations", "2", "--warmup", "1", "--reports", "2");
        Assert.True(exit == 0, output);
        AssertMeasuredEverything(output, live: true);
        // Its people are the busiest street of the demo district and that street's busiest community.
        Assert.Contains("places: district 330108 滨江区; busiest street 3301080", output);

        // A second run finds its accounts (a new random password is set on them) rather than failing or adding more.
        (exit, output) = await RunAsync("bench", "read", "--data", _dir, "--iterations", "1", "--warmup", "0", "--reports", "0");
        Assert.True(exit == 0, output);
        AssertMeasuredEverything(output, live: false);
        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));
        var accounts = await db.Users.Where(u => u.UserName!.StartsWith("bench-")).Select(u => u.UserName).ToListAsync();
        Assert.Equal(4, accounts.Count); // the three people and bench-admin
    }

    [Fact]
    public async Task Bench_read_runs_on_postgresql()
    {
        await using var database = await ThrowawayDatabase.CreateAsync();
        var (exit, output) = await RunAsync("bench", "read", "--data", _dir, "--database", database.ConnectionString, "--demo",
            "--iterations", "1", "--warmup", "0", "--reports", "2");
        Assert.True(exit == 0, output);
        AssertMeasuredEverything(output, live: true);
    }

    [Fact]
    public async Task Bench_read_without_a_host_or_an_administrator_says_what_it_needs()
    {
        // A URL where nothing answers: a clear failure, not a hang or a stack trace.
        var (exit, output) = await RunAsync("bench", "read", "--url", "http://127.0.0.1:1", "--iterations", "1");
        Assert.Equal(1, exit);
        Assert.DoesNotContain("read: ", output);
    }
}

/// <summary>Tests that swap <see cref="Console.Out"/> run one at a time: it is one writer for the whole process.</summary>
public static class ConsoleCapture
{
    public const string Name = "console capture";
}
