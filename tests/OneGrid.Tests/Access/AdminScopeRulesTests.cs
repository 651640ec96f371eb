using OneGrid.Access;

namespace OneGrid.Tests.Access;

/// <summary>AdminScope's rules on their own: who is a city administrator, what an administrator may give and manage.</summary>
public sealed class AdminScopeRulesTests
{
    private static Actor AdminOn(params string[] units) => new("u", "a", "a", units.Select(u => new Grant(Role.Admin, u)).ToList());

    [Fact]
    public void A_city_administrator_is_granted_on_a_root_and_stays_one_when_another_city_is_imported()
    {
        Assert.True(AdminOn("3301").IsCityAdmin(["3301"]));
        Assert.True(AdminOn("3301").IsCityAdmin(["3301", "9902"]));
        Assert.False(AdminOn("330108").IsCityAdmin(["3301"]));
        Assert.False(AdminOn("330108002").IsCityAdmin(["3301", "9902"]));
        Assert.False(new Actor("u", "l", "l", [new Grant(Role.Leader, "3301")]).IsCityAdmin(["3301"]));
        // Nothing imported yet: nothing to bound an administrator by.
        Assert.True(AdminOn("330108").IsCityAdmin([]));
    }

    [Fact]
    public void An_administrator_gives_any_role_but_the_courier_inside_its_subtree_only()
    {
        var street = AdminOn("330108002");
        Assert.True(street.MayGive(Role.Admin, "330108002"));
        Assert.True(street.MayGive(Role.DepartmentHandler, "330108002001"));
        Assert.False(street.MayGive(Role.GridWorker, "330108001001"));
        Assert.False(street.MayGive(Role.Admin, "330108"));
        Assert.False(street.MayGive(Role.Courier, "330108002"));
        Assert.False(new Actor("u", "d", "d", [new Grant(Role.DistrictDispatcher, "330108")]).MayGive(Role.GridWorker, "330108001"));
    }

    [Fact]
    public void An_administrator_manages_the_holder_of_grants_only_when_every_grant_is_in_its_subtree()
    {
        var street = AdminOn("330108002");
        UserGrant On(string unit) => new() { Role = Role.GridWorker, UnitCode = unit };
        Assert.True(street.AdministersAll([On("330108002"), On("330108002003")]));
        Assert.False(street.AdministersAll([On("330108002"), On("330108")]));
        Assert.False(street.AdministersAll([]));
        Assert.True(AdminOn("330108001", "330108002").AdministersAll([On("330108001001"), On("330108002")]));
    }
}
