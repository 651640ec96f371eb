namespace OneGrid.Access;

/// <summary>The wire names of <see cref="Role"/> (kebab-case, as in the API and the demo listing).</summary>
public static class Roles
{
    public static readonly IReadOnlyList<Role> All = Enum.GetValues<Role>();

    public static string ToWire(this Role role) => role switch
    {
        Role.GridWorker => "grid-worker",
        Role.Courier => "courier",
        Role.CommunityOperator => "community-operator",
        Role.StreetDispatcher => "street-dispatcher",
        Role.DistrictDispatcher => "district-dispatcher",
        Role.DepartmentHandler => "department-handler",
        Role.Mediator => "mediator",
        Role.Inspector => "inspector",
        Role.Leader => "leader",
        Role.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? text, out Role role)
    {
        foreach (var r in All)
        {
            if (string.Equals(r.ToWire(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                role = r;
                return true;
            }
        }
        role = default;
        return false;
    }

    public static string ZhName(this Role role) => role switch
    {
        Role.GridWorker => "网格员",
        Role.Courier => "流动网格员",
        Role.CommunityOperator => "社区受理员",
        Role.StreetDispatcher => "街道派遣员",
        Role.DistrictDispatcher => "区社会治理中心派遣员",
        Role.DepartmentHandler => "职能部门处置员",
        Role.Mediator => "调解员",
        Role.Inspector => "检查员",
        Role.Leader => "领导",
        Role.Admin => "管理员",
        _ => role.ToString(),
    };

    /// <summary>The roles that register, dispatch and enrol couriers for a territory.</summary>
    public static readonly Role[] Operators = [Role.CommunityOperator, Role.StreetDispatcher, Role.DistrictDispatcher, Role.Admin];
}
