using OneGrid.Access;

namespace OneGrid.Cases;

/// <summary>The names of a case's actions and who each role is towards a case (DESIGN §2, §7): the guards <see cref="CaseWorkflow"/> uses.</summary>
public static class CaseActions
{
    public const string Register = "register";
    public const string Reject = "reject";
    public const string Merge = "merge";
    public const string Dispatch = "dispatch";
    public const string Sign = "sign";
    public const string Return = "return";
    public const string Handle = "handle";
    public const string Verify = "verify";
    public const string Rework = "rework";
    public const string Reopen = "reopen";
    public const string Escalate = "escalate";
    public const string Supervise = "supervise";
    public const string Unsupervise = "unsupervise";
    public const string Rate = "rate";

    /// <summary>Every action of a case: the closed loop's and the kernel's extension and suspension (<see cref="CaseWorkflow"/> defines them).</summary>
    public static readonly IReadOnlyList<string> All =
        [Register, Reject, Merge, Dispatch, Sign, Return, Handle, Verify, Rework, Reopen, Escalate, Supervise, Unsupervise, Rate, .. Workflows.ClockActions.All];

    /// <summary>
    /// Whether the owning level still holds a dispatched case: it sent the case to itself — a community handling a
    /// matter of its own territory. The owning level escalates what it cannot handle; once it has dispatched the case
    /// to a department the case is that department's, which signs for it or returns it (退回), and only a returned
    /// case (Registered again) may go up.
    /// </summary>
    public static bool HeldByOwner(Case c) =>
        c.State is CaseState.Dispatched or CaseState.InProgress && c.DepartmentCode is not null && c.DepartmentCode == c.OwningUnitCode;

    /// <summary>
    /// The operators of the level that owns the case: its community's operator while the community owns
    /// it; the street's dispatcher (of the case's platform, or of all) while the community or street owns it;
    /// the district centre always — it can take anything (最多跑一地).
    /// </summary>
    public static bool IsOwner(Case c, Actor actor) =>
        (c.OwningLevel == OwningLevel.Community && actor.Reaches(c.CommunityCode, Role.CommunityOperator)) ||
        (c.OwningLevel <= OwningLevel.Street && actor.GrantsOf(Role.StreetDispatcher)
            .Any(g => g.Reaches(c.StreetCode) && (g.PlatformCode is null || g.PlatformCode == c.PlatformCode))) ||
        actor.Reaches(c.DistrictCode, Role.DistrictDispatcher);

    /// <summary>
    /// The department the case was sent to, through a handler grant whose unit reaches the case (a handler of 城管
    /// granted on one street acts on that street's cases only) — or, for matters a community handles itself, that
    /// community's operator.
    /// </summary>
    public static bool IsHandler(Case c, Actor actor) =>
        c.DepartmentCode is not null &&
        (actor.GrantsOf(Role.DepartmentHandler).Any(g => g.DepartmentCode == c.DepartmentCode && g.Reaches(c.GridCode)) ||
         actor.GrantsOf(Role.CommunityOperator).Any(g => g.UnitCode == c.DepartmentCode));

    /// <summary>
    /// The reporting grid worker, the grid's own worker, or the community's operator confirms the result — but never
    /// whoever handled it (or could have, through a grant on its department): nobody closes their own work. A
    /// report a grid worker handled on the spot is confirmed by the community (DESIGN §2), not by grid workers.
    /// </summary>
    public static bool IsVerifier(Case c, Actor actor) =>
        !IsHandler(c, actor) &&
        (c.SelfHandled
            ? c.ReporterId != actor.UserId && actor.Reaches(c.CommunityCode, Role.CommunityOperator)
            : (c.ReporterKind == ReporterKind.GridWorker && c.ReporterId is not null && c.ReporterId == actor.UserId) ||
              actor.Reaches(c.GridCode, Role.GridWorker) ||
              actor.Reaches(c.CommunityCode, Role.CommunityOperator));

    public static bool IsReporter(Case c, Actor actor) => !actor.IsAnonymous && c.ReporterId == actor.UserId;

    /// <summary>Who may read the case at all.</summary>
    public static bool CanRead(Case c, Actor actor) =>
        IsReporter(c, actor) || IsHandler(c, actor) ||
        actor.Grants.Any(g => g.Role is not (Role.DepartmentHandler or Role.Courier) && g.Reaches(c.GridCode));
}
