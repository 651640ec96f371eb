using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Calendar;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Cases.Tallies;

/// <summary>How counts are broken down: not at all, by category, platform, department, or by unit at a level.</summary>
public enum TallyGroup
{
    Total,
    Category,
    Platform,
    Department,
    Unit,
}

/// <summary>
/// Reads counts over a <see cref="TallyScope"/> from the tallies: each slice's rows of a range of local days (and the
/// all-time row for the gauges), and, for what the tallies do not hold — the scope's direct part, and a breakdown a
/// slice's rows cannot give (a community by category, anything by grid) — the cases themselves, bounded by that part
/// and the days asked for, counted through the same <see cref="CaseContribution"/> the tallies are made of.
/// </summary>
public sealed class CaseTallyReader(OneGridDbContext db, IOptions<CalendarOptions> calendar)
{
    public TimeZoneInfo Zone { get; } = calendar.Value.Zone();

    /// <summary>Sums per (local day, group); day <see cref="CaseTally.AllTime"/> holds the gauges when asked for.</summary>
    public sealed class Sums : Dictionary<(int Day, string Group), long[]>
    {
        public void Add(int day, string group, long[] values)
        {
            if (!TryGetValue((day, group), out var sum)) this[(day, group)] = sum = new long[TallyCounters.Count];
            for (var i = 0; i < sum.Length; i++) sum[i] += values[i];
        }

        /// <summary>One counter summed over the days matching <paramref name="day"/>, per group.</summary>
        public Dictionary<string, long> ByGroup(int counter, Func<int, bool> day) =>
            this.Where(e => day(e.Key.Day)).GroupBy(e => e.Key.Group).ToDictionary(g => g.Key, g => g.Sum(e => e.Value[counter]));

        /// <summary>Every counter summed over the days matching <paramref name="day"/> and all groups.</summary>
        public long[] Total(Func<int, bool> day)
        {
            var total = new long[TallyCounters.Count];
            foreach (var (key, values) in this)
            {
                if (!day(key.Day)) continue;
                for (var i = 0; i < total.Length; i++) total[i] += values[i];
            }
            return total;
        }
    }

    /// <summary>The instant a local day of the calendar's zone starts.</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).Date);

    /// <summary>
    /// The counters of the scope's cases over the local days <paramref name="first"/>..<paramref name="last"/>, per day and
    /// group: the cohort of each day, and <see cref="CaseTally.ClosedOn"/> when <paramref name="closedOn"/>; with
    /// <paramref name="gauges"/>, the open/overdue/warning/supervised gauges on day <see cref="CaseTally.AllTime"/> (only
    /// those: the all-time state totals of a direct part are not read).
    /// </summary>
    public async Task<Sums> SumAsync(TallyScope scope, TallyGroup group, UnitLevel level, DateOnly first, DateOnly last, bool closedOn, bool gauges,
        CancellationToken ct, bool perDay = true)
    {
        var sums = new Sums();
        if (first > last && !gauges) return sums;
        var direct = new List<Expression<Func<Case, bool>>>();
        foreach (var slice in scope.Slices)
        {
            if (await PlanAsync(slice, group, level, ct) is { } plan) await AddRowsAsync(plan, first, last, gauges, perDay, sums, ct);
            else direct.Add(slice.Predicate());
        }
        if (scope.Direct is { } rest) direct.Add(rest);
        foreach (var part in direct) await AddDirectAsync(part, group, level, first, last, closedOn, gauges, sums, ct);
        return sums;
    }

    /// <summary>
    /// The cohort counters of the scope's cases reported in [<paramref name="from"/>, <paramref name="to"/>), counted on the
    /// cases: the part of a period that is not whole local days (the indicators' from/to are instants), a few hours at most.
    /// </summary>
    public async Task AddReportedBetweenAsync(TallyScope scope, TallyGroup group, UnitLevel level, DateTimeOffset from, DateTimeOffset to, Sums sums,
        CancellationToken ct)
    {
        if (from >= to) return;
        foreach (var part in scope.Parts())
        {
            var cases = await FetchAsync(db.Cases.AsNoTracking().Where(part).Where(c => c.ReportedAt >= from && c.ReportedAt < to), ct);
            foreach (var c in cases) AddCase(c, group, level, day => day != CaseTally.AllTime, closedOn: false, sums);
        }
    }

    /// <summary>
    /// An all-time counter (<paramref name="counter"/>: <see cref="TallyCounters.Open"/> or a state's) per unit under the scope's
    /// slices — per community, or per street for one department's cases or for a category (code prefix), the finest level the
    /// tallies keep them at — and the parts of the scope they do not cover (the direct part, a community asked by category).
    /// </summary>
    public async Task<(Dictionary<string, long> ByUnit, List<Expression<Func<Case, bool>>> Uncovered)> AllTimeByUnitAsync(TallyScope scope, int counter,
        string? categoryPrefix, CancellationToken ct)
    {
        var byUnit = new Dictionary<string, long>();
        var rest = new List<Expression<Func<Case, bool>>>();
        foreach (var slice in scope.Slices)
        {
            if (categoryPrefix is not null && (slice.Dim != "" || slice.Level == TallyLevel.Community))
            {
                rest.Add(slice.Predicate());
                continue;
            }
            var target = categoryPrefix is null && slice.Dim == "" ? TallyLevel.Community : TallyLevel.Street;
            var units = await DescendantsAsync(slice, target, ct);
            if (units.Count == 0) continue;
            var rows = db.CaseTallies.AsNoTracking().Where(t => t.Level == target && units.Contains(t.Unit) && t.Day == CaseTally.AllTime);
            if (categoryPrefix is null) rows = rows.Where(t => t.Dim == slice.Dim);
            else
            {
                var dim = CaseTally.CategoryDim(categoryPrefix);
                rows = rows.Where(t => t.Dim.StartsWith(dim));
            }
            foreach (var t in await rows.ToListAsync(ct))
            {
                var v = TallyCounters.Read(t)[counter];
                if (v != 0) byUnit[t.Unit] = byUnit.GetValueOrDefault(t.Unit) + v;
            }
        }
        if (scope.Direct is { } direct) rest.Add(direct);
        return (byUnit, rest);
    }

    /// <summary>The slice's unit, or its descendants at a finer level.</summary>
    private async Task<IReadOnlyList<string>> DescendantsAsync(TallySlice slice, TallyLevel level, CancellationToken ct)
    {
        IReadOnlyList<string> units = [slice.Unit];
        for (var l = slice.Level; l < level; l++)
        {
            var parents = units.ToList();
            units = await db.Units.AsNoTracking().Where(u => u.ParentCode != null && parents.Contains(u.ParentCode)).Select(u => u.Code).ToListAsync(ct);
        }
        return units;
    }

    /// <summary><c>g => new CaseTally { Level, Unit, Dim = g.Key…, each counter = g.Sum(t => t.Counter) }</c>, from the counters' names.</summary>
    private static Expression<Func<IGrouping<TKey, CaseTally>, CaseTally>> Summed<TKey>(IQueryable<IGrouping<TKey, CaseTally>> _)
    {
        var g = Expression.Parameter(typeof(IGrouping<TKey, CaseTally>), "g");
        var key = Expression.Property(g, nameof(IGrouping<TKey, CaseTally>.Key));
        var bindings = new List<MemberBinding>();
        foreach (var name in new[] { nameof(CaseTally.Level), nameof(CaseTally.Unit), nameof(CaseTally.Dim) })
        {
            bindings.Add(Expression.Bind(typeof(CaseTally).GetProperty(name)!, Expression.Property(key, name)));
        }
        var t = Expression.Parameter(typeof(CaseTally), "t");
        foreach (var name in TallyCounters.Names)
        {
            var property = typeof(CaseTally).GetProperty(name)!;
            bindings.Add(Expression.Bind(property, Expression.Call(SumOfLong, g, Expression.Lambda<Func<CaseTally, long>>(Expression.Property(t, property), t))));
        }
        return Expression.Lambda<Func<IGrouping<TKey, CaseTally>, CaseTally>>(Expression.MemberInit(Expression.New(typeof(CaseTally)), bindings), g);
    }

    private static readonly System.Reflection.MethodInfo SumOfLong = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Sum) && m.IsGenericMethodDefinition && m.GetParameters().Length == 2
            && m.GetParameters()[1].ParameterType.IsGenericType && m.GetParameters()[1].ParameterType.GetGenericArguments()[1] == typeof(long))
        .MakeGenericMethod(typeof(CaseTally));

    private sealed record RowPlan(TallyLevel Level, IReadOnlyList<string> Units, string Dim, bool DimIsPrefix, Func<CaseTally, string> Group);

    /// <summary>Which rows give the slice's counts in this breakdown, or null when the tallies do not hold it.</summary>
    private async Task<RowPlan?> PlanAsync(TallySlice slice, TallyGroup group, UnitLevel level, CancellationToken ct)
    {
        var itself = new[] { slice.Unit };
        switch (group)
        {
            case TallyGroup.Total:
                return new RowPlan(slice.Level, itself, slice.Dim, false, _ => "");
            case TallyGroup.Category or TallyGroup.Platform:
                if (slice.Dim != "" || slice.Level == TallyLevel.Community) return null;
                return new RowPlan(slice.Level, itself, group == TallyGroup.Category ? "c:" : "p:", true, t => t.Dim[2..]);
            case TallyGroup.Department:
                if (slice.Department is { } department) return new RowPlan(slice.Level, itself, slice.Dim, false, _ => department);
                if (slice.Level == TallyLevel.Community) return null;
                return new RowPlan(slice.Level, itself, "d:", true, t => t.Dim[2..]);
            default:
                TallyLevel? target = level switch
                {
                    UnitLevel.City or UnitLevel.District => TallyLevel.District,
                    UnitLevel.Street => TallyLevel.Street,
                    UnitLevel.Community => TallyLevel.Community,
                    _ => null,
                };
                if (target is not { } t) return null;
                if (t <= slice.Level)
                {
                    var ancestor = slice.Unit[..CodeLength(t)];
                    return new RowPlan(slice.Level, itself, slice.Dim, false, _ => ancestor);
                }
                if (slice.Dim != "" && t == TallyLevel.Community) return null;
                return new RowPlan(t, await DescendantsAsync(slice, t, ct), slice.Dim, false, r => r.Unit);
        }
    }

    private static int CodeLength(TallyLevel level) => level switch
    {
        TallyLevel.District => 6,
        TallyLevel.Street => 9,
        _ => 12,
    };

    private async Task AddRowsAsync(RowPlan plan, DateOnly first, DateOnly last, bool gauges, bool perDay, Sums sums, CancellationToken ct)
    {
        if (plan.Units.Count == 0) return;
        var (from, to) = (CaseTally.DayOf(first), CaseTally.DayOf(last));
        var rows = db.CaseTallies.AsNoTracking().Where(t => t.Level == plan.Level && plan.Units.Contains(t.Unit));
        rows = plan.DimIsPrefix ? rows.Where(t => t.Dim.StartsWith(plan.Dim)) : rows.Where(t => t.Dim == plan.Dim);
        if (from <= to && perDay)
        {
            foreach (var t in await rows.Where(t => t.Day >= from && t.Day <= to).ToListAsync(ct)) sums.Add(t.Day, plan.Group(t), TallyCounters.Read(t));
        }
        else if (from <= to)
        {
            // The period's sums, added up by the database: a street's communities over a year are 27,000 rows at 10 M cases,
            // which cost more to bring over than to sum. Filed under the period's first day.
            var grouped = rows.Where(t => t.Day >= from && t.Day <= to).GroupBy(t => new { t.Level, t.Unit, t.Dim });
            var summed = grouped.Select(Summed(grouped));
            foreach (var t in await summed.ToListAsync(ct)) sums.Add(from, plan.Group(t), TallyCounters.Read(t));
        }
        if (gauges)
        {
            foreach (var t in await rows.Where(t => t.Day == CaseTally.AllTime).ToListAsync(ct)) sums.Add(t.Day, plan.Group(t), TallyCounters.Read(t));
        }
    }

    private sealed record DirectCase(long Id, CaseFacts Facts, string GridCode);

    private async Task AddDirectAsync(Expression<Func<Case, bool>> part, TallyGroup group, UnitLevel level, DateOnly first, DateOnly last, bool closedOn,
        bool gauges, Sums sums, CancellationToken ct)
    {
        var cases = db.Cases.AsNoTracking().Where(part);
        var found = new Dictionary<long, DirectCase>();
        if (first <= last)
        {
            var (from, to) = (StartOf(first), StartOf(last.AddDays(1)));
            foreach (var c in await FetchAsync(cases.Where(c => c.ReportedAt >= from && c.ReportedAt < to), ct)) found[c.Id] = c;
            if (closedOn)
            {
                foreach (var c in await FetchAsync(cases.Where(c => c.State == CaseState.Closed && c.ClosedAt >= from && c.ClosedAt < to), ct)) found[c.Id] = c;
            }
        }
        if (gauges)
        {
            foreach (var c in await FetchAsync(cases.Where(c => c.State != CaseState.Closed && c.State != CaseState.Rejected), ct)) found[c.Id] = c;
        }
        var (a, b) = (CaseTally.DayOf(first), CaseTally.DayOf(last));
        foreach (var c in found.Values) AddCase(c, group, level, day => day == CaseTally.AllTime ? gauges : day >= a && day <= b, closedOn, sums);
    }

    private static Task<List<DirectCase>> FetchAsync(IQueryable<Case> cases, CancellationToken ct) =>
        cases.Select(c => new DirectCase(c.Id,
            new CaseFacts(c.DistrictCode, c.StreetCode, c.CommunityCode, c.CategoryCode, c.PlatformCode, c.DepartmentCode, c.State,
                c.ReportedAt, c.RegisteredAt, c.DispatchedAt, c.HandledAt, c.ClosedAt, c.EverOverdue, c.ExtendedHours, c.EverSuspended,
                c.ReworkCount, c.ReturnCount, c.Satisfaction, c.PhaseOverdue, c.PhaseWarned, c.Supervised),
            c.GridCode)).ToListAsync(ct);

    /// <summary>One case's contribution, as the tallies would hold it for its community (one row per day kind), under its group.</summary>
    private void AddCase(DirectCase c, TallyGroup group, UnitLevel level, Func<int, bool> day, bool closedOn, Sums sums)
    {
        var f = c.Facts;
        string? key = group switch
        {
            TallyGroup.Total => "",
            TallyGroup.Category => f.CategoryCode ?? "",
            TallyGroup.Platform => f.PlatformCode ?? "",
            TallyGroup.Department => f.DepartmentCode,
            _ => level switch
            {
                UnitLevel.City or UnitLevel.District => f.DistrictCode,
                UnitLevel.Street => f.StreetCode,
                UnitLevel.Community => f.CommunityCode,
                _ => c.GridCode,
            },
        };
        if (key is null) return;
        var contribution = new Dictionary<TallyKey, long[]>();
        CaseContribution.Add(f, Zone, +1, contribution);
        foreach (var (k, values) in contribution)
        {
            if (k.Level != TallyLevel.Community || !day(k.Day)) continue;
            if (!closedOn) values[TallyCounters.ClosedOn] = 0;
            sums.Add(k.Day, key, values);
        }
    }
}
