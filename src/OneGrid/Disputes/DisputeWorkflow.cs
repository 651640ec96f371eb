using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>
/// The dispute workflow (DESIGN §3, 三级矛调): who reads a dispute, who acts at which level, what each action needs and
/// does, and which clock runs. This is the one place a reader finds how a dispute is accepted, mediated, escalated
/// (community → street → district centre), transferred, followed up and closed; the kernel's engine, deadline scan and
/// inbox queries run it, the pages draw their forms from its inputs.
/// </summary>
public sealed class DisputeWorkflow(OneGridDbContext db, TerritoryIndexHolder territory, IOptions<DisputeOptions> options,
    IOptions<CalendarOptions> calendarOptions) : WorkflowDefinition<Dispute, DisputeState>
{
    public const string Accept = "accept";
    public const string Assign = "assign";
    public const string Session = "session";
    public const string Agree = "agree";
    public const string Fail = "fail";
    public const string Withdraw = "withdraw";
    public const string Escalate = "escalate";
    public const string Transfer = "transfer";
    public const string FollowUp = "follow-up";
    public const string Reopen = "reopen";
    public const string Close = "close";
    public const string TakeCharge = "take-charge";

    /// <summary>The timeline entry that flags a high-risk dispute to the district centre and the leaders (webhook dispute.high-risk).</summary>
    public const string HighRiskFlag = "high-risk";

    /// <summary>Where a dispute may be transferred (诉调对接).</summary>
    public static readonly IReadOnlyList<string> TransferKinds = ["litigation", "arbitration", "labour-arbitration", "petition"];

    private static readonly DisputeState[] Working = [DisputeState.Registered, DisputeState.Accepted, DisputeState.Mediating];

    private static readonly DisputeState[] Open =
        [DisputeState.Registered, DisputeState.Accepted, DisputeState.Mediating, DisputeState.Agreed, DisputeState.Failed];

    /// <summary>Roles that read the disputes of the units their grant reaches; couriers, grid workers, inspectors and departments do not.</summary>
    private static readonly Role[] Readers =
        [Role.CommunityOperator, Role.StreetDispatcher, Role.DistrictDispatcher, Role.Mediator, Role.Leader, Role.Admin];

    /// <summary>Roles that register disputes at a window.</summary>
    public static readonly Role[] Registrars = [Role.CommunityOperator, Role.StreetDispatcher, Role.DistrictDispatcher, Role.Mediator];

    private readonly DisputeOptions _options = options.Value;
    private IReadOnlyList<WorkflowAction<Dispute>>? _actions;

    public override string Name => "disputes";
    public override string NounZh => "纠纷";
    public override string NounEn => "dispute";

    public override string StateName(DisputeState state) => StateText(state);

    public static string StateText(DisputeState state) => Text.Pick(StateZh(state), state switch
    {
        DisputeState.Registered => "Registered",
        DisputeState.Accepted => "Accepted",
        DisputeState.Mediating => "Mediating",
        DisputeState.Agreed => "Agreed",
        DisputeState.Failed => "Mediation failed",
        DisputeState.Withdrawn => "Withdrawn",
        DisputeState.Transferred => "Transferred",
        DisputeState.Closed => "Closed",
        _ => state.ToString(),
    });

    public static string StateZh(DisputeState state) => state switch
    {
        DisputeState.Registered => "待受理",
        DisputeState.Accepted => "已受理",
        DisputeState.Mediating => "调解中",
        DisputeState.Agreed => "已达成协议",
        DisputeState.Failed => "调解不成",
        DisputeState.Withdrawn => "已撤回",
        DisputeState.Transferred => "已移送",
        DisputeState.Closed => "已结案",
        _ => state.ToString(),
    };

    public static string LevelText(DisputeLevel level) => level switch
    {
        DisputeLevel.Community => Text.Pick("社区（村）", "Community"),
        DisputeLevel.Street => Text.Pick("街道（乡镇）", "Street"),
        _ => Text.Pick("区矛调中心", "District centre"),
    };

    public override string? PhaseOf(Dispute item) => item.Phase == DisputePhase.None ? null : item.Phase.ToString();

    // ---- who ---------------------------------------------------------------------------------------------------------

    /// <summary>The level a grant's unit is at, from the territory (null for a unit it does not know).</summary>
    private UnitLevel? LevelOfUnit(string code) => territory.Current.Find(code)?.Level;

    /// <summary>
    /// The district's social-governance centre (区矛调中心): its dispatchers and the mediators granted on the district
    /// itself. It may act on anything in its district, whatever level owns it (最多跑一地).
    /// </summary>
    public bool IsDistrictCentre(Dispute d, Actor a) => a.Grants.Any(g => g.Reaches(d.DistrictCode) &&
        (g.Role == Role.DistrictDispatcher || (g.Role == Role.Mediator && LevelOfUnit(g.UnitCode) is UnitLevel.District)));

    /// <summary>
    /// The owning level: a mediator granted on the owning unit, that level's operator role on it (community operator,
    /// street dispatcher, district dispatcher), or the district centre.
    /// </summary>
    public bool IsOwner(Dispute d, Actor a) =>
        IsDistrictCentre(d, a) ||
        a.Grants.Any(g => g.UnitCode == d.OwningUnitCode && (g.Role == Role.Mediator || g.Role == OperatorOf(d.Level)));

    /// <summary>The owner, or the mediator assigned to it: who mediates and asks for more time.</summary>
    public bool IsMediating(Dispute d, Actor a) => IsOwner(d, a) || IsAssigned(d, a);

    public static bool IsAssigned(Dispute d, Actor a) => !a.IsAnonymous && d.MediatorId is not null && d.MediatorId == a.UserId;

    public static bool IsLeaderInCharge(Dispute d, Actor a) => !a.IsAnonymous && d.LeaderId is not null && d.LeaderId == a.UserId;

    public static Role OperatorOf(DisputeLevel level) => level switch
    {
        DisputeLevel.Community => Role.CommunityOperator,
        DisputeLevel.Street => Role.StreetDispatcher,
        _ => Role.DistrictDispatcher,
    };

    public override bool CanRead(Dispute item, Actor actor) =>
        IsAssigned(item, actor) || IsLeaderInCharge(item, actor) || (!actor.IsAnonymous && item.RegisteredById == actor.UserId) ||
        actor.Grants.Any(g => Readers.Contains(g.Role) && (g.Reaches(item.PlaceCode) || g.Reaches(item.OwningUnitCode)));

    /// <summary>
    /// Who sees the parties' names and phones in full: whoever mediates it (the assigned mediator, the owning level's
    /// mediators, the district centre's mediators) and the window that registered it. Everyone else reads them masked
    /// and may reveal them through the audited reveal.
    /// </summary>
    public bool SeesParties(Dispute d, Actor a) =>
        IsAssigned(d, a) || (!a.IsAnonymous && d.RegisteredById == a.UserId) ||
        a.Grants.Any(g => g.Role == Role.Mediator && (g.UnitCode == d.OwningUnitCode ||
            (LevelOfUnit(g.UnitCode) is UnitLevel.District && g.Reaches(d.DistrictCode))));

    public override Expression<Func<Dispute, bool>>? Visible(Grant grant)
    {
        if (!Readers.Contains(grant.Role)) return null;
        var unit = grant.UnitCode;
        return d => (d.CommunityCode != null && d.CommunityCode.StartsWith(unit)) ||
                    (d.StreetCode != null && d.StreetCode.StartsWith(unit)) || d.OwningUnitCode.StartsWith(unit);
    }

    public override Expression<Func<Dispute, bool>>? Own(string userId) =>
        d => d.MediatorId == userId || d.LeaderId == userId || d.RegisteredById == userId;

    public override Expression<Func<Dispute, bool>>? Inbox(Grant grant)
    {
        var unit = grant.UnitCode;
        var level = LevelOfUnit(unit);
        switch (grant.Role)
        {
            case Role.Mediator when level is UnitLevel.District:
            case Role.DistrictDispatcher:
                // The centre's own disputes, and every high-risk one of its district at once.
                return d => d.DistrictCode.StartsWith(unit) && (d.Level == DisputeLevel.District || d.Risk == RiskLevel.High) &&
                            Open.Contains(d.State) && d.FollowedUpAt == null;
            case Role.Mediator:
                return d => d.OwningUnitCode == unit && Open.Contains(d.State) && d.FollowedUpAt == null;
            case Role.CommunityOperator:
                return d => d.OwningUnitCode == unit && d.Level == DisputeLevel.Community && d.State == DisputeState.Registered;
            case Role.StreetDispatcher:
                return d => d.OwningUnitCode == unit && d.Level == DisputeLevel.Street && d.State == DisputeState.Registered;
            case Role.Leader:
                // High-risk disputes nobody has taken charge of yet, and those the leader's unit owns in a 包案.
                return d => ((d.CommunityCode != null && d.CommunityCode.StartsWith(unit)) || d.OwningUnitCode.StartsWith(unit)) &&
                            d.Risk == RiskLevel.High && d.LeaderId == null && Open.Contains(d.State);
            default:
                return null;
        }
    }

    public override void AddTimeline(DbContext db, Dispute item, TimelineWrite entry) =>
        db.Add(new DisputeEvent { DisputeId = item.Id, Action = entry.Action }.From<DisputeEvent>(entry));

    // ---- clocks ------------------------------------------------------------------------------------------------------

    public TimeSpan AcceptLimit => TimeSpan.FromHours(_options.AcceptWorkingHours);

    public TimeSpan MediationLimit => TimeSpan.FromDays(_options.MediationDays);

    /// <summary>Working days are the calendar's working day long (08:30–12:00 and 13:30–17:30 make 7.5 hours).</summary>
    public TimeSpan FollowUpLimit =>
        TimeSpan.FromTicks((long)(calendarOptions.Value.Periods().Sum(p => p.Length.Ticks) * _options.FollowUpWorkingDays));

    public void StartPhase(Dispute d, DisputePhase phase, PhaseClock clock, DateTimeOffset now)
    {
        d.Phase = phase;
        switch (phase)
        {
            case DisputePhase.Accept: clock.Start(d, AcceptLimit, TimeLimitKind.WorkingHours, now); break;
            case DisputePhase.Mediate: clock.Start(d, MediationLimit, TimeLimitKind.NaturalHours, now); break;
            case DisputePhase.FollowUp: clock.Start(d, FollowUpLimit, TimeLimitKind.WorkingHours, now); break;
            default: PhaseClock.Stop(d); break;
        }
    }

    private static void StopPhase(Dispute d)
    {
        d.Phase = DisputePhase.None;
        PhaseClock.Stop(d);
    }

    // ---- actions -----------------------------------------------------------------------------------------------------

    public override IReadOnlyList<WorkflowAction<Dispute>> Actions => _actions ??= BuildActions();

    private List<WorkflowAction<Dispute>> BuildActions()
    {
        var actions = new List<WorkflowAction<Dispute>>
        {
            new()
            {
                Name = Accept, TitleZh = "受理", TitleEn = "Accept",
                When = d => d.State == DisputeState.Registered,
                Who = IsOwner,
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    d.AcceptedAt ??= ctx.Now;
                    StartPhase(d, DisputePhase.Mediate, ctx.Clock, ctx.Now);
                    ctx.Transition(DisputeState.Accepted, ctx.Note, new { level = d.Level.ToString(), unit = d.OwningUnitCode, due = d.PhaseDueAt });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Assign, TitleZh = "指派调解员", TitleEn = "Assign a mediator",
                When = d => d.State is DisputeState.Accepted or DisputeState.Mediating,
                Who = IsOwner,
                Inputs = [new ActionInput("mediatorId", InputKind.Choice, true, "调解员", "Mediator") { MaxLength = 100 }, ActionInput.Note],
                Apply = async ctx =>
                {
                    var d = ctx.Item;
                    var id = ctx.Inputs.Text("mediatorId")!;
                    var mediator = (await MediatorsFor(d, ctx.Inputs.Text("mediatorId"))).FirstOrDefault()
                        ?? throw ProblemException.Invalid("mediatorId", $"{id} 不是本级（{d.OwningUnitCode}）的调解员",
                            $"{id} is not a mediator of the owning unit {d.OwningUnitCode}");
                    d.MediatorId = mediator.UserId;
                    d.MediatorName = mediator.Name;
                    ctx.Record(ctx.Note, new { mediatorId = mediator.UserId, mediator = mediator.Name });
                },
            },
            new()
            {
                Name = Session, TitleZh = "记录调解", TitleEn = "Record a session",
                When = d => d.State is DisputeState.Accepted or DisputeState.Mediating,
                Who = IsMediating,
                Inputs =
                [
                    new ActionInput("at", InputKind.DateTime, true, "调解时间", "Time"),
                    new ActionInput("place", InputKind.Text, true, "地点", "Place") { MaxLength = 200 },
                    new ActionInput("attendees", InputKind.Text, true, "参加人员", "Attendees") { MaxLength = 500 },
                    new ActionInput("notes", InputKind.LongText, true, "调解记录", "Notes") { MaxLength = 4000 },
                ],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    var at = ctx.Inputs.Time("at")!.Value;
                    if (at > ctx.Now.AddHours(1))
                        throw ProblemException.Invalid("at", "调解时间不能晚于现在", "The session cannot be in the future");
                    db.Add(new DisputeSession
                    {
                        DisputeId = d.Id, At = at, Place = ctx.Inputs.Text("place")!, Attendees = ctx.Inputs.Text("attendees")!,
                        Notes = ctx.Inputs.Text("notes")!, RecordedBy = ctx.Actor.DisplayName ?? ctx.Actor.UserName,
                    });
                    var data = new { at, place = ctx.Inputs.Text("place") };
                    if (d.State == DisputeState.Mediating) ctx.Record(null, data);
                    else ctx.Transition(DisputeState.Mediating, null, data);
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Agree, TitleZh = "达成协议", TitleEn = "Record an agreement",
                When = d => d.State is DisputeState.Accepted or DisputeState.Mediating,
                Who = IsMediating,
                Inputs =
                [
                    new ActionInput("agreement", InputKind.LongText, true, "协议内容", "Agreement") { MaxLength = 4000 },
                    new ActionInput("obligations", InputKind.LongText, true, "各方义务", "What each side must do") { MaxLength = 4000 },
                    new ActionInput("performBy", InputKind.Date, true, "履行期限", "Perform by"),
                ],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    d.AgreementText = ctx.Inputs.Text("agreement");
                    d.Obligations = ctx.Inputs.Text("obligations");
                    d.PerformBy = ctx.Inputs.Time("performBy");
                    Outcome(d, ctx.Now);
                    StartPhase(d, DisputePhase.FollowUp, ctx.Clock, ctx.Now);
                    ctx.Transition(DisputeState.Agreed, null, new { performBy = d.PerformBy, followUpDue = d.PhaseDueAt });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Fail, TitleZh = "调解不成", TitleEn = "Mediation failed",
                When = d => d.State is DisputeState.Accepted or DisputeState.Mediating,
                Who = IsMediating,
                Inputs = [ActionInput.Reason],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    d.FailReason = ctx.Note;
                    Outcome(d, ctx.Now);
                    StopPhase(d);
                    ctx.Transition(DisputeState.Failed, ctx.Note);
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Withdraw, TitleZh = "撤回", TitleEn = "Withdraw",
                When = d => Working.Contains(d.State),
                Who = IsMediating,
                Inputs = [ActionInput.Reason],
                Apply = ctx =>
                {
                    ctx.Item.ClosedAt = ctx.Now;
                    StopPhase(ctx.Item);
                    ctx.Transition(DisputeState.Withdrawn, ctx.Note);
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Escalate, TitleZh = "上交上一级", TitleEn = "Escalate",
                When = d => d.Level != DisputeLevel.District && (Working.Contains(d.State) || d.State == DisputeState.Failed),
                Who = IsOwner,
                Inputs = [ActionInput.Reason],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    var from = d.OwningUnitCode;
                    // community → street → district centre; a dispute registered by unit code only may lack a street.
                    (d.Level, d.OwningUnitCode) = d.Level == DisputeLevel.Community && d.StreetCode is not null
                        ? (DisputeLevel.Street, d.StreetCode)
                        : (DisputeLevel.District, d.DistrictCode);
                    d.EscalationCount++;
                    // The new level accepts it afresh and names its own mediator.
                    d.MediatorId = null;
                    d.MediatorName = null;
                    d.FailReason = null;
                    d.OutcomeAt = null;
                    d.OutcomeOnTime = null;
                    StartPhase(d, DisputePhase.Accept, ctx.Clock, ctx.Now);
                    ctx.Transition(DisputeState.Registered, ctx.Note, new { from, to = d.OwningUnitCode, level = d.Level.ToString() });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Transfer, TitleZh = "诉调对接移送", TitleEn = "Transfer",
                When = d => Working.Contains(d.State) || d.State == DisputeState.Failed,
                Who = IsOwner,
                Inputs =
                [
                    new ActionInput("transferKind", InputKind.Choice, true, "移送方式", "Transfer to") { MaxLength = 32 },
                    new ActionInput("body", InputKind.Text, true, "接收单位", "Receiving body") { MaxLength = 200 },
                    ActionInput.Note,
                ],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    var kind = ctx.Inputs.Text("transferKind")!.ToLowerInvariant();
                    if (!TransferKinds.Contains(kind))
                        throw ProblemException.Invalid("transferKind", $"移送方式须为 {string.Join("、", TransferKinds)} 之一",
                            $"transferKind must be one of {string.Join(", ", TransferKinds)}");
                    d.TransferKind = kind;
                    d.TransferBody = ctx.Inputs.Text("body");
                    d.ClosedAt = ctx.Now;
                    StopPhase(d);
                    ctx.Transition(DisputeState.Transferred, ctx.Note, new { kind, body = d.TransferBody });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = FollowUp, TitleZh = "回访", TitleEn = "Follow up",
                When = d => d.State == DisputeState.Agreed && d.FollowedUpAt == null,
                Who = IsMediating,
                Inputs =
                [
                    new ActionInput("performed", InputKind.Choice, true, "协议是否履行", "Performed?") { MaxLength = 5 },
                    new ActionInput("satisfied", InputKind.Choice, true, "当事人是否满意", "Satisfied?") { MaxLength = 5 },
                    ActionInput.Note,
                ],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    d.Performed = YesNo(ctx.Inputs, "performed");
                    d.Satisfied = YesNo(ctx.Inputs, "satisfied");
                    d.FollowedUpAt = ctx.Now;
                    StopPhase(d);
                    ctx.Record(ctx.Note, new { performed = d.Performed, satisfied = d.Satisfied });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Reopen, TitleZh = "重新调解", TitleEn = "Reopen mediation",
                When = d => d.State == DisputeState.Agreed && d.FollowedUpAt != null && d.Performed == false && d.ReopenCount == 0,
                Who = IsMediating,
                Inputs = [ActionInput.Reason],
                Apply = ctx =>
                {
                    var d = ctx.Item;
                    d.ReopenCount++;
                    d.OutcomeAt = null;
                    d.OutcomeOnTime = null;
                    d.FollowedUpAt = null;
                    StartPhase(d, DisputePhase.Mediate, ctx.Clock, ctx.Now);
                    ctx.Transition(DisputeState.Mediating, ctx.Note, new { previousAgreement = d.AgreementText, due = d.PhaseDueAt });
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = Close, TitleZh = "结案", TitleEn = "Close",
                When = d => (d.State == DisputeState.Agreed && d.FollowedUpAt != null) || d.State == DisputeState.Failed,
                Who = IsOwner,
                Apply = ctx =>
                {
                    ctx.Item.ClosedAt = ctx.Now;
                    StopPhase(ctx.Item);
                    ctx.Transition(DisputeState.Closed, ctx.Note);
                    return Task.CompletedTask;
                },
            },
            new()
            {
                Name = TakeCharge, TitleZh = "领导包案", TitleEn = "Take personal charge",
                When = d => Open.Contains(d.State) && d.LeaderId == null,
                Who = (d, a) => !a.IsAnonymous && (a.Reaches(d.PlaceCode, Role.Leader) || a.Reaches(d.OwningUnitCode, Role.Leader)),
                WhileSuspended = true,
                Apply = ctx =>
                {
                    ctx.Item.LeaderId = ctx.Actor.UserId;
                    ctx.Item.LeaderName = ctx.Actor.DisplayName ?? ctx.Actor.UserName;
                    ctx.Record(ctx.Note, new { leader = ctx.Item.LeaderName });
                    return Task.CompletedTask;
                },
            },
        };
        actions.AddRange(ClockActions.For<Dispute, DisputeState>(
            d => Working.Contains(d.State) || (d.State == DisputeState.Agreed && d.FollowedUpAt == null), IsMediating, IsOwner));
        return actions;
    }

    /// <summary>An outcome (agreement or failure) was reached: when, and whether within the mediation deadline.</summary>
    private static void Outcome(Dispute d, DateTimeOffset now)
    {
        d.OutcomeAt = now;
        d.OutcomeOnTime = !d.EverOverdue && (d.PhaseDueAt is not { } due || now <= due);
    }

    private static bool YesNo(WorkflowInputs inputs, string name) => inputs.Text(name)?.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" or "是" => true,
        "false" or "no" or "0" or "否" => false,
        _ => throw ProblemException.Invalid(name, $"{name} 须为 true 或 false", $"{name} must be true or false"),
    };

    /// <summary>A person who may mediate a dispute: holds a Mediator grant reaching its owning unit.</summary>
    public sealed record MediatorChoice(string UserId, string Name);

    /// <summary>The people the owning level may assign (or the one asked for): a Mediator grant on the owning unit or above it in the district.</summary>
    public async Task<IReadOnlyList<MediatorChoice>> MediatorsFor(Dispute d, string? userId = null)
    {
        var owning = d.OwningUnitCode;
        // The API names the person by account id or user name; the page offers the ids.
        if (userId is not null)
        {
            userId = await db.Users.AsNoTracking().Where(u => u.Id == userId || u.UserName == userId).Select(u => u.Id).FirstOrDefaultAsync();
            if (userId is null) return [];
        }
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.Role == Role.Mediator && (userId == null || g.UserId == userId))
            .Select(g => new { g.UserId, g.UnitCode }).ToListAsync();
        var ids = grants.Where(g => owning.StartsWith(g.UnitCode, StringComparison.Ordinal) && g.UnitCode.StartsWith(d.DistrictCode, StringComparison.Ordinal))
            .Select(g => g.UserId).Distinct().ToList();
        if (ids.Count == 0) return [];
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.UserName }).ToListAsync();
        return users.Select(u => new MediatorChoice(u.Id, string.IsNullOrEmpty(u.DisplayName) ? u.UserName ?? u.Id : u.DisplayName))
            .OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }
}
