using OneGrid.Calendar;
using OneGrid.Territory;

namespace OneGrid.Catalog;

/// <summary>
/// What routing (条抓块统) proposes for a report: the category (given or suggested), its platform and
/// handling department, the owning community/street/district from the grid, the handling limit, and a
/// human-readable explanation of which rule chose the department.
/// </summary>
public sealed record RouteProposal(
    string? CategoryCode,
    string? CategoryName,
    bool CategorySuggested,
    string? PlatformCode,
    string? PlatformName,
    string? DepartmentCode,
    string? DepartmentName,
    string CommunityCode,
    string StreetCode,
    string DistrictCode,
    TimeSpan? HandlingLimit,
    TimeLimitKind LimitKind,
    string Explanation,
    string? ExplanationZh = null,
    string? ExplanationEn = null)
{
    /// <summary>What is stored on the case: the Chinese explanation (the English one beside it).</summary>
    public string StoredExplanation => ExplanationZh ?? Explanation;
}

public interface ICaseRouter
{
    /// <summary>
    /// Proposes a route for a place already resolved to its grid. With no category code, suggests one
    /// from the description (or leaves it empty). Returns null when the category code is unknown.
    /// </summary>
    Task<RouteProposal?> ProposeAsync(string? categoryCode, string description, Resolution place, CancellationToken ct);

    /// <summary>Whether a department (a unit cases can be sent to) exists, for validating a dispatch.</summary>
    Task<bool> DepartmentExistsAsync(string departmentCode, CancellationToken ct);
}
