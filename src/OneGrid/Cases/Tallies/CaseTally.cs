using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Cases.Tallies;

/// <summary>The unit levels tallies are kept at. Grids are not: one grid's cases of a period are few enough to count directly.</summary>
public enum TallyLevel
{
    District = 1,
    Street = 2,
    Community = 3,
}

/// <summary>
/// One row of the cases read model (DESIGN §6's counts without scanning history): the cases of one unit (at one
/// level), one local day of the working calendar's zone, and one dimension — "" for all of them, "c:CODE" for a category
/// ("c:" unclassified), "p:CODE" for a platform ("p:" none), "d:CODE" for a department (only dispatched cases).
/// Categories, platforms and departments are kept at district and street level only.
/// <para>
/// A row of day <c>D</c> holds three kinds of counters: the <b>cohort</b> of cases reported on D, by their current
/// progress (what the indicators and the by-state/category/unit/platform breakdowns count); <see cref="ClosedOn"/>, the
/// cases closed on D; and, in the row of day <see cref="AllTime"/> only, the <b>gauges</b> — open, overdue, warning,
/// supervised and each state over all days. Every counter is "how many cases currently satisfy P", so a row is the sum
/// of the cases' <see cref="CaseContribution"/>s and is kept by adding the difference each write makes
/// (<see cref="CaseTallyWriter"/>), in that write's transaction.
/// </para>
/// </summary>
public sealed class CaseTally
{
    public const int AllTime = 0;

    public TallyLevel Level { get; set; }
    public required string Unit { get; set; }
    public int Day { get; set; }
    public required string Dim { get; set; }

    // Cohort (cases reported on Day), as IndicatorEndpoints defines each.
    public long Reports { get; set; }
    public long Registered { get; set; }
    public long Dispatched { get; set; }
    public long Handled { get; set; }
    public long HandledOnTime { get; set; }
    public long Closed { get; set; }
    public long ClosedOnTime { get; set; }
    public long Reworked { get; set; }
    public long Returned { get; set; }
    public long Overdue { get; set; }
    public long Ratings { get; set; }
    public long Satisfied { get; set; }
    public long Extended { get; set; }
    public long Suspended { get; set; }
    public long ExtendedOrSuspended { get; set; }

    // Current state: of the cohort on a day row, of all cases on the AllTime row.
    public long StateReported { get; set; }
    public long StateRegistered { get; set; }
    public long StateRejected { get; set; }
    public long StateDispatched { get; set; }
    public long StateInProgress { get; set; }
    public long StateHandled { get; set; }
    public long StateClosed { get; set; }

    // Gauges, on the AllTime row.
    public long Open { get; set; }
    public long OpenOverdue { get; set; }
    public long OpenWarning { get; set; }
    public long OpenSupervised { get; set; }

    /// <summary>Cases closed on Day (and still closed).</summary>
    public long ClosedOn { get; set; }

    public static int DayOf(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return local.Year * 10000 + local.Month * 100 + local.Day;
    }

    public static int DayOf(DateOnly day) => day.Year * 10000 + day.Month * 100 + day.Day;

    public static DateOnly DateOf(int day) => new(day / 10000, day / 100 % 100, day % 100);

    public static string CategoryDim(string? code) => "c:" + code;

    public static string PlatformDim(string? code) => "p:" + code;

    public static string DepartmentDim(string code) => "d:" + code;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Level} {Unit} {Day} '{Dim}'");
}

/// <summary>The counters of <see cref="CaseTally"/> as a vector, in column order, so contributions can be added and subtracted.</summary>
public static class TallyCounters
{
    public static readonly string[] Names =
    [
        nameof(CaseTally.Reports), nameof(CaseTally.Registered), nameof(CaseTally.Dispatched), nameof(CaseTally.Handled),
        nameof(CaseTally.HandledOnTime), nameof(CaseTally.Closed), nameof(CaseTally.ClosedOnTime), nameof(CaseTally.Reworked),
        nameof(CaseTally.Returned), nameof(CaseTally.Overdue), nameof(CaseTally.Ratings), nameof(CaseTally.Satisfied),
        nameof(CaseTally.Extended), nameof(CaseTally.Suspended), nameof(CaseTally.ExtendedOrSuspended),
        nameof(CaseTally.StateReported), nameof(CaseTally.StateRegistered), nameof(CaseTally.StateRejected), nameof(CaseTally.StateDispatched),
        nameof(CaseTally.StateInProgress), nameof(CaseTally.StateHandled), nameof(CaseTally.StateClosed),
        nameof(CaseTally.Open), nameof(CaseTally.OpenOverdue), nameof(CaseTally.OpenWarning), nameof(CaseTally.OpenSupervised),
        nameof(CaseTally.ClosedOn),
    ];

    public const int Reports = 0, Registered = 1, Dispatched = 2, Handled = 3, HandledOnTime = 4, Closed = 5, ClosedOnTime = 6,
        Reworked = 7, Returned = 8, Overdue = 9, Ratings = 10, Satisfied = 11, Extended = 12, Suspended = 13, ExtendedOrSuspended = 14,
        StateFirst = 15, Open = 22, OpenOverdue = 23, OpenWarning = 24, OpenSupervised = 25, ClosedOn = 26, Count = 27;

    public static int StateIndex(CaseState state) => StateFirst + state switch
    {
        CaseState.Reported => 0,
        CaseState.Registered => 1,
        CaseState.Rejected => 2,
        CaseState.Dispatched => 3,
        CaseState.InProgress => 4,
        CaseState.Handled => 5,
        CaseState.Closed => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static long[] Read(CaseTally t) =>
    [
        t.Reports, t.Registered, t.Dispatched, t.Handled, t.HandledOnTime, t.Closed, t.ClosedOnTime, t.Reworked, t.Returned, t.Overdue,
        t.Ratings, t.Satisfied, t.Extended, t.Suspended, t.ExtendedOrSuspended, t.StateReported, t.StateRegistered, t.StateRejected,
        t.StateDispatched, t.StateInProgress, t.StateHandled, t.StateClosed, t.Open, t.OpenOverdue, t.OpenWarning, t.OpenSupervised, t.ClosedOn,
    ];

    public static CaseTally Row(TallyKey key, long[] v) => new()
    {
        Level = key.Level, Unit = key.Unit, Day = key.Day, Dim = key.Dim,
        Reports = v[0], Registered = v[1], Dispatched = v[2], Handled = v[3], HandledOnTime = v[4], Closed = v[5], ClosedOnTime = v[6],
        Reworked = v[7], Returned = v[8], Overdue = v[9], Ratings = v[10], Satisfied = v[11], Extended = v[12], Suspended = v[13],
        ExtendedOrSuspended = v[14], StateReported = v[15], StateRegistered = v[16], StateRejected = v[17], StateDispatched = v[18],
        StateInProgress = v[19], StateHandled = v[20], StateClosed = v[21], Open = v[22], OpenOverdue = v[23], OpenWarning = v[24],
        OpenSupervised = v[25], ClosedOn = v[26],
    };
}

public readonly record struct TallyKey(TallyLevel Level, string Unit, int Day, string Dim);

/// <summary>
/// What one case adds to the tallies, from the fields that decide it (a snapshot, so a write's "before" can be
/// taken from EF's original values and compared with its "after").
/// </summary>
public sealed record CaseFacts(
    string DistrictCode, string StreetCode, string CommunityCode, string? CategoryCode, string? PlatformCode, string? DepartmentCode,
    CaseState State, DateTimeOffset ReportedAt, DateTimeOffset? RegisteredAt, DateTimeOffset? DispatchedAt, DateTimeOffset? HandledAt,
    DateTimeOffset? ClosedAt, bool EverOverdue, double ExtendedHours, bool EverSuspended, int ReworkCount, int ReturnCount, int? Satisfaction,
    bool PhaseOverdue, bool PhaseWarned, bool Supervised)
{
    public static CaseFacts Of(Case c) => new(c.DistrictCode, c.StreetCode, c.CommunityCode, c.CategoryCode, c.PlatformCode, c.DepartmentCode,
        c.State, c.ReportedAt, c.RegisteredAt, c.DispatchedAt, c.HandledAt, c.ClosedAt, c.EverOverdue, c.ExtendedHours, c.EverSuspended,
        c.ReworkCount, c.ReturnCount, c.Satisfaction, c.PhaseOverdue, c.PhaseWarned, c.Supervised);
}

/// <summary>
/// The one definition of what a case counts for. The live writes (<see cref="CaseTallyWriter"/>), the simulator and a
/// rebuild all go through <see cref="Add"/>, so a tally is exactly the sum over the cases it covers.
/// </summary>
public static class CaseContribution
{
    /// <summary>Adds <paramref name="sign"/> × the case's contribution into <paramref name="into"/>.</summary>
    public static void Add(CaseFacts c, TimeZoneInfo zone, int sign, IDictionary<TallyKey, long[]> into)
    {
        var cohort = new long[TallyCounters.Count];
        var handled = c.HandledAt is not null || c.State == CaseState.Closed;
        var closed = c.State == CaseState.Closed;
        var registered = c.RegisteredAt is not null;
        var extended = c.ExtendedHours > 0;
        cohort[TallyCounters.Reports] = 1;
        cohort[TallyCounters.Registered] = registered ? 1 : 0;
        cohort[TallyCounters.Dispatched] = c.DispatchedAt is not null ? 1 : 0;
        cohort[TallyCounters.Handled] = handled ? 1 : 0;
        cohort[TallyCounters.HandledOnTime] = handled && !c.EverOverdue && !extended ? 1 : 0;
        cohort[TallyCounters.Closed] = closed ? 1 : 0;
        cohort[TallyCounters.ClosedOnTime] = closed && !c.EverOverdue && !extended && !c.EverSuspended ? 1 : 0;
        cohort[TallyCounters.Reworked] = c.ReworkCount > 0 ? 1 : 0;
        cohort[TallyCounters.Returned] = c.ReturnCount > 0 ? 1 : 0;
        cohort[TallyCounters.Overdue] = c.EverOverdue ? 1 : 0;
        cohort[TallyCounters.Ratings] = c.Satisfaction is not null ? 1 : 0;
        cohort[TallyCounters.Satisfied] = c.Satisfaction >= 4 ? 1 : 0;
        cohort[TallyCounters.Extended] = registered && extended ? 1 : 0;
        cohort[TallyCounters.Suspended] = registered && c.EverSuspended ? 1 : 0;
        cohort[TallyCounters.ExtendedOrSuspended] = registered && (extended || c.EverSuspended) ? 1 : 0;
        cohort[TallyCounters.StateIndex(c.State)] = 1;

        var gauges = new long[TallyCounters.Count];
        var open = c.State is not (CaseState.Closed or CaseState.Rejected);
        gauges[TallyCounters.Reports] = 1;
        gauges[TallyCounters.StateIndex(c.State)] = 1;
        gauges[TallyCounters.Open] = open ? 1 : 0;
        gauges[TallyCounters.OpenOverdue] = open && c.PhaseOverdue ? 1 : 0;
        gauges[TallyCounters.OpenWarning] = open && c.PhaseWarned && !c.PhaseOverdue ? 1 : 0;
        gauges[TallyCounters.OpenSupervised] = open && c.Supervised ? 1 : 0;

        long[]? closedOn = null;
        if (closed && c.ClosedAt is { } closedAt)
        {
            closedOn = new long[TallyCounters.Count];
            closedOn[TallyCounters.ClosedOn] = 1;
        }
        var reportDay = CaseTally.DayOf(c.ReportedAt, zone);
        var closeDay = c.ClosedAt is { } at ? CaseTally.DayOf(at, zone) : 0;

        foreach (var (level, unit, dims) in Units(c))
        {
            foreach (var dim in dims)
            {
                Accumulate(into, new TallyKey(level, unit, reportDay, dim), cohort, sign);
                Accumulate(into, new TallyKey(level, unit, CaseTally.AllTime, dim), gauges, sign);
                if (closedOn is not null) Accumulate(into, new TallyKey(level, unit, closeDay, dim), closedOn, sign);
            }
        }
    }

    private static IEnumerable<(TallyLevel, string, string[])> Units(CaseFacts c)
    {
        var dims = c.DepartmentCode is { } d
            ? new[] { "", CaseTally.CategoryDim(c.CategoryCode), CaseTally.PlatformDim(c.PlatformCode), CaseTally.DepartmentDim(d) }
            : ["", CaseTally.CategoryDim(c.CategoryCode), CaseTally.PlatformDim(c.PlatformCode)];
        yield return (TallyLevel.District, c.DistrictCode, dims);
        yield return (TallyLevel.Street, c.StreetCode, dims);
        yield return (TallyLevel.Community, c.CommunityCode, [""]);
    }

    private static void Accumulate(IDictionary<TallyKey, long[]> into, TallyKey key, long[] values, int sign)
    {
        if (!into.TryGetValue(key, out var sum)) into[key] = sum = new long[TallyCounters.Count];
        for (var i = 0; i < values.Length; i++) sum[i] += sign * values[i];
    }

    /// <summary>Drops the keys whose net change is zero (a write that moved nothing the tallies count).</summary>
    public static IEnumerable<KeyValuePair<TallyKey, long[]>> NonZero(IDictionary<TallyKey, long[]> deltas) =>
        deltas.Where(d => d.Value.Any(v => v != 0));
}

internal sealed class CaseTallyConfiguration : IEntityTypeConfiguration<CaseTally>
{
    public void Configure(EntityTypeBuilder<CaseTally> b)
    {
        b.ToTable("case_tallies");
        b.HasKey(t => new { t.Level, t.Unit, t.Day, t.Dim });
        b.Property(t => t.Unit).HasMaxLength(32);
        b.Property(t => t.Dim).HasMaxLength(40);
        // The key serves one unit's rows of a period (all its dimensions); this serves a unit's children of one dimension
        // over a period (the streets of a district, each a range of days), which the key would interleave with every category.
        b.HasIndex(t => new { t.Level, t.Dim, t.Unit, t.Day });
    }
}
