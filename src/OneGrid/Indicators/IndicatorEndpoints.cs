using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.Cases.Tallies;
using OneGrid.Exports;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Indicators;

/// <summary>
/// The standard indicators of digital urban management per unit and period (DESIGN §6), over the cases
/// reported in the period within the caller's scope. A case granted an extension (延期) or ever suspended (挂账) is
/// judged on no time limit: it leaves the on-time numerators and denominators (按期处置率 over registered − extended,
/// 按期结案率 over registered − extended − suspended), and 延期率 = extended ÷ registered.
/// </summary>
public sealed record IndicatorRow(
    string UnitCode, string UnitName, int Reports, int Registered, int Dispatched, int Handled, int HandledOnTime, int Closed,
    int ClosedOnTime, int Reworked, int Returned, int Overdue, int Ratings, int Satisfied, int Extended, int Suspended,
    double? CloseRate, double? OnTimeHandleRate, double? OnTimeCloseRate, double? ReworkRate, double? Satisfaction, double? ExtensionRate,
    string CasesUrl)
{
    public static readonly string[] HeadersZh =
    [
        "单位编码", "单位", "上报数", "立案数", "派遣数", "处置数", "按期处置数", "结案数", "按期结案数", "返工数", "退回数", "超时数", "评价数", "满意数",
        "延期数", "挂账数", "结案率", "按期处置率", "按期结案率", "返工率", "满意度", "延期率",
    ];

    public object?[] Values() =>
    [
        UnitCode, UnitName, Reports, Registered, Dispatched, Handled, HandledOnTime, Closed, ClosedOnTime, Reworked, Returned, Overdue, Ratings,
        Satisfied, Extended, Suspended, CloseRate, OnTimeHandleRate, OnTimeCloseRate, ReworkRate, Satisfaction, ExtensionRate,
    ];
}

public static class IndicatorEndpoints
{
    private static readonly string[] Groupings = ["district", "street", "community", "grid", "department"];

    public static IEndpointRouteBuilder MapIndicatorEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/indicators").WithTags("Indicators").RequireActor(a => !a.IsAnonymous);
        api.MapGet("", async (OneGridDbContext db, CaseTallyReader tallies, IActorAccessor actors, TerritoryIndexHolder territory, string? by, string? unit,
                DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
            {
                var result = await ComputeAsync(db, tallies, actors.Current, territory, by, unit, from, to, ct);
                return result.Problem ?? Results.Ok(new { by = result.By, unit, from = result.From, to = result.To, rows = result.Rows, total = result.Total });
            })
            .WithName("Indicators")
            .WithSummary("结案率, 按期处置率, 按期结案率, 返工率, 满意度, 延期率 … per street, community, grid or department, ranked by 按期结案率.");
        api.MapGet("/export.csv", async (HttpContext http, OneGridDbContext db, CaseTallyReader tallies, IActorAccessor actors, TerritoryIndexHolder territory, string? by,
                string? unit, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
            await ExportAsync(http, db, tallies, actors, territory, by, unit, from, to, "text/csv; charset=utf-8", "csv",
                (s, rows) => ExportWriters.CsvAsync(s, IndicatorRow.HeadersZh, rows, ct), ct))
            .WithName("ExportIndicatorsCsv");
        api.MapGet("/export.xlsx", async (HttpContext http, OneGridDbContext db, CaseTallyReader tallies, IActorAccessor actors, TerritoryIndexHolder territory, string? by,
                string? unit, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
            await ExportAsync(http, db, tallies, actors, territory, by, unit, from, to, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                (s, rows) => ExportWriters.XlsxAsync(s, "考核指标", IndicatorRow.HeadersZh, rows, ct), ct))
            .WithName("ExportIndicatorsXlsx");
        return app;
    }

    private static async Task<IResult> ExportAsync(HttpContext http, OneGridDbContext db, CaseTallyReader tallies, IActorAccessor actors, TerritoryIndexHolder territory,
        string? by, string? unit, DateTimeOffset? from, DateTimeOffset? to, string contentType, string extension,
        Func<Stream, IAsyncEnumerable<object?[]>, Task> write, CancellationToken ct)
    {
        var result = await ComputeAsync(db, tallies, actors.Current, territory, by, unit, from, to, ct);
        if (result.Problem is not null) return result.Problem;
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"indicators-{result.By}.{extension}\"";
        await write(http.Response.Body, result.Rows.Append(result.Total).Select(r => r.Values()).ToAsyncEnumerable());
        return Results.Empty;
    }

    internal sealed record Computed(string By, DateTimeOffset From, DateTimeOffset To, List<IndicatorRow> Rows, IndicatorRow Total, IResult? Problem);

    /// <summary>
    /// The indicators from the case tallies: the whole local days of the period from the tallies' cohort rows, the hours
    /// before the first and after the last whole day counted on the cases reported in them (an index on the report time
    /// within the scope's unit keeps that to those hours' cases). Grouped by grid, which the tallies do not keep, the
    /// period's cases are counted directly: one community's, or as many as the unit filter and the scope reach.
    /// </summary>
    internal static async Task<Computed> ComputeAsync(OneGridDbContext db, CaseTallyReader tallies, Actor actor, TerritoryIndexHolder territory,
        string? by, string? unit, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        (by, var start, var end, var refused) = Request(by, from, to);
        if (refused is not null) return refused;

        var scope = await TallyScope.OfAsync(db, actor, ct);
        if (!string.IsNullOrWhiteSpace(unit)) scope = scope.Under(unit);
        var (group, level) = by switch
        {
            "district" => (TallyGroup.Unit, UnitLevel.District),
            "street" => (TallyGroup.Unit, UnitLevel.Street),
            "community" => (TallyGroup.Unit, UnitLevel.Community),
            "grid" => (TallyGroup.Unit, UnitLevel.Grid),
            _ => (TallyGroup.Department, UnitLevel.District),
        };
        // Whole local days: from the first day that starts at or after `start` to the last that ends at or before `end`. No case
        // lies near the ends of the calendar, where converting to local time would overflow.
        (start, end) = (Clamp(start), Clamp(end));
        var first = tallies.DayOf(start);
        if (tallies.StartOf(first) < start) first = first.AddDays(1);
        var last = tallies.DayOf(end).AddDays(-1);
        CaseTallyReader.Sums sums;
        if (first > last || tallies.StartOf(first) >= end)
        {
            sums = new CaseTallyReader.Sums();
            await tallies.AddReportedBetweenAsync(scope, group, level, start, end, sums, ct);
        }
        else
        {
            sums = await tallies.SumAsync(scope, group, level, first, last, closedOn: false, gauges: false, ct, perDay: false);
            await tallies.AddReportedBetweenAsync(scope, group, level, start, tallies.StartOf(first), sums, ct);
            await tallies.AddReportedBetweenAsync(scope, group, level, tallies.StartOf(last.AddDays(1)), end, sums, ct);
        }
        var groups = sums.GroupBy(e => e.Key.Group).Select(g =>
            {
                var v = new long[TallyCounters.Count];
                foreach (var e in g) for (var i = 0; i < v.Length; i++) v[i] += e.Value[i];
                return Counts.Of(g.Key, v);
            })
            .Where(c => c.Reports > 0).ToList();
        return Result(groups, territory, by, from ?? start, to ?? end);
    }

    /// <summary>The grouping and period asked for (defaults: by street, the last 30 days), or the refusal naming the bad field.</summary>
    private static (string By, DateTimeOffset Start, DateTimeOffset End, Computed? Refused) Request(string? by, DateTimeOffset? from, DateTimeOffset? to)
    {
        var grouping = (by ?? "street").ToLowerInvariant();
        var end = to ?? DateTimeOffset.UtcNow;
        var start = from ?? end.AddDays(-30);
        if (!Groupings.Contains(grouping))
        {
            return (grouping, start, end, new(grouping, start, end, [], Empty, Problems.InvalidField("by", "分组应为 district、street、community、grid 或 department",
                "by must be district, street, community, grid or department")));
        }
        if (start >= end) return (grouping, start, end, new(grouping, start, end, [], Empty, Problems.InvalidField("from", "起始时间须早于结束时间", "from must be before to")));
        return (grouping, start, end, null);
    }

    private static DateTimeOffset Clamp(DateTimeOffset t)
    {
        var (lo, hi) = (DateTimeOffset.MinValue.AddDays(2), DateTimeOffset.MaxValue.AddDays(-2));
        return t < lo ? lo : t > hi ? hi : t;
    }

    private static Computed Result(List<Counts> groups, TerritoryIndexHolder territory, string by, DateTimeOffset start, DateTimeOffset end)
    {
        var index = territory.Current;
        var rows = groups.Select(g => Row(g, index.Find(g.Key)?.Name ?? g.Key, by, start, end))
            .OrderByDescending(r => r.OnTimeCloseRate ?? -1).ThenByDescending(r => r.Reports).ThenBy(r => r.UnitCode).ToList();
        var total = Row(groups.Aggregate(new Counts("total", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (a, g) => a + g), Text.Pick("合计", "Total"),
            by, start, end, drill: false);
        return new(by, start, end, rows, total, null);
    }

    /// <summary>The same indicators counted on the cases of the period: the reference the tallies are tested against.</summary>
    internal static async Task<Computed> ComputeDirectAsync(OneGridDbContext db, Actor actor, TerritoryIndexHolder territory, string? by, string? unit,
        DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        (by, var start, var end, var refused) = Request(by, from, to);
        if (refused is not null) return refused;

        var cases = db.Cases.AsNoTracking().VisibleTo(actor).Where(c => c.ReportedAt >= start && c.ReportedAt < end);
        if (!string.IsNullOrWhiteSpace(unit)) cases = cases.Where(c => c.GridCode.StartsWith(unit));
        var keyed = by switch
        {
            "district" => cases.Select(c => new { Key = c.DistrictCode, c }),
            "street" => cases.Select(c => new { Key = c.StreetCode, c }),
            "community" => cases.Select(c => new { Key = c.CommunityCode, c }),
            "grid" => cases.Select(c => new { Key = c.GridCode, c }),
            _ => cases.Where(c => c.DepartmentCode != null).Select(c => new { Key = c.DepartmentCode!, c }),
        };
        var groups = await keyed.GroupBy(x => x.Key).Select(g => new Counts(
            g.Key,
            g.Count(),
            g.Count(x => x.c.RegisteredAt != null),
            g.Count(x => x.c.DispatchedAt != null),
            g.Count(x => x.c.HandledAt != null || x.c.State == CaseState.Closed),
            g.Count(x => (x.c.HandledAt != null || x.c.State == CaseState.Closed) && !x.c.EverOverdue && x.c.ExtendedHours == 0),
            g.Count(x => x.c.State == CaseState.Closed),
            g.Count(x => x.c.State == CaseState.Closed && !x.c.EverOverdue && x.c.ExtendedHours == 0 && !x.c.EverSuspended),
            g.Count(x => x.c.ReworkCount > 0),
            g.Count(x => x.c.ReturnCount > 0),
            g.Count(x => x.c.EverOverdue),
            g.Count(x => x.c.Satisfaction != null),
            g.Count(x => x.c.Satisfaction >= 4),
            g.Count(x => x.c.RegisteredAt != null && x.c.ExtendedHours > 0),
            g.Count(x => x.c.RegisteredAt != null && x.c.EverSuspended),
            g.Count(x => x.c.RegisteredAt != null && (x.c.ExtendedHours > 0 || x.c.EverSuspended)))).ToListAsync(ct);
        return Result(groups, territory, by, start, end);
    }

    private static readonly IndicatorRow Empty = Row(new Counts("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "", "", default, default, drill: false);

    internal sealed record Counts(string Key, int Reports, int Registered, int Dispatched, int Handled, int HandledOnTime, int Closed,
        int ClosedOnTime, int Reworked, int Returned, int Overdue, int Ratings, int Satisfied, int Extended, int Suspended, int ExtendedOrSuspended)
    {
        public static Counts Of(string key, long[] v)
        {
            static int N(long x) => checked((int)x);
            return new(key, N(v[TallyCounters.Reports]), N(v[TallyCounters.Registered]), N(v[TallyCounters.Dispatched]), N(v[TallyCounters.Handled]),
                N(v[TallyCounters.HandledOnTime]), N(v[TallyCounters.Closed]), N(v[TallyCounters.ClosedOnTime]), N(v[TallyCounters.Reworked]),
                N(v[TallyCounters.Returned]), N(v[TallyCounters.Overdue]), N(v[TallyCounters.Ratings]), N(v[TallyCounters.Satisfied]),
                N(v[TallyCounters.Extended]), N(v[TallyCounters.Suspended]), N(v[TallyCounters.ExtendedOrSuspended]));
        }

        public static Counts operator +(Counts a, Counts b) => new(a.Key, a.Reports + b.Reports, a.Registered + b.Registered,
            a.Dispatched + b.Dispatched, a.Handled + b.Handled, a.HandledOnTime + b.HandledOnTime, a.Closed + b.Closed,
            a.ClosedOnTime + b.ClosedOnTime, a.Reworked + b.Reworked, a.Returned + b.Returned, a.Overdue + b.Overdue,
            a.Ratings + b.Ratings, a.Satisfied + b.Satisfied, a.Extended + b.Extended, a.Suspended + b.Suspended,
            a.ExtendedOrSuspended + b.ExtendedOrSuspended);
    }

    private static IndicatorRow Row(Counts c, string name, string by, DateTimeOffset from, DateTimeOffset to, bool drill = true)
    {
        static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
        var url = drill
            ? $"/api/v1/cases?unit={Uri.EscapeDataString(c.Key)}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"
            : "";
        return new IndicatorRow(c.Key, name, c.Reports, c.Registered, c.Dispatched, c.Handled, c.HandledOnTime, c.Closed, c.ClosedOnTime,
            c.Reworked, c.Returned, c.Overdue, c.Ratings, c.Satisfied, c.Extended, c.Suspended,
            Rate(c.Closed, c.Registered), Rate(c.HandledOnTime, c.Registered - c.Extended), Rate(c.ClosedOnTime, c.Registered - c.ExtendedOrSuspended),
            Rate(c.Reworked, c.Handled), Rate(c.Satisfied, c.Ratings), Rate(c.Extended, c.Registered), url);
    }
}
