using System.Linq.Expressions;
using OneGrid.Access;
using OneGrid.Workflows;

namespace OneGrid.Cases;

/// <summary>
/// Scope is enforced in the query, not in the page: a list never contains what the caller may not read.
/// The same rules as <see cref="CaseActions.CanRead"/>, expressed for the database.
/// </summary>
public static class CaseQueries
{
    public static IQueryable<Case> VisibleTo(this IQueryable<Case> cases, Actor actor) =>
        cases.WhereAny(actor, VisibleThrough, me => c => c.ReporterId == me);

    /// <summary>
    /// Cases waiting for this actor to act: the owner's queue (with the extensions and suspensions it must decide), the
    /// department's queue, the verifier's queue.
    /// </summary>
    public static IQueryable<Case> InboxOf(this IQueryable<Case> cases, Actor actor) => cases.WhereAny(actor, InboxThrough, null);

    /// <summary>The cases one grant lets its holder read.</summary>
    public static Expression<Func<Case, bool>>? VisibleThrough(Grant g)
    {
        var unit = g.UnitCode;
        switch (g.Role)
        {
            case Role.Courier:
                return null; // couriers follow only their own reports
            case Role.DepartmentHandler:
                // As CaseActions.IsHandler: the department's cases inside the grant's unit.
                var department = g.DepartmentCode;
                return department is null ? null : c => c.DepartmentCode == department && c.GridCode.StartsWith(unit);
            case Role.CommunityOperator:
                // As CaseActions.IsHandler: a community operator handles what is sent to the community itself.
                return c => c.GridCode.StartsWith(unit) || c.DepartmentCode == unit;
            default:
                return c => c.GridCode.StartsWith(unit);
        }
    }

    /// <summary>What one grant puts in its holder's inbox.</summary>
    public static Expression<Func<Case, bool>>? InboxThrough(Grant g)
    {
        Expression<Func<Case, bool>>? mine = null;
        {
            var unit = g.UnitCode;
            switch (g.Role)
            {
                case Role.CommunityOperator:
                    // What the community handled itself is verified by the grid worker, not by the community (CaseActions.IsVerifier).
                    mine = Or(mine, c => c.GridCode.StartsWith(unit) && (
                        (c.OwningLevel == OwningLevel.Community && (c.State == CaseState.Reported || c.State == CaseState.Registered || c.ExtensionRequestedHours != null || c.SuspensionRequested)) ||
                        (c.State == CaseState.Handled && c.DepartmentCode != unit)));
                    // A matter the community handles itself: it signs for it and handles it like a department.
                    mine = Or(mine, c => c.DepartmentCode == unit && (c.State == CaseState.Dispatched || c.State == CaseState.InProgress));
                    break;
                case Role.StreetDispatcher:
                    var platform = g.PlatformCode;
                    mine = Or(mine, c => c.StreetCode.StartsWith(unit) && c.OwningLevel != OwningLevel.District &&
                        (c.State == CaseState.Reported || c.State == CaseState.Registered || c.ExtensionRequestedHours != null || c.SuspensionRequested) &&
                        (platform == null || c.PlatformCode == platform));
                    break;
                case Role.DistrictDispatcher:
                    mine = Or(mine, c => c.DistrictCode.StartsWith(unit) && c.OwningLevel == OwningLevel.District &&
                        (c.State == CaseState.Reported || c.State == CaseState.Registered || c.ExtensionRequestedHours != null || c.SuspensionRequested));
                    break;
                case Role.DepartmentHandler:
                    var department = g.DepartmentCode;
                    mine = Or(mine, c => c.DepartmentCode == department && c.GridCode.StartsWith(unit) &&
                        (c.State == CaseState.Dispatched || c.State == CaseState.InProgress));
                    break;
                case Role.GridWorker:
                    // A report handled on the spot waits for the community, not for grid workers (CaseActions.IsVerifier).
                    mine = Or(mine, c => c.GridCode.StartsWith(unit) && c.State == CaseState.Handled && !c.SelfHandled);
                    break;
                case Role.Leader:
                    mine = Or(mine, c => c.GridCode.StartsWith(unit) && c.Supervised && c.State != CaseState.Closed && c.State != CaseState.Rejected);
                    break;
            }
        }
        return mine;
    }

    private static Expression<Func<Case, bool>> Or(Expression<Func<Case, bool>>? left, Expression<Func<Case, bool>> right) => WorkflowQueries.Or(left, right);
}
