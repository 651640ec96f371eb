namespace OneGrid.Territory;

/// <summary>The levels of the territory tree, top to bottom (DESIGN §1).</summary>
public enum UnitLevel
{
    City = 0,
    District = 1,
    Street = 2,
    Community = 3,
    Grid = 4,
    Building = 5,
}

public static class UnitLevels
{
    public static string ToWire(this UnitLevel level) => level switch
    {
        UnitLevel.City => "city",
        UnitLevel.District => "district",
        UnitLevel.Street => "street",
        UnitLevel.Community => "community",
        UnitLevel.Grid => "grid",
        UnitLevel.Building => "building",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static bool TryParse(string? text, out UnitLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "city": level = UnitLevel.City; return true;
            case "district": level = UnitLevel.District; return true;
            case "street": level = UnitLevel.Street; return true;
            case "community": level = UnitLevel.Community; return true;
            case "grid": level = UnitLevel.Grid; return true;
            case "building": level = UnitLevel.Building; return true;
            default: level = default; return false;
        }
    }

    /// <summary>The only level a unit of this level may hang under (the tree has no skipped levels).</summary>
    public static UnitLevel? ParentLevel(this UnitLevel level) => level == UnitLevel.City ? null : level - 1;

    public static string ZhName(this UnitLevel level) => level switch
    {
        UnitLevel.City => "市",
        UnitLevel.District => "区县",
        UnitLevel.Street => "街道",
        UnitLevel.Community => "社区",
        UnitLevel.Grid => "网格",
        UnitLevel.Building => "楼栋",
        _ => level.ToString(),
    };
}

/// <summary>
/// One node of the territory tree. Codes follow the national division codes for
/// district/street/community; a grid is its community code + 3 digits (GB/T 30428),
/// a building its grid code + 3 digits.
/// </summary>
public sealed class Unit
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public UnitLevel Level { get; set; }
    public string? ParentCode { get; set; }

    /// <summary>Well-known binary (WGS-84/GCJ-02 lon/lat): polygon or multipolygon for areas, a point for buildings.</summary>
    public byte[]? Boundary { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
