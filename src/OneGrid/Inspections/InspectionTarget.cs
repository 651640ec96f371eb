namespace OneGrid.Inspections;

/// <summary>
/// Something inspected on a schedule (检查对象): a commercial gas user, a restaurant, a rental house, one of the nine small
/// places. Placed by its point, resolved to a grid when imported, so plans and lists scope it as cases are scoped.
/// </summary>
public sealed class InspectionTarget
{
    public long Id { get; set; }

    /// <summary>The owner's own identifier (the gas company's customer number): re-importing updates by it.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string KindCode { get; set; }
    public string? Address { get; set; }
    public double Lon { get; set; }
    public double Lat { get; set; }
    public required string GridCode { get; set; }
    public required string CommunityCode { get; set; }
    public required string StreetCode { get; set; }
    public required string DistrictCode { get; set; }

    /// <summary>The responsible person, to whom rectification orders go; masked like a reporter's contact.</summary>
    public string? ContactName { get; set; }
    public string? ContactPhone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A kind of target: data, seeded, editable later like the dispute types.</summary>
public sealed class TargetKind
{
    public required string Code { get; set; }
    public required string NameZh { get; set; }
    public string? NameEn { get; set; }
    public int Sort { get; set; }
    public bool Active { get; set; } = true;

    public string Name => Kernel.Text.Pick(NameZh, NameEn ?? NameZh);

    public static readonly IReadOnlyList<TargetKind> Seed =
    [
        new() { Code = "gas-user", NameZh = "燃气用户", NameEn = "Commercial gas user", Sort = 10 },
        new() { Code = "restaurant", NameZh = "餐饮", NameEn = "Restaurant", Sort = 20 },
        new() { Code = "rental", NameZh = "出租房", NameEn = "Rental housing", Sort = 30 },
        new() { Code = "small-venue", NameZh = "九小场所", NameEn = "Small venue (nine kinds)", Sort = 40 },
    ];
}
