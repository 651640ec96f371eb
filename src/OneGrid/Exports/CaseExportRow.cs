using OneGrid.Cases;

namespace OneGrid.Exports;

/// <summary>One exported case: what a report to a leader or another system needs, no personal data.</summary>
public sealed record CaseExportRow(
    string Number, string State, string StateName, string? CategoryCode, string Description, string? Address,
    double Lon, double Lat, string DistrictCode, string StreetCode, string CommunityCode, string GridCode,
    string OwningLevel, string? DepartmentCode, bool Supervised, bool Overdue, bool EverOverdue,
    DateTimeOffset ReportedAt, DateTimeOffset? RegisteredAt, DateTimeOffset? DispatchedAt, DateTimeOffset? HandledAt,
    DateTimeOffset? ClosedAt, int ReworkCount, int? Satisfaction)
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static readonly string[] HeadersZh =
    [
        "编号", "状态", "状态名称", "类别", "描述", "地址", "经度", "纬度", "区县", "街道", "社区", "网格", "责任层级", "处置部门",
        "督办", "超时", "曾超时", "上报时间", "立案时间", "派遣时间", "处置时间", "结案时间", "返工次数", "满意度",
    ];

    public static CaseExportRow From(Case c) => new(
        c.Number, c.State.ToString(), CaseService.StateZh(c.State), c.CategoryCode, c.Description, c.Address, c.Lon, c.Lat,
        c.DistrictCode, c.StreetCode, c.CommunityCode, c.GridCode, c.OwningLevel.ToString(), c.DepartmentCode,
        c.Supervised, c.PhaseOverdue, c.EverOverdue, c.ReportedAt.ToOffset(China), c.RegisteredAt?.ToOffset(China),
        c.DispatchedAt?.ToOffset(China), c.HandledAt?.ToOffset(China), c.ClosedAt?.ToOffset(China), c.ReworkCount, c.Satisfaction);

    /// <summary>The row as cell values in the order of <see cref="HeadersZh"/>.</summary>
    public object?[] Values() =>
    [
        Number, State, StateName, CategoryCode, Description, Address, Lon, Lat, DistrictCode, StreetCode, CommunityCode, GridCode,
        OwningLevel, DepartmentCode, Supervised, Overdue, EverOverdue, ReportedAt, RegisteredAt, DispatchedAt, HandledAt, ClosedAt,
        ReworkCount, Satisfaction,
    ];
}
