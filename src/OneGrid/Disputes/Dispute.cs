using OneGrid.Calendar;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>The states of a dispute (DESIGN §3): 待受理, 已受理, 调解中, 已达成协议, 调解不成, 已撤回, 已移送, 已结案.</summary>
public enum DisputeState
{
    Registered,
    Accepted,
    Mediating,
    Agreed,
    Failed,
    Withdrawn,
    Transferred,
    Closed,
}

/// <summary>The three levels of mediation (三级矛调): escalation moves a dispute up one, never beyond the district centre.</summary>
public enum DisputeLevel
{
    Community,
    Street,
    District,
}

public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>The deadline a dispute is running against now.</summary>
public enum DisputePhase
{
    None,
    Accept,
    Mediate,
    FollowUp,
}

/// <summary>A dispute (矛盾纠纷): one number from the window that took it to the outcome and its follow-up.</summary>
public sealed class Dispute : IWorkflowItem<DisputeState>
{
    public long Id { get; set; }
    public required string Number { get; set; }
    public DisputeState State { get; set; }
    public DisputePhase Phase { get; set; }

    public required string TypeCode { get; set; }
    public required string Summary { get; set; }
    public double? Lon { get; set; }
    public double? Lat { get; set; }
    public string? Address { get; set; }
    public string? GridCode { get; set; }
    public string? CommunityCode { get; set; }
    public string? StreetCode { get; set; }
    public required string DistrictCode { get; set; }

    /// <summary>The level that owns it now, and its unit (a community, street or district code).</summary>
    public DisputeLevel Level { get; set; }
    public required string OwningUnitCode { get; set; }

    /// <summary>Where it was registered and which window took it (就地化解率 compares the outcome's level with it).</summary>
    public DisputeLevel RegisteredLevel { get; set; }
    public required string RegisteredUnitCode { get; set; }

    public RiskLevel Risk { get; set; }
    public string? MediatorId { get; set; }
    public string? MediatorName { get; set; }
    /// <summary>The leader in personal charge (包案).</summary>
    public string? LeaderId { get; set; }
    public string? LeaderName { get; set; }
    /// <summary>The case it came from (a neighbours' noise complaint, say).</summary>
    public long? CaseId { get; set; }

    public string? AgreementText { get; set; }
    public string? Obligations { get; set; }
    public DateTimeOffset? PerformBy { get; set; }
    public string? FailReason { get; set; }
    /// <summary>litigation, arbitration, labour-arbitration, petition (诉调对接).</summary>
    public string? TransferKind { get; set; }
    public string? TransferBody { get; set; }

    public int EscalationCount { get; set; }
    public int ReopenCount { get; set; }
    public DateTimeOffset? FollowedUpAt { get; set; }
    public bool? Performed { get; set; }
    public bool? Satisfied { get; set; }
    /// <summary>The outcome was reached before its mediation deadline (for the on-time indicator).</summary>
    public bool? OutcomeOnTime { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? OutcomeAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? RegisteredById { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? PhaseStartedAt { get; set; }
    public DateTimeOffset? PhaseWarnAt { get; set; }
    public DateTimeOffset? PhaseDueAt { get; set; }
    public TimeLimitKind PhaseLimitKind { get; set; }
    public bool PhaseWarned { get; set; }
    public bool PhaseOverdue { get; set; }
    public bool EverOverdue { get; set; }
    public double? ExtensionRequestedHours { get; set; }
    public double ExtendedHours { get; set; }
    public bool SuspensionRequested { get; set; }
    public DateTimeOffset? SuspendedAt { get; set; }
    public bool EverSuspended { get; set; }

    /// <summary>Optimistic concurrency: two mediators acting at once cannot both win.</summary>
    public long Version { get; set; }

    public bool IsOpen => State is not (DisputeState.Closed or DisputeState.Withdrawn or DisputeState.Transferred);

    /// <summary>The unit whose subtree the dispute belongs to for reading: its community, else the unit that owns it.</summary>
    public string PlaceCode => CommunityCode ?? StreetCode ?? OwningUnitCode;
}

/// <summary>A party to a dispute. Only what mediation needs: a name, a phone, the last four characters of an ID number.</summary>
public sealed class DisputeParty
{
    public long Id { get; set; }
    public long DisputeId { get; set; }
    /// <summary>applicant or respondent.</summary>
    public required string Role { get; set; }
    public required string Name { get; set; }
    public string? Phone { get; set; }
    /// <summary>The last 4 characters of an ID number; the full number is never stored.</summary>
    public string? IdTail { get; set; }

    public const string Applicant = "applicant";
    public const string Respondent = "respondent";
}

/// <summary>A mediation session (调解记录).</summary>
public sealed class DisputeSession
{
    public long Id { get; set; }
    public long DisputeId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Place { get; set; }
    public required string Attendees { get; set; }
    public required string Notes { get; set; }
    public string? RecordedBy { get; set; }
}

/// <summary>One entry of a dispute's timeline: append-only.</summary>
public sealed class DisputeEvent : TimelineEvent<DisputeState>
{
    public long DisputeId { get; set; }
}

/// <summary>A kind of dispute: data, seeded and editable by a city-wide admin.</summary>
public sealed class DisputeType
{
    public required string Code { get; set; }
    public required string NameZh { get; set; }
    public string? NameEn { get; set; }
    public int Sort { get; set; }
    public bool Active { get; set; } = true;

    public string Name => Kernel.Text.Pick(NameZh, NameEn ?? NameZh);

    public static readonly IReadOnlyList<DisputeType> Seed =
    [
        new() { Code = "neighbour", NameZh = "邻里纠纷", NameEn = "Neighbours", Sort = 10 },
        new() { Code = "family", NameZh = "婚姻家庭", NameEn = "Marriage and family", Sort = 20 },
        new() { Code = "property", NameZh = "物业纠纷", NameEn = "Property management", Sort = 30 },
        new() { Code = "labour", NameZh = "劳动争议", NameEn = "Labour", Sort = 40 },
        new() { Code = "land", NameZh = "土地承包", NameEn = "Land and contracts", Sort = 50 },
        new() { Code = "consumer", NameZh = "消费纠纷", NameEn = "Consumer", Sort = 60 },
        new() { Code = "traffic", NameZh = "交通事故", NameEn = "Traffic accident", Sort = 70 },
        new() { Code = "other", NameZh = "其他", NameEn = "Other", Sort = 80 },
    ];
}
