using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Catalog;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;
using static OneGrid.Cases.CaseActions;

namespace OneGrid.Cases;

/// <summary>
/// The closed loop of DESIGN §2 as a workflow definition: every action of a case — in which states, by whom
/// (<see cref="CaseActions"/>' guards), with which inputs, and what it changes — and the phase clock each state runs.
/// "How a case is dispatched" is <see cref="DispatchAsync"/>, here. The kernel's engine performs them; the deadline scan,
/// the inbox and the case page's action forms are derived from this.
/// </summary>
public sealed class CaseWorkflow(OneGridDbContext db, TerritoryIndexHolder territory, ICaseRouter router, CasePhotos photos,
    OpenCaseIndex openCases, IOptions<CaseOptions> options) : WorkflowDefinition<Case, CaseState>
{
    private readonly CaseOptions _options = options.Value;

    public override string Name => "cases";
    public override string NounZh => "事件";
    public override string NounEn => "case";

    public override double WarnFraction => _options.WarnFraction;

    private static readonly CaseState[] OpenStates =
        [CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled];

    private static readonly ActionInput CategoryInput = new("categoryCode", InputKind.Choice, false, "事件类别", "Category");
    private static readonly ActionInput DepartmentInput = new("departmentCode", InputKind.Choice, false, "处置部门", "Handling department");
    private static readonly ActionInput DuplicateInput = new("duplicateOf", InputKind.Text, true, "重复的原事件编号", "Number of the original case") { MaxLength = 64 };
    private static readonly ActionInput ResultInput = new("result", InputKind.LongText, true, "处置结果", "Handling result");
    private static readonly ActionInput EvidenceInput = new("evidence", InputKind.Files, false, "处置照片或文件", "Photos or documents");
    private static readonly ActionInput RatingInput = new("rating", InputKind.Choice, true, "满意度评分", "Rating");

    private IReadOnlyList<WorkflowAction<Case>>? _actions;

    public override IReadOnlyList<WorkflowAction<Case>> Actions => _actions ??= Build();

    private List<WorkflowAction<Case>> Build() =>
    [
        new() { Name = Register, When = c => c.State == CaseState.Reported, Who = IsOwner, Inputs = [CategoryInput, ActionInput.Note], Apply = RegisterAsync },
        new()
        {
            Name = Reject, When = c => c.State == CaseState.Reported, Who = IsOwner, Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                ctx.Transition(CaseState.Rejected, ctx.Note);
                PhaseClockStop(ctx.Item);
                ctx.Item.ClosedAt = ctx.Now;
                return Task.CompletedTask;
            },
        },
        new() { Name = Merge, When = c => c.State == CaseState.Reported, Who = IsOwner, Inputs = [DuplicateInput, ActionInput.Note], Apply = MergeAsync },
        new() { Name = Dispatch, When = c => c.State == CaseState.Registered, Who = IsOwner, Inputs = [DepartmentInput, ActionInput.Note], Apply = DispatchAsync },
        new()
        {
            Name = Sign, When = c => c.State == CaseState.Dispatched, Who = IsHandler,
            Apply = ctx =>
            {
                ctx.Transition(CaseState.InProgress, ctx.Note);
                StartPhase(ctx.Item, Phase.Handle, ctx.Clock, ctx.Now);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Return, When = c => c.State == CaseState.Dispatched, Who = IsHandler, Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                var c = ctx.Item;
                ctx.Transition(CaseState.Registered, ctx.Note, new { department = c.DepartmentCode });
                c.ReturnCount++;
                c.DepartmentCode = null;
                StartPhase(c, Phase.Dispatch, ctx.Clock, ctx.Now);
                return Task.CompletedTask;
            },
        },
        new() { Name = Handle, When = c => c.State == CaseState.InProgress, Who = IsHandler, Inputs = [ResultInput, EvidenceInput], Apply = HandleAsync },
        new()
        {
            Name = Verify, When = c => c.State == CaseState.Handled, Who = IsVerifier,
            Apply = ctx =>
            {
                ctx.Transition(CaseState.Closed, ctx.Note);
                ctx.Item.ClosedAt = ctx.Now;
                PhaseClockStop(ctx.Item);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Rework, When = c => c.State == CaseState.Handled, Who = IsVerifier, Inputs = [ActionInput.Reason],
            Apply = ctx =>
            {
                ctx.Transition(CaseState.InProgress, ctx.Note);
                ctx.Item.ReworkCount++;
                ctx.Item.HandledAt = null;
                StartPhase(ctx.Item, Phase.Handle, ctx.Clock, ctx.Now);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Reopen, When = c => c.State == CaseState.Closed && c.ReopenCount == 0, Inputs = [ActionInput.Reason],
            Who = (c, actor) => actor.Reaches(c.GridCode, Role.Leader) || actor.Reaches(c.DistrictCode, Role.DistrictDispatcher),
            Apply = ctx =>
            {
                var c = ctx.Item;
                ctx.Transition(CaseState.Registered, ctx.Note);
                c.ReopenCount++;
                c.ClosedAt = null;
                c.DepartmentCode = null;
                StartPhase(c, Phase.Dispatch, ctx.Clock, ctx.Now);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Escalate, Who = IsOwner, Inputs = [ActionInput.Reason], Apply = EscalateAsync,
            When = c => c.OwningLevel != OwningLevel.District && (c.State == CaseState.Registered || HeldByOwner(c)),
        },
        new()
        {
            Name = Supervise, When = c => OpenStates.Contains(c.State) && !c.Supervised, Who = (c, actor) => actor.Reaches(c.GridCode, Role.Leader),
            WhileSuspended = true,
            Apply = ctx =>
            {
                ctx.Item.Supervised = true;
                ctx.Record(ctx.Note);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Unsupervise, When = c => OpenStates.Contains(c.State) && c.Supervised, Who = (c, actor) => actor.Reaches(c.GridCode, Role.Leader),
            WhileSuspended = true,
            Apply = ctx =>
            {
                ctx.Item.Supervised = false;
                ctx.Record(ctx.Note);
                return Task.CompletedTask;
            },
        },
        new()
        {
            Name = Rate, When = c => c.State == CaseState.Closed && c.Satisfaction is null, Who = IsReporter, Inputs = [RatingInput, ActionInput.Note],
            Apply = ctx =>
            {
                RateCase(ctx, (int?)ctx.Inputs.Number("rating"));
                return Task.CompletedTask;
            },
        },
        // A department handling a case asks for more time or for the case to wait (e.g. for planned works); the owning
        // level decides. Only while the case is with the department (signed for, being handled).
        .. ClockActions.For<Case, CaseState>(c => c.State == CaseState.InProgress, IsHandler, IsOwner),
    ];

    /// <summary>The rating of a closed case, by its reporter (signed in, or through the reporter key).</summary>
    internal static void RateCase(ActionContext<Case> ctx, int? rating)
    {
        if (rating is not (>= 1 and <= 5)) throw Kernel.ProblemException.Invalid("rating", "评分须为 1 到 5", "rating must be 1 to 5");
        ctx.Item.Satisfaction = rating;
        ctx.Record(ctx.Inputs.Text("note"), new { rating });
    }

    public override string StateName(CaseState state) => CaseService.StateZh(state);

    public override string? PhaseOf(Case item) => item.Phase.ToString();

    public override bool CanRead(Case item, Actor actor) => CaseActions.CanRead(item, actor);

    public override Expression<Func<Case, bool>>? Visible(Grant grant) => CaseQueries.VisibleThrough(grant);

    public override Expression<Func<Case, bool>>? Own(string userId) => c => c.ReporterId == userId;

    public override Expression<Func<Case, bool>>? Inbox(Grant grant) => CaseQueries.InboxThrough(grant);

    public override void AddTimeline(DbContext context, Case item, TimelineWrite e) =>
        context.Add(new CaseEvent { CaseId = item.Id, Action = e.Action }.From<CaseEvent>(e));

    /// <summary>
    /// The owner did not register or dispatch in time: the level above takes the case (the phases in
    /// <see cref="CaseOptions.AutoEscalatePhases"/>), through the same <c>escalate</c> a person takes.
    /// </summary>
    public override AutoEscalation<Case>? AutoEscalation => EscalationOf(_options.AutoEscalatePhases.ToArray());

    // The phases are in the database's filter too: the scan takes a bounded batch of candidates, and overdue cases in
    // phases that do not escalate (there can be many at a city's volume) must not fill every batch and starve the rest.
    private AutoEscalation<Case> EscalationOf(Phase[] phases) => new(
        c => c.OwningLevel != OwningLevel.District && (c.State == CaseState.Reported || c.State == CaseState.Registered) && phases.Contains(c.Phase),
        c => c.OwningLevel != OwningLevel.District && c.State is CaseState.Reported or CaseState.Registered && _options.AutoEscalatePhases.Contains(c.Phase),
        Escalate, c => $"{c.Phase} 超时自动上报");

    public override void AfterCommit(Case item) => openCases.Apply(item);

    public override string NotAllowedDetail(Case c, string action, IReadOnlyList<string> available)
    {
        var sentAway = action == Escalate && c.State is CaseState.Dispatched or CaseState.InProgress && c.DepartmentCode is not null;
        return sentAway
            ? Kernel.Text.Pick($"事件已派遣给 {c.DepartmentCode}，由其签收、处置或退回；退回后才能上报上级。可执行：{Join(available)}",
                $"The case was dispatched to {c.DepartmentCode}, which signs for, handles or returns it; it can be escalated once returned. Allowed now: {Join(available)}")
            : base.NotAllowedDetail(c, action, available);
    }

    private async Task RegisterAsync(ActionContext<Case> ctx)
    {
        var c = ctx.Item;
        var category = ctx.Inputs.Text("categoryCode") ?? c.CategoryCode
            ?? throw Kernel.ProblemException.Invalid("categoryCode", "立案须确定事件类别", "Registering a case needs its category");
        if (category != c.CategoryCode || c.CategorySuggested)
        {
            var place = new Resolution(territory.Current.PathOf(c.GridCode), c.LocationNearest, null);
            var route = await router.ProposeAsync(category, c.Description, place, default)
                ?? throw Kernel.ProblemException.Invalid("categoryCode", $"类别编码 {category} 不存在", $"Unknown category code {category}");
            c.CategoryCode = route.CategoryCode;
            c.PlatformCode = route.PlatformCode;
            c.ProposedDepartmentCode = route.DepartmentCode;
            c.RouteExplanation = route.StoredExplanation;
            c.RouteExplanationEn = route.ExplanationEn;
            c.HandlingLimitHours = route.HandlingLimit?.TotalHours ?? _options.DefaultHandleHours;
            c.HandlingLimitKind = route.LimitKind;
        }
        c.CategorySuggested = false;
        c.RegisteredAt = ctx.Now;
        if (c.ReporterKind == ReporterKind.Courier && c.ReporterId is { } reporter &&
            reporter.StartsWith(Actor.CourierIdPrefix, StringComparison.Ordinal) && long.TryParse(reporter[Actor.CourierIdPrefix.Length..], out var courierId))
        {
            // A courier's report that becomes a case earns a credit point (小哥码 incentive), in the same transaction.
            await CourierCredits.AwardAsync(db, courierId, CaseService.CourierPointsPerCase, default);
        }
        ctx.Transition(CaseState.Registered, ctx.Note, new { category = c.CategoryCode, route = c.RouteExplanation });
        StartPhase(c, Phase.Dispatch, ctx.Clock, ctx.Now);
    }

    /// <summary>
    /// Sends a registered case to the department that handles it (条): one that exists, serves the case's area, and —
    /// for a community handling a matter itself — is the case's own community. The client is held to what the page offers.
    /// </summary>
    private async Task DispatchAsync(ActionContext<Case> ctx)
    {
        var c = ctx.Item;
        var department = ctx.Inputs.Text("departmentCode") ?? c.ProposedDepartmentCode
            ?? throw Kernel.ProblemException.Invalid("departmentCode", "请指定处置部门", "Choose the handling department");
        if (!await router.DepartmentExistsAsync(department, default))
        {
            throw Kernel.ProblemException.Invalid("departmentCode", $"部门 {department} 不存在", $"Unknown department {department}");
        }
        if (territory.Current.Find(department) is { Level: UnitLevel.Community } && department != c.CommunityCode)
        {
            // A community handles matters of its own territory only; another community is not a department.
            throw Kernel.ProblemException.Invalid("departmentCode", $"只能派给事件所在的社区 {c.CommunityCode}", $"Only the case's own community {c.CommunityCode} can handle it");
        }
        var served = await db.Set<Department>().AsNoTracking().Where(d => d.Code == department).Select(d => d.UnitCode).FirstOrDefaultAsync();
        if (served is not null && !c.GridCode.StartsWith(served, StringComparison.Ordinal))
        {
            throw Kernel.ProblemException.Invalid("departmentCode", $"部门 {department} 不服务事件所在的 {c.GridCode}（它服务 {served}）",
                $"Department {department} does not serve the case's grid {c.GridCode} (it serves {served})");
        }
        c.DepartmentCode = department;
        c.DispatchedAt = ctx.Now;
        ctx.Transition(CaseState.Dispatched, ctx.Note, new { department });
        StartPhase(c, Phase.SignFor, ctx.Clock, ctx.Now);
    }

    private async Task HandleAsync(ActionContext<Case> ctx)
    {
        var c = ctx.Item;
        var result = ctx.Inputs.Text("result")!;
        var evidence = await photos.StoreAsync(ctx.Inputs.List("evidence"), "evidence", default);
        c.HandlingResult = result;
        c.HandledAt = ctx.Now;
        ctx.Transition(CaseState.Handled, result, new { evidence = evidence.Select(e => e.Sha256) });
        foreach (var p in evidence)
        {
            db.CaseAttachments.Add(new CaseAttachment { CaseId = c.Id, Sha256 = p.Sha256, ContentType = p.ContentType, Size = p.Size, Purpose = "evidence", CreatedAt = ctx.Now });
        }
        StartPhase(c, Phase.Verify, ctx.Clock, ctx.Now);
    }

    private async Task MergeAsync(ActionContext<Case> ctx)
    {
        var c = ctx.Item;
        var target = ctx.Inputs.Text("duplicateOf")!;
        var original = (long.TryParse(target, out var id)
                ? await db.Cases.FirstOrDefaultAsync(x => x.Id == id)
                : await db.Cases.FirstOrDefaultAsync(x => x.Number == target)) is { } found && CaseActions.CanRead(found, ctx.Actor)
            ? found
            : throw Kernel.ProblemException.Invalid("duplicateOf", $"找不到事件 {target}", $"No case {target}");
        if (original.Id == c.Id || !original.IsOpen || original.MergedIntoId is not null)
        {
            throw Kernel.ProblemException.Invalid("duplicateOf", "只能合并到另一个未结案的事件", "A duplicate merges into another open case");
        }
        c.MergedIntoId = original.Id;
        c.ClosedAt = ctx.Now;
        ctx.Transition(CaseState.Rejected, ctx.Inputs.Text("note") ?? $"合并到 {original.Number}", new { into = original.Number });
        PhaseClockStop(c);
        // The original's timeline records the merged report, so its reporter's report is followed there.
        AddTimeline(db, original, WorkflowEngine<Case, CaseState>.Entry("merged-in", original.State.ToString(), original.State.ToString(), ctx.Actor,
            c.Number, new { duplicate = c.Number }, ctx.Now));
        original.Version++;
        original.UpdatedAt = ctx.Now;
    }

    /// <summary>
    /// Moves ownership one level up (community → street platform → district centre); the upper level dispatches anew.
    /// A report nobody registered in time (auto-escalation) goes up as a report: the upper level registers it, with
    /// the category check and a courier's credit that registering brings.
    /// </summary>
    private Task EscalateAsync(ActionContext<Case> ctx)
    {
        var c = ctx.Item;
        var from = c.OwningLevel;
        c.OwningLevel = from + 1;
        c.OwningUnitCode = c.OwningLevel == OwningLevel.Street ? c.StreetCode : c.DistrictCode;
        c.EscalationCount++;
        c.DepartmentCode = null;
        var data = new { from = from.ToString(), to = c.OwningLevel.ToString() };
        if (c.State == CaseState.Reported)
        {
            ctx.Transition(CaseState.Reported, ctx.Note, data);
            StartPhase(c, Phase.Register, ctx.Clock, ctx.Now);
            return Task.CompletedTask;
        }
        c.RegisteredAt ??= ctx.Now;
        ctx.Transition(CaseState.Registered, ctx.Note, data);
        StartPhase(c, Phase.Dispatch, ctx.Clock, ctx.Now);
        return Task.CompletedTask;
    }

    /// <summary>Starts the clock of a phase: limits from the options (handling from the category), in the category's kind of time.</summary>
    public void StartPhase(Case c, Phase phase, PhaseClock clock, DateTimeOffset now)
    {
        c.Phase = phase;
        if (phase == Phase.None)
        {
            PhaseClock.Stop(c);
            return;
        }
        var hours = phase switch
        {
            Phase.Register => _options.RegisterHours,
            Phase.Dispatch => _options.DispatchHours,
            Phase.SignFor => _options.SignForHours,
            Phase.Handle => c.HandlingLimitHours,
            Phase.Verify => _options.VerifyHours,
            _ => 0,
        };
        // An emergency (natural-time category) runs on the clock in every phase.
        clock.Start(c, TimeSpan.FromHours(hours), c.HandlingLimitKind, now);
    }

    private static void PhaseClockStop(Case c)
    {
        c.Phase = Phase.None;
        PhaseClock.Stop(c);
    }
}
