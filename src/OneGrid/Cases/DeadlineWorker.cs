using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>
/// Watches the phase clocks: flags a case at 80 % of its limit and when overdue, and escalates overdue
/// cases of the configured phases one level up. Every node runs it; each item is claimed by a conditional
/// update on the case's version inside the transaction that also writes the timeline, so exactly one node
/// applies it, and a restart simply picks up what is still due.
/// </summary>
public sealed class DeadlineWorker(IServiceScopeFactory scopes, StartupState startup, IOptions<CaseOptions> options, TimeProvider time,
    ILogger<DeadlineWorker> logger) : PeriodicWork(scopes, startup, time, logger)
{
    public static readonly Actor SystemActor = new("system", "system", "系统（时限监控）", []);

    protected override TimeSpan Period => options.Value.DeadlineScanPeriod;

    protected override bool RunAtStart => true;

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => ScanAsync(services, ct);

    /// <summary>One pass over due warnings and overdue cases. Returns how many changes this node applied.</summary>
    public static async Task<int> ScanAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var cases = services.GetRequiredService<CaseService>();
        var opts = services.GetRequiredService<IOptions<CaseOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var applied = 0;

        var warnings = await db.Cases.AsNoTracking()
            .Where(c => c.Phase != Phase.None && !c.PhaseWarned && c.PhaseWarnAt <= now)
            .OrderBy(c => c.PhaseWarnAt).Select(c => c.Id).Take(500).ToListAsync(ct);
        foreach (var id in warnings)
        {
            if (await ClaimAsync(db, id, c => !c.PhaseWarned && c.PhaseWarnAt <= now, c =>
                {
                    c.PhaseWarned = true;
                    return ("deadline-warning", (string?)null);
                }, cases, now, ct)) applied++;
        }

        var overdue = await db.Cases.AsNoTracking()
            .Where(c => c.Phase != Phase.None && !c.PhaseOverdue && c.PhaseDueAt <= now)
            .OrderBy(c => c.PhaseDueAt).Select(c => c.Id).Take(500).ToListAsync(ct);
        foreach (var id in overdue)
        {
            if (await ClaimAsync(db, id, c => !c.PhaseOverdue && c.PhaseDueAt <= now, c =>
                {
                    c.PhaseWarned = true;
                    c.PhaseOverdue = true;
                    c.EverOverdue = true;
                    return ("overdue", null);
                }, cases, now, ct)) applied++;
        }

        // The owner did not act in time: the level above takes the case (configurable per phase). Its own scan over
        // what is flagged overdue, not a step after flagging, so a node that stops between the two still escalates
        // on the next pass, here or on another node; escalating restarts the phase, which clears the flag.
        var escalations = (await db.Cases.AsNoTracking()
                .Where(c => c.PhaseOverdue && c.OwningLevel != OwningLevel.District && (c.State == CaseState.Reported || c.State == CaseState.Registered))
                .OrderBy(c => c.PhaseDueAt).Select(c => new { c.Id, c.Phase }).Take(500).ToListAsync(ct))
            .Where(c => opts.AutoEscalatePhases.Contains(c.Phase)).Select(c => c.Id);
        foreach (var id in escalations)
        {
            if (await ClaimAsync(db, id, c => c.PhaseOverdue && c.OwningLevel != OwningLevel.District &&
                    c.State is CaseState.Reported or CaseState.Registered && opts.AutoEscalatePhases.Contains(c.Phase), c =>
                {
                    cases.Escalate(c, SystemActor, $"{c.Phase} 超时自动上报", now);
                    return (null, null);
                }, cases, now, ct)) applied++;
        }
        return applied;
    }

    /// <summary>
    /// Loads the case, checks the condition still holds, changes it and writes the timeline entry; the save
    /// succeeds only if nobody changed the case since it was read (version check), else it is skipped.
    /// </summary>
    private static async Task<bool> ClaimAsync(OneGridDbContext db, long id, Func<Case, bool> stillDue, Func<Case, (string? Action, string? Note)> change,
        CaseService cases, DateTimeOffset now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null || !stillDue(c)) return false;
        var (action, note) = change(c);
        if (action is not null)
        {
            c.Version++;
            c.UpdatedAt = now;
            db.CaseEvents.Add(new CaseEvent
            {
                CaseId = c.Id, At = now, Action = action, FromState = c.State, ToState = c.State, ActorId = SystemActor.UserId,
                ActorName = SystemActor.DisplayName, Note = note,
                Data = System.Text.Json.JsonSerializer.Serialize(new { phase = c.Phase.ToString(), due = c.PhaseDueAt }),
            });
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false; // another node (or a person) got there first
        }
    }
}
