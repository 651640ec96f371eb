using System.Linq.Expressions;
using OneGrid.Access;
using OneGrid.Workflows;

namespace OneGrid.Cases;

/// <summary>
/// Scope is enforced in the query, not in the page: a list never contains what the caller may not read.
/// The same rules as <see cref="CaseActions.CanRead"/>, expressed for the database.
/// </summary>
/// <remarks>
/// Each rule is kept as a list of branches, each a plain conjunction an index can serve (a unit column equal to a code,
/// a state equal to a constant). <see cref="VisibleTo"/> and <see cref="InboxOf"/> OR them for callers that filter or
/// count; the case list reads each branch in index order and merges them (<see cref="CaseListing"/>), because a
/// database cannot walk "district = X OR reporter = me" in date order through any one index.
/// </remarks>
public static class CaseQueries
{
    public static IQueryable<Case> VisibleTo(this IQueryable<Case> cases, Actor actor) => Where(cases, VisibleBranches(actor));

    /// <summary>
    /// Cases waiting for this actor to act: the owner's queue (with the extensions and suspensions it must decide), the
    /// department's queue, the verifier's queue.
    /// </summary>
    public static IQueryable<Case> InboxOf(this IQueryable<Case> cases, Actor actor) => Where(cases, InboxBranches(actor));

    /// <summary>The cases matching any of the branches; none when there is none.</summary>
    public static IQueryable<Case> Where(IQueryable<Case> cases, IReadOnlyList<Expression<Func<Case, bool>>> branches) =>
        Any(branches) is { } any ? cases.Where(any) : cases.Where(_ => false);

    /// <summary>The branches ORed; null when there is none.</summary>
    public static Expression<Func<Case, bool>>? Any(IReadOnlyList<Expression<Func<Case, bool>>> branches)
    {
        Expression<Func<Case, bool>>? any = null;
        foreach (var b in branches) any = WorkflowQueries.Or(any, b);
        return any;
    }

    /// <summary>
    /// What the actor may read: their own reports, and what each grant reaches. <paramref name="within"/>, a unit the list is
    /// filtered to (<see cref="CaseFilter.Unit"/>), narrows a grant on a unit above it to that unit: the same cases once the
    /// filter is applied, but each branch then names the narrow unit's own column, so its index is read — not the street's
    /// every case checked for a community (480 ms at 10 M cases).
    /// </summary>
    public static IReadOnlyList<Expression<Func<Case, bool>>> VisibleBranches(Actor actor, string? within = null)
    {
        var branches = new List<Expression<Func<Case, bool>>>();
        if (actor.UserId is { } me) branches.Add(c => c.ReporterId == me);
        foreach (var g in actor.Grants) branches.AddRange(VisibleThrough(Narrowed(g, within)));
        return branches;
    }

    private static Grant Narrowed(Grant g, string? within) =>
        within is not null && IsLevelCode(within) && within.Length > g.UnitCode.Length && within.StartsWith(g.UnitCode, StringComparison.Ordinal)
            ? g with { UnitCode = within }
            : g;

    /// <summary>
    /// What waits for the actor. Every branch is one of the grant's <see cref="VisibleThrough"/> branches narrowed further,
    /// so the inbox is never wider than what the actor may read.
    /// </summary>
    public static IReadOnlyList<Expression<Func<Case, bool>>> InboxBranches(Actor actor)
    {
        var branches = new List<Expression<Func<Case, bool>>>();
        foreach (var g in actor.Grants) branches.AddRange(InboxThrough(g));
        return branches;
    }

    /// <summary>
    /// The cases under a unit: <c>GridCode.StartsWith(unit)</c> as an equality on the case's column for the unit's level,
    /// which an index ordered by date serves (a prefix is a range, so an index on it cannot give the date order).
    /// The level is read from the code's length in the national scheme (district 6 digits, street 9, community 12, grid 15);
    /// any other code (a city, 3301) keeps the prefix form. A case's unit columns are its grid's ancestors, so an equality
    /// never reaches outside the unit's subtree.
    /// </summary>
    public static Expression<Func<Case, bool>> Under(string unit) => unit.Length switch
    {
        6 when IsDigits(unit) => c => c.DistrictCode == unit,
        9 when IsDigits(unit) => c => c.StreetCode == unit,
        12 when IsDigits(unit) => c => c.CommunityCode == unit,
        15 when IsDigits(unit) => c => c.GridCode == unit,
        _ => c => c.GridCode.StartsWith(unit),
    };

    private static bool IsDigits(string code) => code.All(char.IsAsciiDigit);

    /// <summary>Whether the code is a district's, street's, community's or grid's in the national scheme (what <see cref="Under"/> turns into an equality).</summary>
    public static bool IsLevelCode(string code) => code.Length is 6 or 9 or 12 or 15 && IsDigits(code);

    /// <summary>The cases one grant lets its holder read.</summary>
    public static IReadOnlyList<Expression<Func<Case, bool>>> VisibleThrough(Grant g)
    {
        var unit = g.UnitCode;
        switch (g.Role)
        {
            case Role.Courier:
                return []; // couriers follow only their own reports
            case Role.DepartmentHandler:
                // As CaseActions.IsHandler: the department's cases inside the grant's unit.
                var department = g.DepartmentCode;
                return department is null ? [] : [And(c => c.DepartmentCode == department, Under(unit))];
            case Role.CommunityOperator:
                // What is sent to the community itself (CaseActions.IsHandler) is among its own cases: dispatch sends a
                // community only its territory's cases (CaseWorkflow). A second branch for it read every such case again.
                return [Under(unit)];
            default:
                return [Under(unit)];
        }
    }

    /// <summary>What one grant puts in its holder's inbox: each branch a state (or a pending request) under a unit.</summary>
    public static IReadOnlyList<Expression<Func<Case, bool>>> InboxThrough(Grant g)
    {
        var unit = g.UnitCode;
        var under = Under(unit);
        var branches = new List<Expression<Func<Case, bool>>>();
        switch (g.Role)
        {
            case Role.CommunityOperator:
            {
                Expression<Func<Case, bool>> owned = c => c.OwningLevel == OwningLevel.Community;
                foreach (var waiting in Waiting()) branches.Add(And(And(under, owned), waiting));
                // What the community handled itself is verified by the grid worker, not by the community (CaseActions.IsVerifier).
                branches.Add(And(under, c => c.State == CaseState.Handled && c.DepartmentCode != unit));
                // A matter the community handles itself: it signs for it and handles it like a department.
                branches.Add(c => c.DepartmentCode == unit && c.State == CaseState.Dispatched);
                branches.Add(c => c.DepartmentCode == unit && c.State == CaseState.InProgress);
                break;
            }
            case Role.StreetDispatcher:
            {
                var platform = g.PlatformCode;
                Expression<Func<Case, bool>> owned = platform is null
                    ? c => c.OwningLevel != OwningLevel.District
                    : c => c.OwningLevel != OwningLevel.District && c.PlatformCode == platform;
                foreach (var waiting in Waiting()) branches.Add(And(And(under, owned), waiting));
                break;
            }
            case Role.DistrictDispatcher:
                foreach (var waiting in Waiting()) branches.Add(And(And(under, c => c.OwningLevel == OwningLevel.District), waiting));
                break;
            case Role.DepartmentHandler:
                if (g.DepartmentCode is not { } department) break;
                branches.Add(And(under, c => c.DepartmentCode == department && c.State == CaseState.Dispatched));
                branches.Add(And(under, c => c.DepartmentCode == department && c.State == CaseState.InProgress));
                break;
            case Role.GridWorker:
                // A report handled on the spot waits for the community, not for grid workers (CaseActions.IsVerifier).
                branches.Add(And(under, c => c.State == CaseState.Handled && !c.SelfHandled));
                break;
            case Role.Leader:
                // Written as the partial index of open supervised cases is (CaseConfiguration), so both databases use it.
                branches.Add(And(under, c => c.Supervised && c.State != CaseState.Closed && c.State != CaseState.Rejected));
                break;
        }
        return branches;
    }

    /// <summary>
    /// What waits for the owning unit's dispatcher: a report to register, a registered case to dispatch, a request for
    /// more time or to suspend. One branch each, so each is read through its own index.
    /// </summary>
    private static IEnumerable<Expression<Func<Case, bool>>> Waiting()
    {
        yield return c => c.State == CaseState.Reported;
        yield return c => c.State == CaseState.Registered;
        yield return c => c.ExtensionRequestedHours != null;
        yield return c => c.SuspensionRequested;
    }

    public static Expression<Func<Case, bool>> And(Expression<Func<Case, bool>> left, Expression<Func<Case, bool>> right)
    {
        var parameter = left.Parameters[0];
        var body = Expression.AndAlso(left.Body, new Rebind(right.Parameters[0], parameter).Visit(right.Body));
        return Expression.Lambda<Func<Case, bool>>(body, parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
