using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Calendar;

namespace OneGrid.Workflows;

/// <summary>A timeline entry as the kernel writes it; each workflow stores it in its own timeline table.</summary>
public sealed record TimelineWrite(string Action, string? FromState, string ToState, string? ActorId, string? ActorName, string? Note,
    string? Data, DateTimeOffset At);

/// <summary>
/// The overdue items a level above takes over automatically: which ones (<paramref name="Candidates"/> for the query,
/// <paramref name="StillDue"/> re-checked on the claimed item), and the action taken on them by the system, with its reason.
/// It is the workflow's own action (the one a person takes), so an automatic escalation is the same change as a manual one.
/// </summary>
public sealed record AutoEscalation<T>(Expression<Func<T, bool>> Candidates, Func<T, bool> StillDue, string Action, Func<T, string> Reason);

/// <summary>
/// One workflow (DESIGN §2b): its states and actions, who reads an item, whose inbox holds it, what the deadline scan
/// may escalate, and where its timeline goes. The engine (<see cref="WorkflowEngine{T,TState}"/>), the deadline scan
/// (<see cref="DeadlineScan"/>), the inbox and scope queries (<see cref="WorkflowQueries"/>) and the pages' action forms
/// are all derived from it; a workflow adds its own fields, pages and indicators, not another copy of that machinery.
/// </summary>
public abstract class WorkflowDefinition<T, TState> where T : class, IWorkflowItem<TState> where TState : struct, Enum
{
    /// <summary>The workflow's name in URLs and webhook types ("cases", "disputes").</summary>
    public abstract string Name { get; }

    /// <summary>What one item is called in messages (事件 / case).</summary>
    public abstract string NounZh { get; }
    public abstract string NounEn { get; }

    public abstract IReadOnlyList<WorkflowAction<T>> Actions { get; }

    public abstract string StateName(TState state);

    public abstract bool CanRead(T item, Actor actor);

    /// <summary>The part of the scope one grant gives in a query (the same rule as <see cref="CanRead"/>); null for none.</summary>
    public abstract Expression<Func<T, bool>>? Visible(Grant grant);

    /// <summary>What one grant puts in its holder's inbox: the items waiting for that role to act; null for none.</summary>
    public abstract Expression<Func<T, bool>>? Inbox(Grant grant);

    /// <summary>Items an actor sees as the one who raised them (a reporter, an applicant registered by them); null for none.</summary>
    public virtual Expression<Func<T, bool>>? Own(string userId) => null;

    public abstract void AddTimeline(DbContext db, T item, TimelineWrite entry);

    /// <summary>Overdue items the level above takes automatically; null when the workflow never escalates on its own.</summary>
    public virtual AutoEscalation<T>? AutoEscalation => null;

    /// <summary>Runs after an action's transaction committed (in-memory indexes, live pushes).</summary>
    public virtual void AfterCommit(T item) { }

    public virtual double WarnFraction => 0.8;

    /// <summary>The name of the phase the item's clock runs for, written with deadline warnings (register, handle, mediate…).</summary>
    public virtual string? PhaseOf(T item) => null;

    /// <summary>Why an action does not apply now, for the 409 answer.</summary>
    public virtual string NotAllowedDetail(T item, string action, IReadOnlyList<string> available) =>
        Kernel.Text.Pick($"{NounZh}处于“{StateName(item.State)}”状态，不能“{action}”。可执行：{Join(available)}",
            $"The {NounEn} is {item.State}; '{action}' is not possible. Allowed now: {Join(available)}");

    public static string Join(IReadOnlyList<string> actions) => actions.Count == 0 ? "—" : string.Join(", ", actions);

    public WorkflowAction<T>? Find(string action) => Actions.FirstOrDefault(a => a.Name == action);

    public IReadOnlyList<string> ActionNames => Actions.Select(a => a.Name).ToList();

    /// <summary>Whether the action applies to the item as it is now, whoever asks: its state guard, and the clocks not suspended unless it may be taken then.</summary>
    public bool AllowedInState(WorkflowAction<T> action, T item) =>
        action.When(item) && (item.SuspendedAt is null || action.WhileSuspended);

    /// <summary>The actions this actor can take on the item right now: the page's buttons and the API's allowedActions.</summary>
    public IReadOnlyList<string> Available(T item, Actor actor) =>
        Actions.Where(a => AllowedInState(a, item) && a.Who(item, actor)).Select(a => a.Name).ToList();
}
