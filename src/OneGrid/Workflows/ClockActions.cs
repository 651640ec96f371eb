using OneGrid.Access;

namespace OneGrid.Workflows;

/// <summary>
/// Extension (延期) and suspension (挂账), the same for every workflow (DESIGN §2, §2b): whoever works on an item asks
/// for more time or for the clocks to stop, with a reason; whoever owns it decides. A granted extension moves the
/// running phase's due time; an approved suspension stops the clocks until <see cref="Resume"/>. Both are kept on the
/// item for the indicators (延期率; the on-time denominators leave extended and suspended items out).
/// </summary>
public static class ClockActions
{
    public const string RequestExtension = "request-extension";
    public const string GrantExtension = "grant-extension";
    public const string RefuseExtension = "refuse-extension";
    public const string RequestSuspension = "request-suspension";
    public const string ApproveSuspension = "approve-suspension";
    public const string RefuseSuspension = "refuse-suspension";
    public const string Resume = "resume";

    public static readonly IReadOnlyList<string> All =
        [RequestExtension, GrantExtension, RefuseExtension, RequestSuspension, ApproveSuspension, RefuseSuspension, Resume];

    /// <summary>The most a single extension may add: a month of working time.</summary>
    public const double MaxExtensionHours = 24 * 31;

    /// <param name="timed">In which states of the item the phase may be extended or suspended.</param>
    /// <param name="worker">Who asks: the one working on the item.</param>
    /// <param name="owner">Who decides and resumes: the level that owns the item.</param>
    public static IEnumerable<WorkflowAction<T>> For<T, TState>(Func<T, bool> timed, Func<T, Actor, bool> worker, Func<T, Actor, bool> owner)
        where T : class, IWorkflowItem<TState> where TState : struct, Enum
    {
        var hours = new ActionInput("hours", InputKind.Number, true, "延长工时（小时）", "Extra hours") { Min = 0.5, Max = MaxExtensionHours };
        yield return new WorkflowAction<T>
        {
            Name = RequestExtension,
            When = i => timed(i) && i.PhaseDueAt is not null && i.ExtensionRequestedHours is null,
            Who = worker,
            Inputs = [hours, ActionInput.Reason],
            Apply = ctx =>
            {
                var h = ctx.Inputs.Number("hours")!.Value;
                ctx.Item.ExtensionRequestedHours = h;
                ctx.Record(ctx.Note, new { hours = h, due = ctx.Item.PhaseDueAt });
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = GrantExtension,
            When = i => i.ExtensionRequestedHours is not null,
            Who = owner,
            Apply = ctx =>
            {
                var h = ctx.Item.ExtensionRequestedHours!.Value;
                ctx.Item.ExtensionRequestedHours = null;
                ctx.Clock.Extend(ctx.Item, h, ctx.Now);
                ctx.Record(ctx.Note, new { hours = h, due = ctx.Item.PhaseDueAt });
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = RefuseExtension,
            When = i => i.ExtensionRequestedHours is not null,
            Who = owner,
            Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                var h = ctx.Item.ExtensionRequestedHours;
                ctx.Item.ExtensionRequestedHours = null;
                ctx.Record(ctx.Note, new { hours = h });
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = RequestSuspension,
            When = i => timed(i) && i.PhaseDueAt is not null && !i.SuspensionRequested,
            Who = worker,
            Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                ctx.Item.SuspensionRequested = true;
                ctx.Record(ctx.Note);
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = ApproveSuspension,
            When = i => i.SuspensionRequested,
            Who = owner,
            Apply = ctx =>
            {
                PhaseClock.Suspend(ctx.Item, ctx.Now);
                ctx.Record(ctx.Note, new { due = ctx.Item.PhaseDueAt });
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = RefuseSuspension,
            When = i => i.SuspensionRequested,
            Who = owner,
            Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                ctx.Item.SuspensionRequested = false;
                ctx.Record(ctx.Note);
                return Task.CompletedTask;
            },
        };
        yield return new WorkflowAction<T>
        {
            Name = Resume,
            When = i => i.SuspendedAt is not null,
            Who = (i, a) => owner(i, a) || worker(i, a),
            WhileSuspended = true,
            Apply = ctx =>
            {
                var since = ctx.Item.SuspendedAt;
                ctx.Clock.Resume(ctx.Item, ctx.Now);
                ctx.Record(ctx.Note, new { suspendedAt = since, due = ctx.Item.PhaseDueAt });
                return Task.CompletedTask;
            },
        };
    }
}
