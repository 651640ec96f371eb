using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OneGrid.Cases.Tallies;
using OneGrid.Persistence;

namespace OneGrid.Cases.Simulation;

public sealed record SimulationRequest(long Cases, int Days, int Seed);

public sealed record SimulationResult(long Cases, long Events, TimeSpan Elapsed, IReadOnlyDictionary<CaseState, long> ByState, TimeSpan IndexTime, TimeSpan GenerateTime)
{
    public double CasesPerSecond => Cases / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// <c>OneGrid simulate</c>: a history of <see cref="SimulationRequest.Cases"/> reports over the last
/// <see cref="SimulationRequest.Days"/> days up to now, over the territory, catalog and calendar loaded, each case walked
/// through the closed loop as far as its age allows (<see cref="CaseLifecycle"/>). One thread generates, in report order;
/// another writes — cases, timelines, numbers from the live counters, and the tallies by the one
/// <see cref="CaseContribution"/> — in large transactions. The same seed and clock give the same history.
/// </summary>
internal sealed class HistorySimulator(SimulationWorld world, TimeProvider time)
{
    private const int BatchCases = 4_000;
    private const int CommitEvery = 100_000;

    private TimeSpan _generating;

    private sealed record Batch(List<Case> Cases, List<CaseEvent> Events, Dictionary<TallyKey, long[]>? Tallies);

    public async Task<SimulationResult> RunAsync(OneGridDbContext db, SimulationRequest request, IProgress<long>? progress, CancellationToken ct)
    {
        if (world.Grids.Length == 0) throw new InvalidOperationException("The territory has no grids to place reports in.");
        if (world.Categories.Length == 0) throw new InvalidOperationException("The catalog has no active category.");
        world.Weigh(request.Seed);
        var watch = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

        var lastCase = await db.Cases.MaxAsync(c => (long?)c.Id, ct) ?? 0;
        var lastEvent = await db.CaseEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        // Ids are dense, so the last one is about the table's size: defer the indexes when the load at least doubles it.
        await using var writer = await BulkCaseWriter.OpenAsync(db, deferIndexes: request.Cases >= lastCase, ct);
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var byState = new Dictionary<CaseState, long>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var generate = Task.Run(() => Generate(request, now, lastCase, lastEvent, channel.Writer, byState, stop.Token), stop.Token);

        long written = 0, events = 0, sinceCommit = 0;
        try
        {
            await writer.BeginAsync(ct);
            await foreach (var batch in channel.Reader.ReadAllAsync(ct))
            {
                await NumberAsync(writer, batch.Cases, ct);
                await writer.WriteAsync(batch.Cases, batch.Events, ct);
                if (batch.Tallies is { } tallies) await writer.AddTalliesAsync(tallies, ct);
                written += batch.Cases.Count;
                events += batch.Events.Count;
                sinceCommit += batch.Cases.Count;
                if (sinceCommit >= CommitEvery)
                {
                    await writer.CommitAsync(ct);
                    await writer.BeginAsync(ct);
                    sinceCommit = 0;
                }
                progress?.Report(written);
            }
            await generate;
            await writer.CommitAsync(ct);
            await writer.FinishAsync(ct);
        }
        catch
        {
            await stop.CancelAsync();
            try { await generate; } catch (Exception) { /* the writer's failure is the one to report */ }
            throw;
        }
        return new SimulationResult(written, events, watch.Elapsed, byState, writer.IndexTime, _generating);
    }

    /// <summary>
    /// Takes the batch's numbers as intake does (<see cref="CaseNumbers.ReserveAsync"/>: one upsert per district and day, in
    /// the writer's transaction), so numbers continue what is there and a live report afterwards takes the next one.
    /// </summary>
    private static async Task NumberAsync(BulkCaseWriter writer, List<Case> cases, CancellationToken ct)
    {
        var groups = new Dictionary<string, List<Case>>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var scope = CaseNumbers.Scope(c.DistrictCode, c.ReportedAt);
            if (!groups.TryGetValue(scope, out var list)) groups[scope] = list = [];
            list.Add(c);
        }
        foreach (var (scope, list) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var last = await writer.ReserveAsync(scope, list.Count, ct);
            var serial = last - list.Count;
            foreach (var c in list) c.Number = CaseNumbers.Format(c.DistrictCode, c.ReportedAt, ++serial);
        }
    }

    private void Generate(SimulationRequest request, DateTimeOffset now, long lastCase, long lastEvent, ChannelWriter<Batch> output,
        Dictionary<CaseState, long> byState, CancellationToken ct)
    {
        try
        {
            var busy = Stopwatch.StartNew();
            var rng = new Random(request.Seed);
            var lifecycle = new CaseLifecycle(world, now);
            var tallies = new Dictionary<TallyKey, long[]>();
            var flushedBefore = 0;
            var batch = new Batch(new List<Case>(BatchCases), new List<CaseEvent>(BatchCases * 8), null);
            foreach (var reportedAt in Schedule(request, now, rng))
            {
                var from = batch.Events.Count;
                var c = lifecycle.Build(rng, reportedAt, batch.Events);
                c.Id = ++lastCase;
                for (var i = from; i < batch.Events.Count; i++)
                {
                    batch.Events[i].Id = ++lastEvent;
                    batch.Events[i].CaseId = c.Id;
                }
                batch.Cases.Add(c);
                byState[c.State] = byState.GetValueOrDefault(c.State) + 1;
                CaseContribution.Add(CaseFacts.Of(c), world.Zone, +1, tallies);
                if (batch.Cases.Count < BatchCases) continue;
                var day = CaseTally.DayOf(reportedAt, world.Zone);
                var final = day != flushedBefore ? Final(tallies, day) : null;
                flushedBefore = day;
                busy.Stop();
                Send(output, batch with { Tallies = final }, ct);
                busy.Start();
                batch = new Batch(new List<Case>(BatchCases), new List<CaseEvent>(BatchCases * 8), null);
            }
            _generating = busy.Elapsed;
            Send(output, batch with { Tallies = tallies }, ct);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
        }
    }

    /// <summary>
    /// Takes out the tallies of days before <paramref name="day"/>, which no later case can change: cases come in report
    /// order and close after they are reported. What stays is today's, later close days' and the gauges (day 0), so each
    /// tally row is written once, not once per flush.
    /// </summary>
    private static Dictionary<TallyKey, long[]>? Final(Dictionary<TallyKey, long[]> tallies, int day)
    {
        Dictionary<TallyKey, long[]>? final = null;
        foreach (var (key, values) in tallies)
        {
            if (key.Day == 0 || key.Day >= day) continue;
            (final ??= [])[key] = values;
        }
        if (final is not null) foreach (var key in final.Keys) tallies.Remove(key);
        return final;
    }

    private static void Send(ChannelWriter<Batch> output, Batch batch, CancellationToken ct)
    {
        if (output.TryWrite(batch)) return;
        output.WriteAsync(batch, ct).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// The report times: the window's local hours each get a share of the reports by the hour of day
    /// (<see cref="SimulationProfile.HourWeights"/>) and whether the day is worked (<see cref="SimulationProfile.DayOffFactor"/>,
    /// weekends and holidays of the working calendar), rounded so the shares add up to exactly the count asked; within an hour
    /// the times are uniform, in order.
    /// </summary>
    private IEnumerable<DateTimeOffset> Schedule(SimulationRequest request, DateTimeOffset now, Random rng)
    {
        var start = now - TimeSpan.FromDays(request.Days);
        var slots = new List<(DateTimeOffset From, DateTimeOffset To, double Weight)>(request.Days * 24 + 2);
        var cursor = start;
        while (cursor < now)
        {
            var local = world.Calendar.InZone(cursor);
            var hourStart = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset);
            var next = hourStart + TimeSpan.FromHours(1);
            var to = next < now ? next : now;
            var share = (to - cursor).TotalHours;
            var day = DateOnly.FromDateTime(local.DateTime);
            var weight = SimulationProfile.HourWeights[local.Hour] * (world.Calendar.IsWorkingDay(day) ? 1 : SimulationProfile.DayOffFactor) * share;
            slots.Add((cursor, to, weight));
            cursor = to;
        }
        var total = slots.Sum(s => s.Weight);
        var sum = 0.0;
        long given = 0;
        var times = new List<long>();
        foreach (var (from, to, weight) in slots)
        {
            sum += weight;
            var upTo = (long)Math.Round(request.Cases * (sum / total));
            var count = (int)(upTo - given);
            given = upTo;
            if (count <= 0) continue;
            times.Clear();
            var span = (to - from).Ticks;
            for (var i = 0; i < count; i++) times.Add((long)(rng.NextDouble() * span) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);
            times.Sort();
            foreach (var t in times) yield return from + TimeSpan.FromTicks(t);
        }
    }
}
