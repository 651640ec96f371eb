using OneGrid.Access;
using OneGrid.Calendar;

namespace OneGrid.Workflows;

/// <summary>
/// What the workflow kernel needs of anything it drives (a case, a dispute, a rectification order): an identity, a
/// number people quote, a state, optimistic concurrency, and one phase clock on the working calendar with its
/// extension and suspension. A workflow's own fields stay on its own entity and table.
/// </summary>
public interface IWorkflowItem<TState> where TState : struct, Enum
{
    long Id { get; }
    string Number { get; }
    TState State { get; set; }
    long Version { get; set; }
    DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the running phase started, warns (at the warning fraction of its limit) and is due; null when no clock runs.</summary>
    DateTimeOffset? PhaseStartedAt { get; set; }
    DateTimeOffset? PhaseWarnAt { get; set; }
    DateTimeOffset? PhaseDueAt { get; set; }
    TimeLimitKind PhaseLimitKind { get; set; }
    bool PhaseWarned { get; set; }
    bool PhaseOverdue { get; set; }
    /// <summary>Ever overdue in any phase: counted by the indicators even after it moves on.</summary>
    bool EverOverdue { get; set; }

    /// <summary>Hours of extension asked for and not yet decided (延期申请).</summary>
    double? ExtensionRequestedHours { get; set; }
    /// <summary>Hours of extension granted over the item's life.</summary>
    double ExtendedHours { get; set; }
    /// <summary>A suspension (挂账) asked for and not yet decided.</summary>
    bool SuspensionRequested { get; set; }
    /// <summary>Since when the clocks stand still; null while they run.</summary>
    DateTimeOffset? SuspendedAt { get; set; }
    /// <summary>Ever suspended: the indicators keep it out of the on-time denominators.</summary>
    bool EverSuspended { get; set; }
}

/// <summary>What kind of value an action's input holds; the page draws its field from it, the engine checks it.</summary>
public enum InputKind
{
    /// <summary>One line of text.</summary>
    Text,
    /// <summary>Several lines of text.</summary>
    LongText,
    /// <summary>One of a set of values the page offers (departments, categories, mediators); the action checks it.</summary>
    Choice,
    Number,
    /// <summary>A date and time in the calendar's time zone.</summary>
    DateTime,
    Date,
    /// <summary>Photos or documents: upload tokens or data: URIs.</summary>
    Files,
}

/// <summary>One input of an action: its name in the API body and the page's field id, its kind, whether it is required and its label.</summary>
public sealed record ActionInput(string Name, InputKind Kind, bool Required, string LabelZh, string LabelEn)
{
    public int MaxLength { get; init; } = 2000;
    public double Min { get; init; } = double.MinValue;
    public double Max { get; init; } = double.MaxValue;

    public string Label => Kernel.Text.Pick(LabelZh, LabelEn);

    public static ActionInput Reason => new("reason", InputKind.LongText, true, "原因", "Reason");
    public static ActionInput Note => new("note", InputKind.Text, false, "备注", "Note");
}

/// <summary>
/// One action of a workflow: in which states it applies (<see cref="When"/>), who may take it (<see cref="Who"/>, over
/// the actor's territory-scoped grants), what it requires (<see cref="Inputs"/>) and what it does (<see cref="Apply"/>).
/// </summary>
public sealed class WorkflowAction<T>
{
    public required string Name { get; init; }
    public required Func<T, bool> When { get; init; }
    public required Func<T, Actor, bool> Who { get; init; }
    public IReadOnlyList<ActionInput> Inputs { get; init; } = [ActionInput.Note];
    public required Func<ActionContext<T>, Task> Apply { get; init; }
    /// <summary>Whether it may be taken while the clocks are suspended (resume, supervision, notes); nothing else moves a suspended item.</summary>
    public bool WhileSuspended { get; init; }
    public string TitleZh { get; init; } = "";
    public string TitleEn { get; init; } = "";
}
