using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>One unit's dispute indicators over the disputes registered in the period (DESIGN §6).</summary>
public sealed record DisputeIndicatorRow(string UnitCode, string UnitName, int Registered, int Mediated, int WithOutcome, int Agreements,
    int ResolvedLocally, int Escalated, int OnTime, int OnTimeBase, int FollowedUp, int Performed, int HighRisk, int Overdue,
    double? SuccessRate, double? LocalResolutionRate, double? OnTimeRate, double? PerformanceRate);

public sealed record DisputeIndicatorResponse(string? UnitCode, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DisputeIndicatorRow> Rows,
    DisputeIndicatorRow Total, string? Indicator, IReadOnlyList<DisputeSummary>? Disputes);

/// <summary>
/// 调解成功率 = agreements ÷ disputes with an outcome; 就地化解率 = agreements reached where the dispute landed, never
/// escalated ÷ disputes with an outcome; 按期化解率 = outcomes within the mediation deadline ÷ outcomes (extended or
/// suspended ones left out, as for cases); 协议履行率 = performed ÷ followed up. Drill-down lists the disputes one count holds.
/// </summary>
public static class DisputeIndicators
{
    /// <summary>The counts a drill-down may list, by name.</summary>
    public static readonly IReadOnlyDictionary<string, Func<Dispute, bool>> Counted = new Dictionary<string, Func<Dispute, bool>>
    {
        ["registered"] = _ => true,
        ["mediated"] = d => d.AcceptedAt != null,
        ["outcome"] = d => d.OutcomeAt != null,
        ["agreements"] = IsAgreement,
        ["resolved-locally"] = d => IsAgreement(d) && d.EscalationCount == 0,
        ["escalated"] = d => d.EscalationCount > 0,
        ["on-time"] = d => d.OutcomeAt != null && d.OutcomeOnTime == true,
        ["followed-up"] = d => d.FollowedUpAt != null,
        ["performed"] = d => d.FollowedUpAt != null && d.Performed == true,
        ["high-risk"] = d => d.Risk == RiskLevel.High,
        ["overdue"] = d => d.EverOverdue,
    };

    /// <summary>An outcome that is an agreement: a failure keeps its reason until an escalation starts over.</summary>
    public static bool IsAgreement(Dispute d) => d.OutcomeAt != null && d.FailReason == null;

    public static IEndpointRouteBuilder MapDisputeIndicatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/indicators/disputes", Get).WithTags("Indicators", "Disputes").RequireActor()
            .WithName("DisputeIndicators")
            .WithSummary("调解成功率, 就地化解率, 按期化解率, 协议履行率 … per unit below unitCode; indicator=agreements etc. lists the disputes counted.");
        return app;
    }

    private static async Task<IResult> Get(OneGridDbContext db, DisputeService disputes, DisputeWorkflow workflow, IActorAccessor actors,
        TerritoryIndexHolder territory, IOptions<CalendarOptions> calendar, TimeProvider time, string? unitCode, DateOnly? from, DateOnly? to,
        string? indicator, CancellationToken ct)
    {
        // Periods are whole local days of the calendar's time zone: from its first day's midnight to the midnight after its last.
        var zone = calendar.Value.Zone();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var last = to ?? today;
        var first = from ?? last.AddDays(-29);
        if (first > last) return Problems.InvalidField("from", "起始日期须不晚于结束日期", "from must not be after to");
        var start = Midnight(first, zone);
        var end = Midnight(last.AddDays(1), zone);
        if (indicator is not null && !Counted.ContainsKey(indicator))
            return Problems.InvalidField("indicator", $"indicator 须为 {string.Join("、", Counted.Keys)} 之一", $"indicator must be one of {string.Join(", ", Counted.Keys)}");

        var index = territory.Current;
        var unit = unitCode?.Trim() is { Length: > 0 } u ? u : null;
        if (unit is not null && index.Find(unit) is null) return Problems.InvalidField("unitCode", $"单元 {unit} 不存在", $"No unit {unit}");
        var query = db.Set<Dispute>().AsNoTracking().VisibleTo(workflow, actors.Current).Where(d => d.RegisteredAt >= start && d.RegisteredAt < end);
        if (unit is not null)
            query = query.Where(d => (d.CommunityCode != null && d.CommunityCode.StartsWith(unit)) || d.OwningUnitCode.StartsWith(unit) || d.DistrictCode == unit);
        var all = await query.OrderBy(d => d.Id).ToListAsync(ct);

        // One row per unit a level below the one asked for (districts without a unit); a dispute with no unit at that level
        // (registered by a district for the district itself) counts under the unit asked for.
        var level = unit is null ? UnitLevel.District : index.Find(unit)!.Level + 1;
        string KeyOf(Dispute d) => level switch
        {
            UnitLevel.District => d.DistrictCode,
            UnitLevel.Street => d.StreetCode ?? d.DistrictCode,
            _ => d.CommunityCode ?? d.StreetCode ?? d.DistrictCode,
        };
        var rows = all.GroupBy(KeyOf).Select(g => Row(g.Key, index.Find(g.Key)?.Name ?? g.Key, g.ToList()))
            .OrderByDescending(r => r.Registered).ThenBy(r => r.UnitCode, StringComparer.Ordinal).ToList();
        var total = Row(unit ?? "total", unit is null ? Text.Pick("合计", "Total") : index.Find(unit)?.Name ?? unit, all);
        IReadOnlyList<DisputeSummary>? listed = indicator is null
            ? null
            : all.Where(Counted[indicator]).OrderByDescending(d => d.Id).Select(d => DisputeEndpoints.Summary(disputes, d, whole: false)).ToList();
        return TypedResults.Ok(new DisputeIndicatorResponse(unit, disputes.Local(start), disputes.Local(end), rows, total, indicator, listed));
    }

    private static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DisputeIndicatorRow Row(string code, string name, IReadOnlyList<Dispute> ds)
    {
        static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
        int Count(string k) => ds.Count(Counted[k]);
        var outcome = Count("outcome");
        var agreements = Count("agreements");
        var local = Count("resolved-locally");
        // As for cases: an extended or suspended dispute leaves the on-time denominator.
        var onTimeBase = ds.Count(d => d.OutcomeAt != null && d.ExtendedHours == 0 && !d.EverSuspended);
        var onTime = ds.Count(d => d.OutcomeAt != null && d.ExtendedHours == 0 && !d.EverSuspended && d.OutcomeOnTime == true);
        var followed = Count("followed-up");
        var performed = Count("performed");
        return new DisputeIndicatorRow(code, name, ds.Count, Count("mediated"), outcome, agreements, local, Count("escalated"), onTime, onTimeBase,
            followed, performed, Count("high-risk"), Count("overdue"),
            Rate(agreements, outcome), Rate(local, outcome), Rate(onTime, onTimeBase), Rate(performed, followed));
    }
}
