using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Cases;
using OneGrid.Tests.Integration;
using static OneGrid.Tests.Cases.CaseWorld;

namespace OneGrid.Tests.Cases;

/// <summary>
/// Intake proposes duplicates from each node's <see cref="OpenCaseIndex"/>; the case page searches the database.
/// Both must apply the same rule (same category, within the radius and window, still open), and the index must
/// follow changes made on this node at once and on other nodes within a feed period.
/// </summary>
public sealed class OpenCaseIndexTests : IAsyncLifetime
{
    private CaseWorld _world = null!;

    public async Task InitializeAsync() => _world = await CaseWorld.CreateAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private (double Lon, double Lat) East(double metres) => (_world.InsideGrid.Lon + metres / 96_000, _world.InsideGrid.Lat);

    private Task<ReportOutcome> ReportAt((double Lon, double Lat) at, string category, string hash) =>
        _world.Cases(s => s.ReportAsync(new ReportRequest(at.Lon, at.Lat, "路边有暴露垃圾", category, null, null), Resident, ReporterKind.Resident, null, hash, default));

    [Fact]
    public async Task Intake_proposes_exactly_what_the_database_search_finds()
    {
        var near = await ReportAt(East(10), "0102", "a");
        var nearer = await ReportAt(East(3), "0102", "b");
        var otherCategory = await ReportAt(East(5), "0301", "c");
        var outside = await ReportAt(East(80), "0102", "d");
        var rejected = await ReportAt(East(6), "0102", "e");
        await _world.ActAsync(rejected.Case, CaseActions.Reject, CommunityOperator, new CaseActionRequest(Reason: "不属实"));

        var report = await ReportAt(East(0), "0102", "f");

        // Nearest first; not the other category, not beyond 50 m, not the case rejected a moment ago on this node.
        Assert.Equal([nearer.Case.Number, near.Case.Number], report.PossibleDuplicates.Select(d => d.Number));
        Assert.DoesNotContain(report.PossibleDuplicates, d => d.Id == otherCategory.Case.Id || d.Id == outside.Case.Id || d.Id == rejected.Case.Id);
        var fromDatabase = await _world.Cases(s => s.FindDuplicatesAsync(report.Case, default));
        Assert.Equal(fromDatabase, report.PossibleDuplicates);
    }

    [Fact]
    public async Task A_case_closed_or_recategorised_on_this_node_leaves_the_proposals_at_once()
    {
        var first = await ReportAt(East(5), "0102", "a");
        Assert.Single((await ReportAt(East(0), "0102", "b")).PossibleDuplicates, d => d.Id == first.Case.Id);

        // Registered under another category: it is no longer the same kind of problem.
        await _world.ActAsync(first.Case, CaseActions.Register, CommunityOperator, new CaseActionRequest(CategoryCode: "0301"));
        Assert.DoesNotContain((await ReportAt(East(0), "0102", "c")).PossibleDuplicates, d => d.Id == first.Case.Id);
        Assert.Contains((await ReportAt(East(0), "0301", "d")).PossibleDuplicates, d => d.Id == first.Case.Id);
    }

    [Fact]
    public async Task Reports_older_than_the_window_are_not_proposed()
    {
        var old = await ReportAt(East(5), "0102", "a");
        _world.Clock.Advance(TimeSpan.FromHours(new CaseOptions().DuplicateWindowHours + 1));
        var report = await ReportAt(East(0), "0102", "b");
        Assert.DoesNotContain(report.PossibleDuplicates, d => d.Id == old.Case.Id);
        Assert.Equal(await _world.Cases(s => s.FindDuplicatesAsync(report.Case, default)), report.PossibleDuplicates);
    }

    [Fact]
    public void An_older_version_of_a_case_never_replaces_a_newer_one()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero));
        var index = new OpenCaseIndex(new DuplicateFinder(Options.Create(new CaseOptions())), clock);
        var probe = new Case
        {
            Id = 99, Number = "probe", Description = "", GridCode = "", CommunityCode = "", StreetCode = "", DistrictCode = "", RouteExplanation = "", OwningUnitCode = "",
            CategoryCode = "0102", Lon = 120.2, Lat = 30.2, ReportedAt = clock.GetUtcNow(),
        };
        Assert.Null(index.TryFind(probe)); // not loaded: the caller searches the database

        index.Load([]);
        var open = new OpenCaseRow(1, 0, "BJ-1", "0102", 120.2, 30.2, CaseState.Reported, clock.GetUtcNow());
        var closed = open with { Version = 3, State = CaseState.Closed };

        index.Apply([open]);
        Assert.Single(index.TryFind(probe)!);
        index.Apply([closed]);
        Assert.Empty(index.TryFind(probe)!);
        // The feed read the case before it was closed, and its row arrives late.
        index.Apply([open with { Version = 2 }]);
        Assert.Empty(index.TryFind(probe)!);
        // Reopened: a newer version, open again.
        index.Apply([open with { Version = 4, State = CaseState.Registered }]);
        Assert.Single(index.TryFind(probe)!);
    }

    [Fact]
    [Trait("Database", "Postgres")]
    public async Task A_report_on_one_node_is_proposed_on_the_other_once_its_feed_has_read_it()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (a, clientA, b, clientB) = (nodes.A, nodes.ClientA, nodes.B, nodes.ClientB);
        // Both nodes' indexes are loaded (the feed's first poll) before the first report.
        await WaitAsync(() => a.Services.GetRequiredService<OpenCaseIndex>().IsLoaded && b.Services.GetRequiredService<OpenCaseIndex>().IsLoaded);
        var first = await PostReportAsync(clientA, 120.1929, 30.1548);
        // The feed polls every LiveCaseFeed.PollPeriod; a loaded machine may take a few periods.
        await WaitAsync(() => b.Services.GetRequiredService<OpenCaseIndex>().IsCandidate((long)first["id"]!));
        var second = await PostReportAsync(clientB, 120.19295, 30.1548);
        var proposed = Assert.Single(second["possibleDuplicates"]!.AsArray());
        Assert.Equal((string?)first["number"], (string?)proposed!["number"]);
    }

    private static async Task<JsonObject> PostReportAsync(HttpClient client, double lon, double lat)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/reports", new { lon, lat, description = "路边有暴露垃圾", categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
