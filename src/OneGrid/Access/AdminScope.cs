using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Territory;

namespace OneGrid.Access;

/// <summary>The administrative capabilities, each either city-wide or bounded by the administrator's unit.</summary>
public enum AdminCapability
{
    TerritoryImport,
    Calendar,
    CatalogTypes,
    Platforms,
    DepartmentKinds,
    AuditChain,
    Users,
    ApiKeys,
    Departments,
    RoutingRules,
    Webhooks,
    Audit,
}

public enum AdminReach
{
    /// <summary>Only an administrator whose grant reaches the territory's root may use it.</summary>
    CityWide,

    /// <summary>Any administrator, for what lies in the subtree of their admin grants.</summary>
    Scoped,
}

/// <summary>
/// Who administers what (the table in the README's "People and access"): the endpoints and the /admin pages
/// both decide through here. An admin grant reaches its unit's subtree; an administrator whose grant reaches
/// the territory's root is the city administrator and may use every capability. A scoped capability still
/// needs the row-level check (<see cref="AdministersUnit"/>) in the code that reads or writes the row.
/// </summary>
public static class AdminScope
{
    public static readonly IReadOnlyDictionary<AdminCapability, AdminReach> Table = new Dictionary<AdminCapability, AdminReach>
    {
        // These change every deadline, route or grid in the city, or read the whole audit chain.
        [AdminCapability.TerritoryImport] = AdminReach.CityWide,
        [AdminCapability.Calendar] = AdminReach.CityWide,
        [AdminCapability.CatalogTypes] = AdminReach.CityWide,
        [AdminCapability.Platforms] = AdminReach.CityWide,
        [AdminCapability.DepartmentKinds] = AdminReach.CityWide,
        [AdminCapability.AuditChain] = AdminReach.CityWide,
        // These are about units, so each administrator manages those of its subtree.
        [AdminCapability.Users] = AdminReach.Scoped,
        [AdminCapability.ApiKeys] = AdminReach.Scoped,
        [AdminCapability.Departments] = AdminReach.Scoped,
        [AdminCapability.RoutingRules] = AdminReach.Scoped,
        [AdminCapability.Webhooks] = AdminReach.Scoped,
        [AdminCapability.Audit] = AdminReach.Scoped,
    };

    public static bool IsAdmin(this Actor actor) => actor.HasRole(Role.Admin);

    /// <summary>The units of the actor's admin grants (each reaching its subtree).</summary>
    public static IReadOnlyList<string> AdminUnits(this Actor actor) => actor.GrantsOf(Role.Admin).Select(g => g.UnitCode).Distinct().ToList();

    /// <summary>Whether one of the actor's admin grants reaches the unit.</summary>
    public static bool AdministersUnit(this Actor actor, string unitCode) => actor.Reaches(unitCode, Role.Admin);

    /// <summary>
    /// Whether the actor is a city administrator: an admin grant on a root of the territory tree (a unit without
    /// parent, the city) or above it. Importing a second city adds a second root without demoting the first city's
    /// administrator; only a city administrator can give a grant on a root, and only on its own. Before any
    /// territory is imported there is nothing to bound an administrator by, so every administrator is one.
    /// </summary>
    public static bool IsCityAdmin(this Actor actor, IReadOnlyList<string> rootCodes) =>
        actor.IsAdmin() && (rootCodes.Count == 0 || rootCodes.Any(actor.AdministersUnit));

    public static bool IsCityAdmin(this Actor actor, TerritoryIndex territory) => actor.IsCityAdmin(territory.RootCodes);

    /// <summary>Whether the actor may use the capability at all (rows are checked where they are read or written).</summary>
    public static bool May(this Actor actor, AdminCapability capability, TerritoryIndex territory) =>
        Table[capability] == AdminReach.CityWide ? actor.IsCityAdmin(territory) : actor.IsAdmin();

    /// <summary>
    /// Whether the actor may grant the role on the unit: an administrator gives any role (admin included) on a
    /// unit of its subtree, its own unit included, so nobody can grant beyond what they administer; others give nothing.
    /// </summary>
    public static bool MayGive(this Actor actor, Role role, string unitCode) => role != Role.Courier && actor.AdministersUnit(unitCode);

    /// <summary>Whether every one of the grants lies in the actor's subtree (it could have given them all).</summary>
    public static bool AdministersAll(this Actor actor, IEnumerable<GrantRow> grants)
    {
        var any = false;
        foreach (var g in grants)
        {
            if (!actor.AdministersUnit(g.UnitCode)) return false;
            any = true;
        }
        return any;
    }

    /// <summary>
    /// Whether the actor manages an account or API key with these grants: the city administrator manages all;
    /// another administrator those whose every grant lies in its subtree (so it cannot unlock, re-grant or revoke
    /// someone who also works elsewhere). An account without grants is the city administrator's.
    /// </summary>
    public static bool ManagesHolderOf(this Actor actor, IEnumerable<GrantRow> grants, TerritoryIndex territory) =>
        actor.IsCityAdmin(territory) || actor.AdministersAll(grants);

    /// <summary>The accounts <see cref="ManagesHolderOf"/> allows, as a database query.</summary>
    public static IQueryable<OneGridUser> ManagedBy(this IQueryable<OneGridUser> users, Actor actor, TerritoryIndex territory) =>
        actor.IsCityAdmin(territory) ? users : WithEveryGrantInScope<OneGridUser, UserGrant>(users, actor);

    /// <summary>The API keys <see cref="ManagesHolderOf"/> allows, as a database query.</summary>
    public static IQueryable<ApiKey> ManagedBy(this IQueryable<ApiKey> keys, Actor actor, TerritoryIndex territory) =>
        actor.IsCityAdmin(territory) ? keys : WithEveryGrantInScope<ApiKey, ApiKeyGrant>(keys, actor);

    // holder => holder.Grants.Any() && holder.Grants.All(g => g.UnitCode.StartsWith(a1) || g.UnitCode.StartsWith(a2) …)
    private static IQueryable<THolder> WithEveryGrantInScope<THolder, TGrant>(IQueryable<THolder> rows, Actor actor) where TGrant : GrantRow
    {
        var g = Expression.Parameter(typeof(TGrant), "g");
        var unit = Expression.Property(g, nameof(GrantRow.UnitCode));
        var startsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
        Expression inScope = Expression.Constant(false);
        foreach (var code in actor.AdminUnits()) inScope = Expression.OrElse(inScope, Expression.Call(unit, startsWith, Expression.Constant(code)));
        var holder = Expression.Parameter(typeof(THolder), "h");
        var grants = Expression.Property(holder, "Grants");
        var any = Expression.Call(typeof(Enumerable), nameof(Enumerable.Any), [typeof(TGrant)], grants);
        var all = Expression.Call(typeof(Enumerable), nameof(Enumerable.All), [typeof(TGrant)], grants, Expression.Lambda<Func<TGrant, bool>>(inScope, g));
        return rows.Where(Expression.Lambda<Func<THolder, bool>>(Expression.AndAlso(any, all), holder));
    }

    /// <summary>
    /// The audit entries the actor may read: all for the city administrator; for another administrator those
    /// made by the accounts and API keys it manages (itself included), i.e. by the people of its subtree.
    /// Entries of residents, couriers and staff above the subtree are the city administrator's to read.
    /// </summary>
    public static async Task<IQueryable<AuditEntry>> AuditVisibleToAsync(IQueryable<AuditEntry> entries, Actor actor, TerritoryIndex territory,
        Persistence.OneGridDbContext db, CancellationToken ct)
    {
        if (actor.IsCityAdmin(territory)) return entries;
        var users = db.Users.AsNoTracking().ManagedBy(actor, territory).Select(u => u.Id);
        var keys = (await db.ApiKeys.AsNoTracking().ManagedBy(actor, territory).Select(k => k.Id).ToListAsync(ct))
            .Select(id => Actor.ApiKeyIdPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var self = actor.UserId;
        return entries.Where(e => e.ActorId != null && (users.Contains(e.ActorId) || keys.Contains(e.ActorId) || e.ActorId == self));
    }

    /// <summary>The endpoint needs the capability: 401 anonymous, 403 when the actor is no administrator or not a city-wide one.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder, AdminCapability capability)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var services = context.HttpContext.RequestServices;
            var actor = services.GetRequiredService<IActorAccessor>().Current;
            if (actor.IsAnonymous) return AccessProblems.SignInRequired();
            if (!actor.May(capability, services.GetRequiredService<TerritoryIndexHolder>().Current))
            {
                return Table[capability] == AdminReach.CityWide && actor.IsAdmin() ? CityWideOnly() : AccessProblems.Forbidden();
            }
            return await next(context);
        });
        return builder;
    }

    /// <summary>403 for a scoped administrator trying a city-wide capability.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult CityWideOnly() =>
        AccessProblems.Forbidden(Text.Pick("此操作影响全市，只有授权在辖区根单元上的管理员可以执行。",
            "This affects the whole territory: only an administrator granted on its root unit may do it."));

    /// <summary>403 for a unit outside the administrator's subtree.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult OutsideScope(string unitCode) =>
        AccessProblems.Forbidden(Text.Pick($"您的管理员授权不包括单元 {unitCode}。", $"Your administrator grants do not reach unit {unitCode}."));
}
