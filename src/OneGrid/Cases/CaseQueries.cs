using System.Linq.Expressions;
using OneGrid.Access;

namespace OneGrid.Cases;

/// <summary>
/// Scope is enforced in the query, not in the page: a list never contains what the caller may not read.
/// The same rules as <see cref="CaseActions.CanRead"/>, expressed for the database.
/// </summary>
public static class CaseQueries
{
    public static IQueryable<Case> VisibleTo(this IQueryable<Case> cases, Actor actor)
    {
        Expression<Func<Case, bool>>? visible = null;
        if (actor.UserId is { } me) visible = Or(visible, c => c.ReporterId == me);
        foreach (var g in actor.Grants)
        {
            if (g.Role == Role.Courier) continue; // couriers follow only their own reports
            if (g.Role == Role.DepartmentHandler)
            {
                // As CaseActions.IsHandler: the department's cases inside the grant's unit.
                var department = g.DepartmentCode;
                var area = g.UnitCode;
                if (department is not null) visible = Or(visible, c => c.DepartmentCode == department && c.GridCode.StartsWith(area));
                continue;
            }
            var unit = g.UnitCode;
            visible = Or(visible, c => c.GridCode.StartsWith(unit));
            // As CaseActions.IsHandler: a community operator handles what is sent to the community itself.
            if (g.Role == Role.CommunityOperator) visible = Or(visible, c => c.DepartmentCode == unit);
        }
        return visible is null ? cases.Where(_ => false) : cases.Where(visible);
    }

    /// <summary>Cases waiting for this actor to act: the owner's queue, the department's queue, the verifier's queue.</summary>
    public static IQueryable<Case> InboxOf(this IQueryable<Case> cases, Actor actor)
    {
        Expression<Func<Case, bool>>? mine = null;
        foreach (var g in actor.Grants)
        {
            var unit = g.UnitCode;
            switch (g.Role)
            {
                case Role.CommunityOperator:
                    // What the community handled itself is verified by the grid worker, not by the community (CaseActions.IsVerifier).
                    mine = Or(mine, c => c.GridCode.StartsWith(unit) && (
                        (c.OwningLevel == OwningLevel.Community && (c.State == CaseState.Reported || c.State == CaseState.Registered)) ||
                        (c.State == CaseState.Handled && c.DepartmentCode != unit)));
                    // A matter the community handles itself: it signs for it and handles it like a department.
                    mine = Or(mine, c => c.DepartmentCode == unit && (c.State == CaseState.Dispatched || c.State == CaseState.InProgress));
                    break;
                case Role.StreetDispatcher:
                    var platform = g.PlatformCode;
                    mine = Or(mine, c => c.StreetCode.StartsWith(unit) && c.OwningLevel != OwningLevel.District &&
                        (c.State == CaseState.Reported || c.State == CaseState.Registered) && (platform == null || c.PlatformCode == platform));
                    break;
                case Role.DistrictDispatcher:
                    mine = Or(mine, c => c.DistrictCode.StartsWith(unit) && c.OwningLevel == OwningLevel.District &&
                        (c.State == CaseState.Reported || c.State == CaseState.Registered));
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
        return mine is null ? cases.Where(_ => false) : cases.Where(mine);
    }

    private static Expression<Func<Case, bool>> Or(Expression<Func<Case, bool>>? left, Expression<Func<Case, bool>> right)
    {
        if (left is null) return right;
        var parameter = left.Parameters[0];
        var body = Expression.OrElse(left.Body, new Rebind(right.Parameters[0], parameter).Visit(right.Body));
        return Expression.Lambda<Func<Case, bool>>(body, parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
