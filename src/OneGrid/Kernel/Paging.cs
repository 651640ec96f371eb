namespace OneGrid.Kernel;

/// <summary>One page of a list endpoint.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, [property: System.Text.Json.Serialization.JsonPropertyName("page")] int PageNumber, int PageSize, int Total);

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Validates page/pageSize query values; returns an error message pair or null.</summary>
    public static (int Page, int PageSize, string? Field) Normalize(int? page, int? pageSize)
    {
        var p = page ?? 1;
        var s = pageSize ?? DefaultPageSize;
        if (p < 1) return (p, s, "page");
        if (s < 1 || s > MaxPageSize) return (p, s, "pageSize");
        return (p, s, null);
    }
}
