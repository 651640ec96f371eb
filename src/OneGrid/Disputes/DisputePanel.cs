using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>The command centre's disputes figures: what is open at each level, how many are high-risk, how many overdue.</summary>
public sealed record DisputePanel(IReadOnlyDictionary<DisputeLevel, int> OpenByLevel, int HighRisk, int Overdue, IReadOnlyList<Dispute> Flagged);

public static class DisputePanels
{
    public const int FlaggedShown = 10;

    /// <summary>
    /// The panel over the disputes the actor may read (the workflow's scope, as the list): open means not yet closed,
    /// withdrawn or transferred. The flagged list is the open high-risk and overdue ones, overdue first.
    /// </summary>
    public static async Task<DisputePanel> PanelAsync(this DisputeService service, OneGridDbContext db, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var open = db.Set<Dispute>().AsNoTracking().VisibleTo(service.Workflow, actor)
            .Where(d => d.State != DisputeState.Closed && d.State != DisputeState.Withdrawn && d.State != DisputeState.Transferred);
        var byLevel = await open.GroupBy(d => d.Level).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var highRisk = await open.CountAsync(d => d.Risk == RiskLevel.High, ct);
        // Overdue as the pages show it: the scan's flag, or a running deadline already past before the next scan.
        var overdue = open.Where(d => d.Phase != DisputePhase.None && d.SuspendedAt == null && (d.PhaseOverdue || d.PhaseDueAt <= now));
        var overdueCount = await overdue.CountAsync(ct);
        var flagged = await open.Where(d => d.Risk == RiskLevel.High ||
                (d.Phase != DisputePhase.None && d.SuspendedAt == null && (d.PhaseOverdue || d.PhaseDueAt <= now)))
            .OrderByDescending(d => d.PhaseOverdue).ThenByDescending(d => d.Risk).ThenBy(d => d.Id)
            .Take(FlaggedShown).ToListAsync(ct);
        return new DisputePanel(byLevel.ToDictionary(x => x.Key, x => x.Count), highRisk, overdueCount, flagged);
    }
}
