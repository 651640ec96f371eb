using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Workflows;

/// <summary>What an action's code is given: the item, the checked inputs, who acts and when, and the kernel's ways to change the item.</summary>
public sealed class ActionContext<T>(WorkflowAction<T> action, T item, WorkflowInputs inputs, Actor actor, DateTimeOffset now,
    Action<T, string, object?, string?, object?> transition, Action<T, string, string?, object?> record, PhaseClock clock)
{
    public string Action => action.Name;
    public T Item => item;
    public WorkflowInputs Inputs => inputs;
    public Actor Actor => actor;
    public DateTimeOffset Now => now;
    public PhaseClock Clock => clock;

    /// <summary>Moves the item to a state and writes the timeline entry of this action.</summary>
    public void Transition(object to, string? note = null, object? data = null) => transition(item, action.Name, to, note, data);

    /// <summary>Writes a timeline entry of this action without a change of state.</summary>
    public void Record(string? note = null, object? data = null) => record(item, action.Name, note, data);

    /// <summary>The note or, for actions that require it, the reason.</summary>
    public string? Note => inputs.Text("reason") ?? inputs.Text("note");
}

/// <summary>
/// Performs a workflow's actions: the same checks in the same order for every workflow (known action, state, actor,
/// inputs), the action's change and its timeline entry in one transaction (joining the caller's, so a page's audit
/// entry commits with it), and a 409 instead of a lost update when two people act at once.
/// </summary>
public sealed class WorkflowEngine<T, TState>(WorkflowDefinition<T, TState> definition, DbContext db, IWorkingCalendar calendar, TimeProvider time)
    where T : class, IWorkflowItem<TState> where TState : struct, Enum
{
    public WorkflowDefinition<T, TState> Definition => definition;

    public PhaseClock Clock { get; } = new(calendar, definition.WarnFraction);

    /// <summary>The action by name (case-insensitive), or a 404 naming the workflow's actions.</summary>
    public WorkflowAction<T> Require(string action)
    {
        return definition.Find(action.ToLowerInvariant()) ?? throw new ProblemException(404, "unknown-action", "没有这个操作", "No such action",
            string.Join(", ", definition.ActionNames), new Dictionary<string, object?> { ["actions"] = definition.ActionNames });
    }

    /// <summary>Checks and performs one action on a tracked item the actor may read, and commits it.</summary>
    public async Task<T> ActAsync(T item, string actionName, WorkflowInputs inputs, Actor actor, CancellationToken ct)
    {
        var action = Require(actionName);
        var available = definition.Available(item, actor);
        // The state is checked first: whoever can read the item learns what it allows now.
        if (!definition.AllowedInState(action, item))
        {
            var detail = item.SuspendedAt is not null && action.When(item)
                ? Kernel.Text.Pick($"{definition.NounZh}已挂账（时限暂停），恢复后才能“{action.Name}”。可执行：{WorkflowDefinition<T, TState>.Join(available)}",
                    $"The {definition.NounEn} is suspended (clocks stopped); resume it before '{action.Name}'. Allowed now: {WorkflowDefinition<T, TState>.Join(available)}")
                : definition.NotAllowedDetail(item, action.Name, available);
            throw new ProblemException(409, "action-not-allowed-in-state", "当前状态不允许此操作", $"The action is not allowed in the {definition.NounEn}'s state",
                detail, new Dictionary<string, object?> { ["state"] = item.State.ToString(), ["allowedActions"] = available });
        }
        if (!action.Who(item, actor))
        {
            throw new ProblemException(403, "action-forbidden", "无权执行此操作", $"You may not take this action on this {definition.NounEn}",
                Kernel.Text.Pick($"“{action.Name}”不在您的职责范围内。您现在可以：{WorkflowDefinition<T, TState>.Join(available)}",
                    $"'{action.Name}' is not yours to take. You can now: {WorkflowDefinition<T, TState>.Join(available)}"),
                new Dictionary<string, object?> { ["state"] = item.State.ToString(), ["allowedActions"] = available });
        }
        inputs.Check(action.Inputs);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        await action.Apply(Context(action, item, inputs, actor, now));
        await SaveAsync(item, tx, ct);
        return item;
    }

    /// <summary>
    /// Applies an action the system takes on its own (the deadline scan's escalation), without the actor guard and
    /// without saving: the caller holds the transaction and claims the item.
    /// </summary>
    public Task ApplyAsSystemAsync(T item, string actionName, WorkflowInputs inputs, Actor system, DateTimeOffset now)
    {
        var action = Require(actionName);
        return action.Apply(Context(action, item, inputs, system, now));
    }

    private ActionContext<T> Context(WorkflowAction<T> action, T item, WorkflowInputs inputs, Actor actor, DateTimeOffset now) =>
        new(action, item, inputs, actor, now,
            (i, name, to, note, data) => Transition(i, name, (TState)to!, actor, note, data, now),
            (i, name, note, data) => Record(i, name, actor, note, data, now), Clock);

    /// <summary>Commits the item's change; someone else's change in between is a 409, not a lost update.</summary>
    public async Task SaveAsync(T item, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ProblemException(409, "concurrent-change", $"{definition.NounZh}已被他人修改", $"The {definition.NounEn} was changed by someone else",
                Kernel.Text.Pick("请刷新后重试。", "Reload it and try again."));
        }
        definition.AfterCommit(item);
    }

    public void Transition(T item, string action, TState to, Actor actor, string? note, object? data, DateTimeOffset now)
    {
        var from = item.State;
        item.State = to;
        Touch(item, now);
        definition.AddTimeline(db, item, Entry(action, from.ToString(), to.ToString(), actor, note, data, now));
    }

    /// <summary>A timeline entry that leaves the state as it is (supervision, a session, a deadline warning).</summary>
    public void Record(T item, string action, Actor actor, string? note, object? data, DateTimeOffset now)
    {
        Touch(item, now);
        definition.AddTimeline(db, item, Entry(action, item.State.ToString(), item.State.ToString(), actor, note, data, now));
    }

    private static void Touch(T item, DateTimeOffset now)
    {
        item.UpdatedAt = now;
        item.Version++;
    }

    public static TimelineWrite Entry(string action, string? from, string to, Actor actor, string? note, object? data, DateTimeOffset now) =>
        new(action, from, to, actor.UserId, actor.DisplayName ?? actor.UserName, note, data is null ? null : JsonSerializer.Serialize(data), now);
}
