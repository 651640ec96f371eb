using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Workflows;

/// <summary>One workflow's part of the deadline scan; <see cref="DeadlineWorker"/> runs every registered one.</summary>
public interface IDeadlineScan
{
    string Workflow { get; }
    Task<int> ScanAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct);
}

/// <summary>
/// The phase clocks of one workflow: flags an item at its warning time and when overdue, and lets the level above take
/// what the definition's <see cref="WorkflowDefinition{T,TState}.AutoEscalation"/> names. Suspended items are skipped
/// (their clocks stand still). Each item is claimed by a conditional update on its version inside the transaction that
/// also writes the timeline, so on several nodes exactly one applies it, and a restart picks up what is still due.
/// </summary>
public sealed class DeadlineScan<T, TState, TDefinition> : IDeadlineScan
    where T : class, IWorkflowItem<TState> where TState : struct, Enum where TDefinition : WorkflowDefinition<T, TState>
{
    public const int Batch = 500;

    public string Workflow { get; } = typeof(T).Name;

    public async Task<int> ScanAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var engine = services.GetRequiredService<WorkflowEngine<T, TState>>();
        var definition = engine.Definition;
        var applied = 0;

        var warnings = await db.Set<T>().AsNoTracking()
            .Where(x => !x.PhaseWarned && x.PhaseWarnAt <= now && x.SuspendedAt == null)
            .OrderBy(x => x.PhaseWarnAt).Select(x => x.Id).Take(Batch).ToListAsync(ct);
        foreach (var id in warnings)
        {
            if (await ClaimAsync(db, engine, id, x => !x.PhaseWarned && x.PhaseWarnAt <= now && x.SuspendedAt == null, x =>
                {
                    x.PhaseWarned = true;
                    return Task.FromResult<string?>("deadline-warning");
                }, now, ct)) applied++;
        }

        var overdue = await db.Set<T>().AsNoTracking()
            .Where(x => !x.PhaseOverdue && x.PhaseDueAt <= now && x.SuspendedAt == null)
            .OrderBy(x => x.PhaseDueAt).Select(x => x.Id).Take(Batch).ToListAsync(ct);
        foreach (var id in overdue)
        {
            if (await ClaimAsync(db, engine, id, x => !x.PhaseOverdue && x.PhaseDueAt <= now && x.SuspendedAt == null, x =>
                {
                    x.PhaseWarned = true;
                    x.PhaseOverdue = true;
                    x.EverOverdue = true;
                    return Task.FromResult<string?>("overdue");
                }, now, ct)) applied++;
        }

        // The owner did not act in time: the level above takes the item. Its own scan over what is flagged overdue, not a
        // step after flagging, so a node that stops between the two still escalates on the next pass, here or on another
        // node; escalating restarts the phase, which clears the flag.
        if (definition.AutoEscalation is { } escalation)
        {
            var candidates = (await db.Set<T>().AsNoTracking().Where(x => x.PhaseOverdue && x.SuspendedAt == null).Where(escalation.Candidates)
                .OrderBy(x => x.PhaseDueAt).Take(Batch).ToListAsync(ct)).Where(escalation.StillDue).Select(x => x.Id).ToList();
            foreach (var id in candidates)
            {
                if (await ClaimAsync(db, engine, id, x => x.PhaseOverdue && x.SuspendedAt == null && escalation.StillDue(x), async x =>
                    {
                        await engine.ApplyAsSystemAsync(x, escalation.Action, new WorkflowInputs().Set("reason", escalation.Reason(x)),
                            DeadlineWorker.SystemActor, now);
                        return null;
                    }, now, ct)) applied++;
            }
        }
        return applied;
    }

    private static async Task<bool> ClaimAsync(OneGridDbContext db, WorkflowEngine<T, TState> engine, long id, Func<T, bool> stillDue,
        Func<T, Task<string?>> change, DateTimeOffset now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Set<T>().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (item is null || !stillDue(item)) return false;
        var flag = await change(item);
        if (flag is not null)
        {
            engine.Record(item, flag, DeadlineWorker.SystemActor, null, new { phase = engine.Definition.PhaseOf(item), due = item.PhaseDueAt }, now);
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            engine.Definition.AfterCommit(item);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false; // another node (or a person) got there first
        }
    }
}

/// <summary>Every node runs the deadline scan of every workflow on one period; see <see cref="DeadlineScan{T,TState,TDefinition}"/>.</summary>
public sealed class DeadlineWorker(IServiceScopeFactory scopes, StartupState startup, Microsoft.Extensions.Options.IOptions<WorkflowOptions> options,
    TimeProvider time, ILogger<DeadlineWorker> logger) : PeriodicWork(scopes, startup, time, logger)
{
    public static readonly Actor SystemActor = new("system", "system", "系统（时限监控）", []);

    protected override TimeSpan Period => options.Value.DeadlineScanPeriod;

    protected override bool RunAtStart => true;

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => ScanAsync(services, ct);

    /// <summary>One pass over every workflow's due warnings, overdue items and escalations. Returns how many changes this node applied.</summary>
    public static async Task<int> ScanAsync(IServiceProvider services, CancellationToken ct)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var applied = 0;
        foreach (var scan in services.GetServices<IDeadlineScan>()) applied += await scan.ScanAsync(services, now, ct);
        return applied;
    }
}

public sealed class WorkflowOptions
{
    public TimeSpan DeadlineScanPeriod { get; set; } = TimeSpan.FromSeconds(30);
}

public static class WorkflowServices
{
    /// <summary>
    /// Plugs a workflow into the kernel: its definition and engine for its service, and its part of the deadline scan.
    /// A third workflow calls this with its own definition; nothing else is copied.
    /// </summary>
    public static IServiceCollection AddWorkflow<T, TState, TDefinition>(this IServiceCollection services)
        where T : class, IWorkflowItem<TState> where TState : struct, Enum where TDefinition : WorkflowDefinition<T, TState>
    {
        services.AddScoped<TDefinition>();
        services.AddScoped(sp => new WorkflowEngine<T, TState>(sp.GetRequiredService<TDefinition>(), sp.GetRequiredService<OneGridDbContext>(),
            sp.GetRequiredService<IWorkingCalendar>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDeadlineScan, DeadlineScan<T, TState, TDefinition>>();
        return services;
    }

    public static IServiceCollection AddWorkflowKernel(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WorkflowOptions>(o =>
        {
            // The scan period was configured under Cases before there was a second workflow; both keys work.
            if (configuration.GetSection("Cases")["DeadlineScanPeriod"] is { } legacy && TimeSpan.TryParse(legacy, out var p)) o.DeadlineScanPeriod = p;
        });
        services.Configure<WorkflowOptions>(configuration.GetSection("Workflows"));
        services.AddHostedService<DeadlineWorker>();
        return services;
    }
}
