using OneGrid.Calendar;

namespace OneGrid.Workflows;

/// <summary>
/// The phase clock every workflow runs on (DESIGN §2b): started with a limit in working or natural time, warned at the
/// warning fraction, overdue at the limit; moved by a granted extension; stopped by a suspension and restarted with
/// what was left of it on resume, so time suspended — holidays included — never counts.
/// </summary>
public sealed class PhaseClock(IWorkingCalendar calendar, double warnFraction)
{
    public void Start<TState>(IWorkflowItem<TState> item, TimeSpan limit, TimeLimitKind kind, DateTimeOffset now) where TState : struct, Enum
    {
        item.PhaseWarned = false;
        item.PhaseOverdue = false;
        item.ExtensionRequestedHours = null;
        item.SuspensionRequested = false;
        item.SuspendedAt = null;
        item.PhaseLimitKind = kind;
        item.PhaseStartedAt = now;
        item.PhaseDueAt = calendar.Add(now, limit, kind);
        item.PhaseWarnAt = calendar.Add(now, limit * warnFraction, kind);
    }

    /// <summary>No clock runs (a final state, or a state nobody is timed in).</summary>
    public static void Stop<TState>(IWorkflowItem<TState> item) where TState : struct, Enum
    {
        item.PhaseWarned = false;
        item.PhaseOverdue = false;
        item.ExtensionRequestedHours = null;
        item.SuspensionRequested = false;
        item.SuspendedAt = null;
        item.PhaseStartedAt = item.PhaseWarnAt = item.PhaseDueAt = null;
    }

    public static bool Running<TState>(IWorkflowItem<TState> item) where TState : struct, Enum => item.PhaseDueAt is not null;

    /// <summary>
    /// Moves the due time by the hours granted, in the phase's kind of time, and the warning to the same fraction of
    /// the longer limit. A flag the new times no longer justify is lifted (the item was never overdue by the new limit
    /// unless it already was: <see cref="IWorkflowItem{TState}.EverOverdue"/> stays).
    /// </summary>
    public void Extend<TState>(IWorkflowItem<TState> item, double hours, DateTimeOffset now) where TState : struct, Enum
    {
        if (item.PhaseDueAt is not { } due || item.PhaseStartedAt is not { } start) return;
        var extra = TimeSpan.FromHours(hours);
        var limit = calendar.Elapsed(start, due, item.PhaseLimitKind) + extra;
        item.PhaseDueAt = calendar.Add(due, extra, item.PhaseLimitKind);
        item.PhaseWarnAt = calendar.Add(start, limit * warnFraction, item.PhaseLimitKind);
        item.ExtendedHours += hours;
        if (item.PhaseDueAt > now) item.PhaseOverdue = false;
        if (item.PhaseWarnAt > now) item.PhaseWarned = false;
    }

    public static void Suspend<TState>(IWorkflowItem<TState> item, DateTimeOffset now) where TState : struct, Enum
    {
        item.SuspendedAt = now;
        item.SuspensionRequested = false;
        item.EverSuspended = true;
    }

    /// <summary>Restarts the clock with the time that was left when it stopped.</summary>
    public void Resume<TState>(IWorkflowItem<TState> item, DateTimeOffset now) where TState : struct, Enum
    {
        if (item.SuspendedAt is not { } since) return;
        item.SuspendedAt = null;
        if (item.PhaseDueAt is { } due && due > since)
        {
            item.PhaseDueAt = calendar.Add(now, calendar.Elapsed(since, due, item.PhaseLimitKind), item.PhaseLimitKind);
        }
        if (item.PhaseWarnAt is { } warn && warn > since)
        {
            item.PhaseWarnAt = calendar.Add(now, calendar.Elapsed(since, warn, item.PhaseLimitKind), item.PhaseLimitKind);
        }
    }
}
