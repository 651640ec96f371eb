using OneGrid.Calendar;
using OneGrid.Workflows;

namespace OneGrid.Cases;

/// <summary>The states of the national closed loop (DESIGN §2).</summary>
public enum CaseState
{
    Reported,
    Registered,
    Rejected,
    Dispatched,
    InProgress,
    Handled,
    Closed,
}

/// <summary>Which level of the 141 system owns dispatching a case: escalation moves it up one.</summary>
public enum OwningLevel
{
    Community,
    Street,
    District,
}

public enum ReporterKind
{
    Resident,
    GridWorker,
    Courier,
    Staff,
    ApiClient,
}

/// <summary>The deadline a case is running against now.</summary>
public enum Phase
{
    None,
    Register,
    Dispatch,
    SignFor,
    Handle,
    Verify,
}

/// <summary>A case (事件): one reported problem followed from report to close; the first workflow on the kernel (<see cref="CaseWorkflow"/>).</summary>
public sealed class Case : IWorkflowItem<CaseState>
{
    public long Id { get; set; }
    public required string Number { get; set; }
    public CaseState State { get; set; }

    public required string Description { get; set; }
    public string? Address { get; set; }
    public double Lon { get; set; }
    public double Lat { get; set; }
    public required string GridCode { get; set; }
    public required string CommunityCode { get; set; }
    public required string StreetCode { get; set; }
    public required string DistrictCode { get; set; }
    /// <summary>
    /// The 0.001° × 0.001° cell (about 100 m) holding the point: duplicate search reads the 3 × 3 cells
    /// around a report through an index instead of a band of latitude across the district.
    /// </summary>
    public long Cell { get; set; }

    public const double CellDegrees = 0.001;

    public static long CellOf(double lon, double lat) => CellAt((long)Math.Floor(lon / CellDegrees), (long)Math.Floor(lat / CellDegrees));

    public static long CellAt(long x, long y) => x * 1_000_000 + y;

    /// <summary>The point lay outside every grid, within the tolerance of this one.</summary>
    public bool LocationNearest { get; set; }

    public string? CategoryCode { get; set; }
    public bool CategorySuggested { get; set; }
    public string? PlatformCode { get; set; }
    public string? ProposedDepartmentCode { get; set; }
    /// <summary>Which rule chose the route, in Chinese (in the reporter's language for cases reported before the English was kept).</summary>
    public string RouteExplanation { get; set; } = "";

    /// <summary>The same in English.</summary>
    public string? RouteExplanationEn { get; set; }

    /// <summary>The route's explanation in the reader's language.</summary>
    public string RouteExplanationText => Kernel.Text.Pick(RouteExplanation, RouteExplanationEn ?? RouteExplanation);
    /// <summary>The handling department once dispatched (条): it handles, the territory (块) answers for the result.</summary>
    public string? DepartmentCode { get; set; }

    public OwningLevel OwningLevel { get; set; }
    public required string OwningUnitCode { get; set; }

    public ReporterKind ReporterKind { get; set; }
    public string? ReporterId { get; set; }
    public string? ReporterName { get; set; }
    public string? ReporterPhone { get; set; }
    /// <summary>
    /// Set only when the reporter opted in to finding their reports by phone later: the phone's keyed hash
    /// (<see cref="ReporterKeys.PhoneKeyOf"/>). Null for everyone else, so no look-up ever lists their cases.
    /// </summary>
    public string? ReporterPhoneKey { get; set; }

    public bool SelfHandled { get; set; }
    public bool Supervised { get; set; }
    public long? MergedIntoId { get; set; }
    public int ReworkCount { get; set; }
    public int ReturnCount { get; set; }
    public int ReopenCount { get; set; }
    public int EscalationCount { get; set; }
    public int? Satisfaction { get; set; }
    public string? HandlingResult { get; set; }

    public DateTimeOffset ReportedAt { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public DateTimeOffset? DispatchedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The running phase's clock: when it started, when it warns (80 %), when it is due.</summary>
    public Phase Phase { get; set; }
    public DateTimeOffset? PhaseStartedAt { get; set; }
    public DateTimeOffset? PhaseWarnAt { get; set; }
    public DateTimeOffset? PhaseDueAt { get; set; }
    public TimeLimitKind PhaseLimitKind { get; set; }
    public bool PhaseWarned { get; set; }
    public bool PhaseOverdue { get; set; }
    /// <summary>Ever overdue in any phase: counted by the indicators even after it moves on.</summary>
    public bool EverOverdue { get; set; }

    /// <summary>Hours of extension the handling unit asked for, not yet decided.</summary>
    public double? ExtensionRequestedHours { get; set; }
    /// <summary>Hours of extension granted over the case's life; above zero it counts as extended (延期) in the indicators.</summary>
    public double ExtendedHours { get; set; }
    public bool SuspensionRequested { get; set; }
    /// <summary>Suspended (挂账) since: the clocks stand still until resumed.</summary>
    public DateTimeOffset? SuspendedAt { get; set; }
    public bool EverSuspended { get; set; }

    public double HandlingLimitHours { get; set; }
    public TimeLimitKind HandlingLimitKind { get; set; }

    /// <summary>Optimistic concurrency: two operators acting at once cannot both win.</summary>
    public long Version { get; set; }

    public bool IsOpen => State is not (CaseState.Closed or CaseState.Rejected);
}

/// <summary>One entry of a case's timeline: append-only.</summary>
public sealed class CaseEvent : TimelineEvent<CaseState>
{
    public long CaseId { get; set; }
}

/// <summary>A photo or document of a case, stored on disk by content hash.</summary>
public sealed class CaseAttachment
{
    public long Id { get; set; }
    public long CaseId { get; set; }
    public required string Sha256 { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string Purpose { get; set; }
    public long? EventId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// An image attached by the handling step that produced the case's current result (written with its
    /// <see cref="Case.HandledAt"/>): what the public tracking page of a closed case shows and the files endpoint
    /// serves to anyone — never a report photo, a document, or the evidence of an attempt sent back for rework.
    /// </summary>
    public bool IsResultPhotoOf(DateTimeOffset? handledAt) =>
        Purpose == "evidence" && handledAt == CreatedAt && ContentType.StartsWith("image/", StringComparison.Ordinal);
}

/// <summary>
/// A file sent to POST /api/v1/files. Only the uploader gets the token that attaches it to a report or a
/// handling result (stored here as its SHA-256), so knowing a file's hash attaches nothing. The token works for
/// <see cref="AttachWithin"/>; soon after, the <see cref="OrphanUploadSweeper"/> deletes the row, and the file too
/// unless a case holds it.
/// </summary>
public sealed class FileUpload
{
    public static readonly TimeSpan AttachWithin = TimeSpan.FromHours(24);

    public long Id { get; set; }
    public required string TokenHash { get; set; }
    public required string Sha256 { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public string? UploadedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Remembers the answer to a report sent with an Idempotency-Key, so a retry gets it again.</summary>
public sealed class IdempotencyRecord
{
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public long CaseId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Per-district, per-day case number counters.</summary>
public sealed class CaseCounter
{
    public required string Scope { get; set; }
    public long Last { get; set; }
}
