using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Cases;
using OneGrid.Cases.Tallies;
using OneGrid.Persistence;
using static OneGrid.Tests.Cases.CaseWorld;

namespace OneGrid.Tests.Cases;

/// <summary>
/// The tallies the writes keep (intake's inserts, every action's SaveChanges) equal, row for row, the tallies computed
/// from scratch from the cases — the read model cannot drift from what it counts.
/// </summary>
public sealed class CaseTallyTests : IAsyncLifetime
{
    private CaseWorld _world = null!;

    public async Task InitializeAsync() => _world = await CaseWorld.CreateAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<Dictionary<(TallyLevel, string, int, string), long[]>> TalliesAsync() =>
        _world.InScope(async sp => (await sp.GetRequiredService<OneGridDbContext>().CaseTallies.AsNoTracking().ToListAsync())
            .Where(t => TallyCounters.Read(t).Any(v => v != 0))
            .ToDictionary(t => (t.Level, t.Unit, t.Day, t.Dim), TallyCounters.Read));

    [Fact]
    public async Task Tallies_kept_by_the_writes_equal_a_rebuild_from_the_cases()
    {
        var closed = await _world.ReportAsync(GridWorker);
        foreach (var (action, actor) in new[] { (CaseActions.Register, CommunityOperator), (CaseActions.Dispatch, CommunityOperator),
                     (CaseActions.Sign, Handler), (CaseActions.Handle, Handler), (CaseActions.Verify, GridWorker) })
        {
            closed = await _world.ActAsync(closed, action, actor, action == CaseActions.Handle ? new CaseActionRequest(Result: "已清运") : null);
        }
        await _world.ActAsync(closed, CaseActions.Rate, GridWorker, new CaseActionRequest(Rating: 5));
        var rejected = await _world.ReportAsync(GridWorker, description: "重复上报的垃圾");
        await _world.ActAsync(rejected, CaseActions.Reject, CommunityOperator);
        var supervised = await _world.ReportAsync(GridWorker, category: null, description: "井盖缺失");
        await _world.ActAsync(supervised, CaseActions.Supervise, Leader);
        _world.Clock.Advance(TimeSpan.FromDays(1));
        await _world.ReportAsync(GridWorker, description: "第二天的垃圾");

        var kept = await TalliesAsync();
        Assert.Contains(kept, t => t.Key.Item1 == TallyLevel.District && t.Key.Item4 == "" && t.Key.Item3 == CaseTally.AllTime
            && t.Value[TallyCounters.Reports] == 4 && t.Value[TallyCounters.Open] == 2 && t.Value[TallyCounters.OpenSupervised] == 1);

        var counted = await _world.InScope(sp => CaseTallyRebuild.RunAsync(sp.GetRequiredService<OneGridDbContext>(),
            sp.GetRequiredService<CaseTallyInterceptor>().Zone, onlyIfEmpty: false, CancellationToken.None));
        Assert.Equal(4, counted);
        var rebuilt = await TalliesAsync();
        Assert.Equal(rebuilt.Keys.Order().ToList(), kept.Keys.Order().ToList());
        foreach (var (key, values) in rebuilt) Assert.True(values.SequenceEqual(kept[key]), $"{key}: kept {string.Join(",", kept[key])} rebuilt {string.Join(",", values)}");
    }
}
