using System.Linq.Expressions;
using OneGrid.Access;

namespace OneGrid.Workflows;

/// <summary>
/// Scope and inbox in the query, for every workflow: an actor's predicate is the union of what each of their grants
/// gives (<see cref="WorkflowDefinition{T,TState}.Visible"/>, <see cref="WorkflowDefinition{T,TState}.Inbox"/>), so a list
/// never contains what the caller may not read and an inbox holds exactly what waits for them.
/// </summary>
public static class WorkflowQueries
{
    public static IQueryable<T> VisibleTo<T, TState>(this IQueryable<T> items, WorkflowDefinition<T, TState> definition, Actor actor)
        where T : class, IWorkflowItem<TState> where TState : struct, Enum =>
        items.WhereAny(actor, definition.Visible, definition.Own);

    public static IQueryable<T> InboxOf<T, TState>(this IQueryable<T> items, WorkflowDefinition<T, TState> definition, Actor actor)
        where T : class, IWorkflowItem<TState> where TState : struct, Enum =>
        items.WhereAny(actor, definition.Inbox, null);

    /// <summary>The items any of the actor's grants (or the actor as the one who raised them) selects; none when nothing does.</summary>
    public static IQueryable<T> WhereAny<T>(this IQueryable<T> items, Actor actor, Func<Grant, Expression<Func<T, bool>>?> perGrant,
        Func<string, Expression<Func<T, bool>>?>? own)
    {
        Expression<Func<T, bool>>? any = null;
        if (own is not null && actor.UserId is { } me && own(me) is { } mine) any = mine;
        foreach (var g in actor.Grants)
        {
            if (perGrant(g) is { } part) any = Or(any, part);
        }
        return any is null ? items.Where(_ => false) : items.Where(any);
    }

    public static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>>? left, Expression<Func<T, bool>> right)
    {
        if (left is null) return right;
        var parameter = left.Parameters[0];
        var body = Expression.OrElse(left.Body, new Rebind(right.Parameters[0], parameter).Visit(right.Body));
        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
