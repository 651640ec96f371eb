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
            query = query.Where(c => states.Contains(c.State));
        }
        if (!string.IsNullOrWhiteSpace(Category)) query = query.Where(c => c.CategoryCode != null && c.CategoryCode.StartsWith(Category));
        if (!string.IsNullOrWhiteSpace(Unit)) query = query.Where(c => c.GridCode.StartsWith(Unit) || c.DepartmentCode == Unit);
        if (Overdue is { } o) query = query.Where(c => c.PhaseOverdue == o);
        if (Supervised is { } sv) query = query.Where(c => c.Supervised == sv);
        // Extended: ever granted more time (the indicators' 延期); suspended: ever suspended (挂账), as the indicators count them.
        if (Extended is { } ex) query = ex ? query.Where(c => c.ExtendedHours > 0) : query.Where(c => c.ExtendedHours == 0);
        if (Suspended is { } su) query = query.Where(c => c.EverSuspended == su);
        if (From is { } f) query = query.Where(c => c.ReportedAt >= f);
        if (To is { } t) query = query.Where(c => c.ReportedAt < t);
        if (!string.IsNullOrWhiteSpace(Q)) query = CaseSearch.Where(query, Q, Search);
        return query;
    }
}
