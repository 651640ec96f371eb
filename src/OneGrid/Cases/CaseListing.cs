using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;

namespace OneGrid.Cases;

/// <summary>One page of cases, or the 400 problem naming the bad parameter.</summary>
public sealed record CaseListPage(IReadOnlyList<Case> Items, int Page, int PageSize, int Total, ProblemHttpResult? Problem = null);

/// <summary>
/// Filtering, sorting and paging of case lists: one implementation for GET /cases, GET /inbox and the
/// inbox page, so the API and the UI list the same cases in the same order.
/// </summary>
public static class CaseListing
{
    public static readonly IReadOnlyList<string> Sorts = ["reported", "-reported", "due", "-updated", "number"];

    /// <summary>Orders the query by a sort key; null when the key is not one of <see cref="Sorts"/>.</summary>
    public static IQueryable<Case>? Sort(IQueryable<Case> query, string sort) => sort switch
    {
        "reported" => query.OrderBy(c => c.ReportedAt).ThenBy(c => c.Id),
        "-reported" => query.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id),
        "due" => query.OrderBy(c => c.PhaseDueAt == null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.Id),
        "-updated" => query.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
        "number" => query.OrderBy(c => c.Number),
        _ => null,
    };

    public static async Task<CaseListPage> PageAsync(IQueryable<Case> query, CaseFilter filter, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return new([], p, size, 0, Problems.InvalidField(bad, $"分页参数 {bad} 无效", $"Invalid '{bad}'"));
        if (filter.Apply(query) is not { } filtered) return new([], p, size, 0, filter.Problem!);
        if (Sort(filtered, sort ?? "-reported") is not { } sorted)
        {
            return new([], p, size, 0, Problems.InvalidField("sort", "排序方式应为 reported、-reported、due、-updated 或 number", "sort must be reported, -reported, due, -updated or number"));
        }
        var total = await sorted.CountAsync(ct);
        var items = await sorted.Skip((p - 1) * size).Take(size).ToListAsync(ct);
        return new(items, p, size, total);
    }
}
