using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Cases.Tallies;
using OneGrid.Catalog;
using OneGrid.Indicators;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.CommandCentre;

/// <summary>The period the command centre's breakdowns count: cases reported today or this month (local time).</summary>
public enum CommandPeriod
{
    Today,
    Month,
}

public sealed record CommandKpis(
    int ReportedToday, int ClosedToday, int ReportedMonth, int ClosedMonth, int Open, int Overdue, int Warning, int Supervised,
    double? CloseRateMonth, double? OnTimeCloseRateMonth, double? ExtensionRateMonth = null);

/// <summary>One bar or slice: a code (state, category, unit, platform; "" for none) with its display name and count.</summary>
public sealed record CountItem(string Code, string Name, int Count);

public sealed record CaseListItem(long Id, string Number, [property: JsonConverter(typeof(JsonStringEnumConverter<CaseState>))] CaseState State, string Category, string Place, DateTimeOffset ReportedAt,
    DateTimeOffset? DueAt, bool Overdue, bool Supervised);

public sealed record TrendPoint(DateOnly Day, int Reported, int Closed);

/// <summary>
/// Where a person's map starts: the outlined units drawn first, the units at that level that have no outline (listed
/// beside the map), whether the outlines are descendants of the person's grant units rather than those units
/// themselves (a city without an outline: its districts), and the name of the single grant unit, if one.
/// </summary>
public sealed record MapRoots(FeatureCollection Units, IReadOnlyList<PathItem> Unmapped, bool Expanded, string? ScopeName);

public sealed record CommandSnapshot(
    DateTimeOffset At, [property: JsonConverter(typeof(JsonStringEnumConverter<CommandPeriod>))] CommandPeriod Period, CommandKpis Kpis,
    IReadOnlyList<CountItem> ByState, IReadOnlyList<CountItem> ByCategory,
    [property: JsonConverter(typeof(JsonStringEnumConverter<UnitLevel>))] UnitLevel UnitLevel, IReadOnlyList<CountItem> ByUnit,
    IReadOnlyList<CountItem> ByPlatform, IReadOnlyList<CaseListItem> OverdueCases, IReadOnlyList<CaseListItem> SupervisedCases,
    IReadOnlyList<TrendPoint> Trend);

/// <summary>A unit's count of cases on the map, drawn at a point inside it.</summary>
public sealed record MapCluster(string Code, string Name, double Lon, double Lat, int Count);

/// <summary>The map's cases: markers, and, when there are more than the map shows one by one, the clusters that count the rest.</summary>
public sealed record MapData(IReadOnlyList<MapCase> Cases, IReadOnlyList<MapCluster> Clusters, int Total);

/// <summary>A case as a map marker.</summary>
public sealed record MapCase(long Id, string Number, double Lon, double Lat, string State, string StateName, string Category, bool Overdue,
    bool Supervised);

/// <summary>
/// The aggregations behind the command centre (驾驶舱, DESIGN §6) and the map, over exactly the cases
/// <see cref="CaseQueries.VisibleTo"/> lets the actor read: a street's leader sees the street, the district's
/// the district. The counts are read from the case tallies (<see cref="CaseTallyReader"/>), kept in the database by every
/// case write in its own transaction, so they hold for every node sharing it and cost the same at any number of cases;
/// only the two short lists read cases, open ones, through indexes.
/// </summary>
public sealed class CommandCentreQueries(OneGridDbContext db, TimeProvider time, TerritoryIndexHolder territory, CatalogCache catalog,
    IOptions<CalendarOptions> calendar, CaseTallyReader tallies)
{
    public const int TopCategories = 10;
    public const int ListLength = 10;
    public const int TrendDays = 30;
    public const int MaxMapCases = 2000;

    private static readonly CaseState[] OpenStates =
        [CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled];

    /// <summary>The start of today and of this month in the calendar's time zone (Asia/Shanghai), as instants.</summary>
    public (DateTimeOffset Today, DateTimeOffset Month, DateTimeOffset Now) Bounds()
    {
        var zone = calendar.Value.Zone();
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        DateTimeOffset At(DateTime day) => new(day, zone.GetUtcOffset(day));
        return (At(local.Date), At(new DateTime(local.Year, local.Month, 1)), now);
    }

    public async Task<CommandSnapshot> SnapshotAsync(Actor actor, CommandPeriod period, CancellationToken ct = default)
    {
        var (_, _, now) = Bounds();
        var todayDay = tallies.DayOf(now);
        var monthDay = new DateOnly(todayDay.Year, todayDay.Month, 1);
        var trendFirst = todayDay.AddDays(-(TrendDays - 1));
        var periodFirst = CaseTally.DayOf(period == CommandPeriod.Today ? todayDay : monthDay);
        var (today, month) = (CaseTally.DayOf(todayDay), CaseTally.DayOf(monthDay));
        var scope = await TallyScope.OfAsync(db, actor, ct);
        var snapshot = await catalog.GetAsync(ct);
        var index = territory.Current;

        var all = await tallies.SumAsync(scope, TallyGroup.Total, UnitLevel.District, trendFirst < monthDay ? trendFirst : monthDay, todayDay,
            closedOn: true, gauges: true, ct);
        var gauges = all.Total(d => d == CaseTally.AllTime);
        var ofMonth = all.Total(d => d >= month);
        var ofToday = all.Total(d => d == today);
        var ofPeriod = all.Total(d => d >= periodFirst);
        static int N(long v) => checked((int)v);
        static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
        // 结案率, 按期结案率 and 延期率 of the month as the indicators define them (over the cases reported in it).
        var kpis = new CommandKpis(N(ofToday[TallyCounters.Reports]), N(ofToday[TallyCounters.ClosedOn]), N(ofMonth[TallyCounters.Reports]),
            N(ofMonth[TallyCounters.ClosedOn]), N(gauges[TallyCounters.Open]), N(gauges[TallyCounters.OpenOverdue]), N(gauges[TallyCounters.OpenWarning]),
            N(gauges[TallyCounters.OpenSupervised]), Rate(ofMonth[TallyCounters.Closed], ofMonth[TallyCounters.Registered]),
            Rate(ofMonth[TallyCounters.ClosedOnTime], ofMonth[TallyCounters.Registered] - ofMonth[TallyCounters.ExtendedOrSuspended]),
            Rate(ofMonth[TallyCounters.Extended], ofMonth[TallyCounters.Registered]));

        var byState = Enum.GetValues<CaseState>()
            .Select(s => new CountItem(s.ToString(), StateName(s), N(ofPeriod[TallyCounters.StateIndex(s)]))).ToList();

        async Task<List<(string Key, int Count)>> ReportsBy(TallyGroup group, UnitLevel level)
        {
            var sums = await tallies.SumAsync(scope, group, level, CaseTally.DateOf(periodFirst), todayDay, closedOn: false, gauges: false, ct, perDay: false);
            return sums.ByGroup(TallyCounters.Reports, _ => true).Where(g => g.Value > 0)
                .OrderByDescending(g => g.Value).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, N(g.Value))).ToList();
        }
        static string? Code(string key) => key == "" ? null : key;
        var byCategory = (await ReportsBy(TallyGroup.Category, UnitLevel.District)).Take(TopCategories)
            .Select(x => new CountItem(x.Key, CategoryName(snapshot, Code(x.Key)), x.Count)).ToList();
        var level = UnitLevelFor(actor);
        var byUnit = (await ReportsBy(TallyGroup.Unit, level)).Select(x => new CountItem(x.Key, index.Find(x.Key)?.Name ?? x.Key, x.Count)).ToList();
        var byPlatform = (await ReportsBy(TallyGroup.Platform, UnitLevel.District))
            .Select(x => new CountItem(x.Key, PlatformName(snapshot, Code(x.Key)), x.Count)).ToList();

        var trend = Enumerable.Range(0, TrendDays).Select(i => trendFirst.AddDays(i)).Select(d =>
        {
            var day = all.Total(x => x == CaseTally.DayOf(d));
            return new TrendPoint(d, N(day[TallyCounters.Reports]), N(day[TallyCounters.ClosedOn]));
        }).ToList();

        var (overdue, supervised) = await ListsAsync(scope, snapshot, index, ct);
        return new CommandSnapshot(now, period, kpis, byState, byCategory, level, byUnit, byPlatform, overdue, supervised, trend);
    }

    /// <summary>
    /// The open overdue cases, longest overdue first, and the open supervised ones, nearest deadline first, of each part of the
    /// scope (an equality on a unit column an index leads with), merged: open overdue cases have a deadline, so the
    /// deadline-ordered index of open cases gives the first ones in order; supervised open cases are few.
    /// </summary>
    private async Task<(List<CaseListItem> Overdue, List<CaseListItem> Supervised)> ListsAsync(TallyScope scope, CatalogSnapshot snapshot,
        TerritoryIndex index, CancellationToken ct)
    {
        var overdue = new List<ListRow>();
        var supervised = new List<ListRow>();
        foreach (var part in scope.Parts())
        {
            var cases = db.Cases.AsNoTracking().Where(part);
            overdue.AddRange(await RowsAsync(cases.Where(c => c.PhaseDueAt != null && c.PhaseOverdue && c.State != CaseState.Closed && c.State != CaseState.Rejected)
                .OrderBy(c => c.PhaseDueAt).ThenBy(c => c.Id), ct));
            supervised.AddRange(await RowsAsync(cases.Where(c => c.Supervised && c.State != CaseState.Closed && c.State != CaseState.Rejected)
                .OrderBy(c => c.PhaseDueAt == null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.Id), ct));
        }
        // The parts are disjoint, so a merge of their first rows in the same order is the first rows of the whole.
        var o = overdue.OrderBy(c => c.PhaseDueAt).ThenBy(c => c.Id).Take(ListLength);
        var s = supervised.OrderBy(c => c.PhaseDueAt == null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.Id).Take(ListLength);
        return (o.Select(c => Item(c, snapshot, index)).ToList(), s.Select(c => Item(c, snapshot, index)).ToList());
    }

    private sealed record ListRow(long Id, string Number, CaseState State, string? CategoryCode, string CommunityCode, string GridCode,
        DateTimeOffset ReportedAt, DateTimeOffset? PhaseDueAt, bool PhaseOverdue, bool Supervised);

    private static Task<List<ListRow>> RowsAsync(IQueryable<Case> query, CancellationToken ct) =>
        query.Take(ListLength).Select(c => new ListRow(c.Id, c.Number, c.State, c.CategoryCode, c.CommunityCode, c.GridCode, c.ReportedAt, c.PhaseDueAt,
            c.PhaseOverdue, c.Supervised)).ToListAsync(ct);

    private static CaseListItem Item(ListRow c, CatalogSnapshot snapshot, TerritoryIndex index) =>
        new(c.Id, c.Number, c.State, CategoryName(snapshot, c.CategoryCode), index.Find(c.GridCode)?.Name ?? index.Find(c.CommunityCode)?.Name ?? c.GridCode,
            c.ReportedAt, c.PhaseDueAt, c.PhaseOverdue, c.Supervised);

    /// <summary>
    /// The same snapshot counted on the cases themselves (every number a query over the scope's cases): the reference the
    /// tallies are tested against, too slow to serve at scale.
    /// </summary>
    public async Task<CommandSnapshot> SnapshotDirectAsync(Actor actor, CommandPeriod period, CancellationToken ct = default)
    {
        var (today, month, now) = Bounds();
        var visible = db.Cases.AsNoTracking().VisibleTo(actor);
        var snapshot = await catalog.GetAsync(ct);
        var index = territory.Current;

        var kpi = await visible.GroupBy(_ => 1).Select(g => new
        {
            ReportedToday = g.Count(c => c.ReportedAt >= today),
            ClosedToday = g.Count(c => c.State == CaseState.Closed && c.ClosedAt >= today),
            ReportedMonth = g.Count(c => c.ReportedAt >= month),
            ClosedMonth = g.Count(c => c.State == CaseState.Closed && c.ClosedAt >= month),
            Open = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected),
            Overdue = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.PhaseOverdue),
            Warning = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.PhaseWarned && !c.PhaseOverdue),
            Supervised = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.Supervised),
        }).FirstOrDefaultAsync(ct);
        // 结案率 and 按期结案率 of the month as the indicators define them (over the cases reported in it).
        var indicators = await IndicatorEndpoints.ComputeDirectAsync(db, actor, territory, "district", null, month, now.AddTicks(1), ct);
        var kpis = new CommandKpis(kpi?.ReportedToday ?? 0, kpi?.ClosedToday ?? 0, kpi?.ReportedMonth ?? 0, kpi?.ClosedMonth ?? 0,
            kpi?.Open ?? 0, kpi?.Overdue ?? 0, kpi?.Warning ?? 0, kpi?.Supervised ?? 0,
            indicators.Total.CloseRate, indicators.Total.OnTimeCloseRate, indicators.Total.ExtensionRate);

        var from = period == CommandPeriod.Today ? today : month;
        var inPeriod = visible.Where(c => c.ReportedAt >= from);

        var states = await inPeriod.GroupBy(c => c.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byState = Enum.GetValues<CaseState>()
            .Select(s => new CountItem(s.ToString(), StateName(s), states.FirstOrDefault(x => x.Key == s)?.Count ?? 0)).ToList();

        var categories = await inPeriod.GroupBy(c => c.CategoryCode).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byCategory = categories.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal).Take(TopCategories)
            .Select(x => new CountItem(x.Key ?? "", CategoryName(snapshot, x.Key), x.Count)).ToList();

        var level = UnitLevelFor(actor);
        var keyed = level switch
        {
            UnitLevel.Street => inPeriod.Select(c => c.StreetCode),
            UnitLevel.Community => inPeriod.Select(c => c.CommunityCode),
            _ => inPeriod.Select(c => c.GridCode),
        };
        var units = await keyed.GroupBy(k => k).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byUnit = units.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new CountItem(x.Key, index.Find(x.Key)?.Name ?? x.Key, x.Count)).ToList();

        var platforms = await inPeriod.GroupBy(c => c.PlatformCode).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byPlatform = platforms.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new CountItem(x.Key ?? "", PlatformName(snapshot, x.Key), x.Count)).ToList();

        var open = visible.Where(c => OpenStates.Contains(c.State));
        var overdue = await ListAsync(open.Where(c => c.PhaseOverdue).OrderBy(c => c.PhaseDueAt).ThenBy(c => c.Id), snapshot, index, ct);
        var supervised = await ListAsync(open.Where(c => c.Supervised).OrderBy(c => c.PhaseDueAt == null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.Id),
            snapshot, index, ct);

        return new CommandSnapshot(now, period, kpis, byState, byCategory, level, byUnit, byPlatform, overdue, supervised,
            await TrendAsync(visible, today, ct));
    }

    /// <summary>Cases reported and closed on each of the last <see cref="TrendDays"/> days, today last.</summary>
    private async Task<List<TrendPoint>> TrendAsync(IQueryable<Case> visible, DateTimeOffset today, CancellationToken ct)
    {
        var zone = calendar.Value.Zone();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(today, zone).Date).AddDays(-(TrendDays - 1));
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(first.ToDateTime(TimeOnly.MinValue)));
        // Only the instants are read, bucketed here by local day: the same on both databases.
        var reported = await visible.Where(c => c.ReportedAt >= start).Select(c => c.ReportedAt).ToListAsync(ct);
        var closed = await visible.Where(c => c.State == CaseState.Closed && c.ClosedAt >= start).Select(c => c.ClosedAt!.Value).ToListAsync(ct);
        DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).Date);
        var r = reported.GroupBy(Day).ToDictionary(g => g.Key, g => g.Count());
        var c = closed.GroupBy(Day).ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, TrendDays).Select(i => first.AddDays(i))
            .Select(d => new TrendPoint(d, r.GetValueOrDefault(d), c.GetValueOrDefault(d))).ToList();
    }

    private static async Task<List<CaseListItem>> ListAsync(IQueryable<Case> query, CatalogSnapshot snapshot, TerritoryIndex index, CancellationToken ct)
    {
        var rows = await query.Take(ListLength).Select(c => new
        {
            c.Id, c.Number, c.State, c.CategoryCode, c.CommunityCode, c.GridCode, c.ReportedAt, c.PhaseDueAt, c.PhaseOverdue, c.Supervised,
        }).ToListAsync(ct);
        return rows.Select(c => new CaseListItem(c.Id, c.Number, c.State, CategoryName(snapshot, c.CategoryCode),
            index.Find(c.GridCode)?.Name ?? index.Find(c.CommunityCode)?.Name ?? c.GridCode, c.ReportedAt, c.PhaseDueAt, c.PhaseOverdue,
            c.Supervised)).ToList();
    }

    /// <summary>
    /// Cases for the map: open ones by default, or those of one state; optionally of one category or class
    /// (a code prefix, as the case list's filter). The newest first, at most <see cref="MaxMapCases"/>.
    /// </summary>
    public Task<IReadOnlyList<MapCase>> MapCasesAsync(Actor actor, string? category, CaseState? state, CancellationToken ct = default) =>
        MarkersAsync(db.Cases.AsNoTracking().VisibleTo(actor), category, state, ct);

    private async Task<IReadOnlyList<MapCase>> MarkersAsync(IQueryable<Case> query, string? category, CaseState? state, CancellationToken ct)
    {
        query = Filtered(query, category, state);
        var snapshot = await catalog.GetAsync(ct);
        var rows = await query.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).Take(MaxMapCases)
            .Select(c => new { c.Id, c.Number, c.Lon, c.Lat, c.State, c.CategoryCode, c.PhaseOverdue, c.Supervised }).ToListAsync(ct);
        return rows.Select(c => new MapCase(c.Id, c.Number, c.Lon, c.Lat, c.State.ToString(), StateName(c.State),
            CategoryName(snapshot, c.CategoryCode), c.PhaseOverdue, c.Supervised)).ToList();
    }

    private static IQueryable<Case> Filtered(IQueryable<Case> query, string? category, CaseState? state)
    {
        query = state is { } s ? query.Where(c => c.State == s) : query.Where(c => OpenStates.Contains(c.State));
        if (!string.IsNullOrWhiteSpace(category)) query = query.Where(c => c.CategoryCode != null && c.CategoryCode.StartsWith(category));
        return query;
    }

    /// <summary>
    /// What the map shows: the cases as markers while they number at most <see cref="MaxMapCases"/>; beyond that, one
    /// cluster per community (per street for a category or a department's cases) with its count, at the unit's centre,
    /// counted from the tallies' all-time rows — and markers only for the small parts of the scope the tallies do not
    /// cover (a grid, one's own reports). So a district's hundred thousand open cases cost a few hundred tally rows.
    /// </summary>
    public async Task<MapData> MapAsync(Actor actor, string? category, CaseState? state, CancellationToken ct = default)
    {
        category = string.IsNullOrWhiteSpace(category) ? null : category;
        var scope = await TallyScope.OfAsync(db, actor, ct);
        var counter = state is { } s ? TallyCounters.StateIndex(s) : TallyCounters.Open;
        var (byUnit, rest) = await tallies.AllTimeByUnitAsync(scope, counter, category, ct);
        var total = byUnit.Values.Sum();
        foreach (var part in rest) total += await Filtered(db.Cases.AsNoTracking().Where(part), category, state).CountAsync(ct);
        if (total <= MaxMapCases) return new MapData(await MapCasesAsync(actor, category, state, ct), [], checked((int)total));

        var markers = new List<MapCase>();
        foreach (var part in rest) markers.AddRange(await MarkersAsync(db.Cases.AsNoTracking().Where(part), category, state, ct));
        var places = await CentresAsync(byUnit.Keys.ToList(), ct);
        var clusters = byUnit.Where(u => u.Value > 0 && places.ContainsKey(u.Key)).OrderBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => new MapCluster(u.Key, places[u.Key].Name, places[u.Key].Lon, places[u.Key].Lat, checked((int)u.Value))).ToList();
        return new MapData(markers.Take(MaxMapCases).ToList(), clusters, checked((int)total));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Code, long Revision), (string Name, double Lon, double Lat)> Centres = new();

    /// <summary>A point inside each unit (its outline's interior point, which a concave outline's centroid need not be), kept per territory revision.</summary>
    private async Task<Dictionary<string, (string Name, double Lon, double Lat)>> CentresAsync(List<string> codes, CancellationToken ct)
    {
        var revision = territory.Current.Revision;
        var found = new Dictionary<string, (string Name, double Lon, double Lat)>();
        var missing = new List<string>();
        foreach (var code in codes)
        {
            if (Centres.TryGetValue((code, revision), out var c)) found[code] = c;
            else missing.Add(code);
        }
        if (missing.Count == 0) return found;
        var reader = new WKBReader();
        var units = await db.Units.AsNoTracking().Where(u => missing.Contains(u.Code) && u.Boundary != null).ToListAsync(ct);
        foreach (var u in units)
        {
            var point = reader.Read(u.Boundary).InteriorPoint;
            if (point.IsEmpty) continue;
            found[u.Code] = Centres[(u.Code, revision)] = (UnitName(u), point.X, point.Y);
        }
        return found;
    }

    /// <summary>
    /// The units a map starts from: the highest units the actor's grants reach (a district leader's district, a
    /// community operator's community) that have an outline. A unit without one (杭州市 in the demo, whose districts
    /// are outlined but which is not) gives way to its children, level by level, until some have outlines; at that
    /// level the outlined ones are drawn and the others listed as <see cref="MapRoots.Unmapped"/>. Grids are the
    /// deepest level looked at (a grid's children are buildings, points).
    /// </summary>
    public async Task<MapRoots> MapRootsAsync(Actor actor, CancellationToken ct = default)
    {
        var codes = RootCodes(actor);
        var frontier = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code)).ToListAsync(ct);
        var scope = frontier.Count == 1 ? UnitName(frontier[0]) : null;
        var outlined = new List<Unit>();
        var unmapped = new List<Unit>();
        var expanded = false;
        var reader = new WKBReader();
        bool HasOutline(Unit u) => u.Boundary is not null && reader.Read(u.Boundary) is Polygon or MultiPolygon;
        while (frontier.Count > 0)
        {
            var lookup = frontier.ToLookup(HasOutline);
            outlined.AddRange(lookup[true]);
            var bare = lookup[false].ToList();
            var descend = bare.Where(u => u.Level < UnitLevel.Grid).Select(u => u.Code).ToList();
            if (outlined.Count > 0 || descend.Count == 0)
            {
                unmapped.AddRange(bare);
                break;
            }
            var children = await db.Units.AsNoTracking().Where(u => u.ParentCode != null && descend.Contains(u.ParentCode)).ToListAsync(ct);
            unmapped.AddRange(bare.Where(u => !descend.Contains(u.Code)));
            if (children.Count == 0)
            {
                unmapped.AddRange(bare.Where(u => descend.Contains(u.Code)));
                break;
            }
            expanded = true;
            frontier = children;
        }
        return new MapRoots(
            TerritoryEndpoints.Features(outlined.OrderBy(u => u.Code, StringComparer.Ordinal)),
            unmapped.OrderBy(u => u.Code, StringComparer.Ordinal).Select(u => new PathItem(u.Code, UnitName(u), u.Level.ToWire())).ToList(),
            expanded,
            scope);
    }

    private static string UnitName(Unit unit) => Text.IsEnglish && !string.IsNullOrEmpty(unit.NameEn) ? unit.NameEn : unit.Name;

    /// <summary>The grant units that no other grant's unit contains; couriers' grants do not count (they follow only their own reports).</summary>
    public static List<string> RootCodes(Actor actor)
    {
        var codes = actor.Grants.Where(g => g.Role != Role.Courier).Select(g => g.UnitCode).Distinct().ToList();
        return codes.Where(c => !codes.Any(o => o != c && c.StartsWith(o, StringComparison.Ordinal))).OrderBy(c => c, StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether the actor may use the command centre and the map: anyone holding a grant on the territory but a courier's.</summary>
    public static bool MayUse(Actor actor) => RootCodes(actor).Count > 0;

    /// <summary>The level the "by unit" breakdown groups by: one below the highest unit the actor reaches (district → streets).</summary>
    public static UnitLevel UnitLevelFor(Actor actor)
    {
        var shortest = RootCodes(actor).Select(c => c.Length).DefaultIfEmpty(6).Min();
        return shortest switch
        {
            <= 6 => UnitLevel.Street,
            <= 9 => UnitLevel.Community,
            _ => UnitLevel.Grid,
        };
    }

    public static string StateName(CaseState state) => Text.Pick(CaseService.StateZh(state), state switch
    {
        CaseState.Reported => "Reported",
        CaseState.Registered => "Registered",
        CaseState.Rejected => "Rejected",
        CaseState.Dispatched => "Dispatched",
        CaseState.InProgress => "In progress",
        CaseState.Handled => "Handled",
        CaseState.Closed => "Closed",
        _ => state.ToString(),
    });

    private static string CategoryName(CatalogSnapshot snapshot, string? code)
    {
        if (code is null) return Text.Pick("未分类", "Unclassified");
        var type = snapshot.FindType(code);
        return type is null ? code : Text.IsEnglish && !string.IsNullOrEmpty(type.NameEn) ? type.NameEn : type.Name;
    }

    private static string PlatformName(CatalogSnapshot snapshot, string? code)
    {
        if (code is null) return Text.Pick("未定平台", "No platform");
        var platform = snapshot.FindPlatform(code);
        return platform is null ? code : Text.IsEnglish && !string.IsNullOrEmpty(platform.NameEn) ? platform.NameEn : platform.Name;
    }
}
