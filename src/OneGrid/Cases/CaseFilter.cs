using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>The filters of the case list, shared by the list, the inbox and the exports so they select the same cases.</summary>
public sealed record CaseFilter(
    string? State = null, string? Category = null, string? Unit = null, bool? Overdue = null, bool? Supervised = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Q = null, bool? Extended = null, bool? Suspended = null)
{
    /// <summary>Set when <see cref="Apply"/> returns null: the 400 problem naming the bad field.</summary>
    public ProblemHttpResult? Problem { get; private set; }

    /// <summary>How <see cref="Q"/> is answered (<see cref="CaseSearch"/>); set by <see cref="PrepareSearchAsync"/>.</summary>
    public CaseSearchPlan? Search { get; private set; }

    /// <summary>
    /// This filter with its text search planned: call it before <see cref="Apply"/> when <see cref="Q"/> may be set, or the
    /// search checks every row the list walks instead of reading the text index.
    /// </summary>
    public async Task<CaseFilter> PrepareSearchAsync(OneGridDbContext db, CancellationToken ct)
    {
        var prepared = this with { };
        prepared.Search = await CaseSearch.PlanAsync(db, Q, ct);
        return prepared;
    }

    public IQueryable<Case>? Apply(IQueryable<Case> query)
    {
        if (State is not null)
        {
            var states = new List<CaseState>();
            foreach (var s in State.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<CaseState>(s, ignoreCase: true, out var parsed) || int.TryParse(s, out _))
                {
                    Problem = Problems.InvalidField("state", $"状态 {s} 无效", $"Unknown state '{s}'");
                    return null;
                }
                states.Add(parsed);
            }
            query = query.Where(StateIn(states));
        }
        if (!string.IsNullOrWhiteSpace(Category))
        {
            // A type (4–8 digits) is one code, a class (2 digits) the prefix of its types: equality lets the
            // (unit, category, date) indexes serve a type, which a prefix (LIKE) cannot.
            var category = Category.Trim();
            query = category.Length >= 4
                ? query.Where(c => c.CategoryCode == category)
                : query.Where(c => c.CategoryCode != null && c.CategoryCode.StartsWith(category));
        }
        if (!string.IsNullOrWhiteSpace(Unit)) query = query.Where(UnitFilter(Unit.Trim()));
        // The flags are written as constants, never as a parameter: the partial indexes of flagged cases
        // (CaseConfiguration) are used only when the query states their condition itself.
        if (Overdue is { } o) query = o ? query.Where(c => c.PhaseOverdue) : query.Where(c => !c.PhaseOverdue);
        if (Supervised is { } sv) query = sv ? query.Where(c => c.Supervised) : query.Where(c => !c.Supervised);
        // Extended: ever granted more time (the indicators' 延期); suspended: ever suspended (挂账), as the indicators count them.
        if (Extended is { } ex) query = ex ? query.Where(c => c.ExtendedHours > 0) : query.Where(c => c.ExtendedHours == 0);
        if (Suspended is { } su) query = su ? query.Where(c => c.EverSuspended) : query.Where(c => !c.EverSuspended);
        if (From is { } f) query = query.Where(c => c.ReportedAt >= f);
        if (To is { } t) query = query.Where(c => c.ReportedAt < t);
        if (!string.IsNullOrWhiteSpace(Q)) query = CaseSearch.Where(query, Q, Search);
        return query;
    }

    /// <summary>
    /// A unit of the territory: its cases, as the equality on its level's column the (unit, …, date) indexes serve. The cases
    /// a community handles as a department are among them — dispatch sends a community only its own territory's cases
    /// (CaseWorkflow) — so no <c>OR DepartmentCode</c> term, which no index serves, is needed. Anything else (a department's
    /// code, a city prefix): what is under it or sent to it.
    /// </summary>
    private static Expression<Func<Case, bool>> UnitFilter(string unit) =>
        CaseQueries.IsLevelCode(unit) ? CaseQueries.Under(unit) : c => c.GridCode.StartsWith(unit) || c.DepartmentCode == unit;

    /// <summary>
    /// The states as literals (<c>State = 'Closed'</c>), not a parameter list: a single state is then an equality the
    /// (unit, state, date) indexes serve on both databases.
    /// </summary>
    private static Expression<Func<Case, bool>> StateIn(IReadOnlyList<CaseState> states)
    {
        var c = Expression.Parameter(typeof(Case), "c");
        var state = Expression.Property(c, nameof(Case.State));
        Expression? any = null;
        foreach (var s in states.Distinct())
        {
            var equal = Expression.Equal(state, Expression.Constant(s));
            any = any is null ? equal : Expression.OrElse(any, equal);
        }
        return Expression.Lambda<Func<Case, bool>>(any ?? Expression.Constant(false), c);
    }
}
