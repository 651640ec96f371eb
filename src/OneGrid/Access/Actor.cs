namespace OneGrid.Access;

/// <summary>The posts a person can hold (DESIGN §7). Each is granted on a unit and reaches its subtree.</summary>
public enum Role
{
    GridWorker,
    Courier,
    CommunityOperator,
    StreetDispatcher,
    DistrictDispatcher,
    DepartmentHandler,
    Mediator,
    Inspector,
    Leader,
    Admin,
}

/// <summary>
/// One grant: a role on a territory unit (reaching its subtree); a street dispatcher may be limited to
/// one platform; a department handler acts for one department.
/// </summary>
public sealed record Grant(Role Role, string UnitCode, string? PlatformCode = null, string? DepartmentCode = null)
{
    /// <summary>Unit codes nest by prefix (330108 ⊃ 330108001 ⊃ 330108001001 …), so a subtree is a code prefix.</summary>
    public bool Reaches(string unitCode) => unitCode.StartsWith(UnitCode, StringComparison.Ordinal);
}

/// <summary>Who is calling: a signed-in person with grants, a courier by personal code, an API client, or anonymous.</summary>
public sealed record Actor(string? UserId, string? UserName, string? DisplayName, IReadOnlyList<Grant> Grants)
{
    public static Actor Anonymous { get; } = new(null, null, null, []);

    public bool IsAnonymous => UserId is null;

    public bool HasRole(Role role) => Grants.Any(g => g.Role == role);

    public IEnumerable<Grant> GrantsOf(Role role) => Grants.Where(g => g.Role == role);

    /// <summary>Whether any grant of one of the roles reaches the unit.</summary>
    public bool Reaches(string unitCode, params Role[] roles) =>
        Grants.Any(g => roles.Contains(g.Role) && g.Reaches(unitCode));

    /// <summary>A mobile grid worker signed in by personal code; <see cref="UserId"/> is "courier:&lt;id&gt;".</summary>
    public bool IsCourier => UserId?.StartsWith(CourierIdPrefix, StringComparison.Ordinal) == true;

    /// <summary>Another system calling with an API key; <see cref="UserId"/> is "apikey:&lt;id&gt;".</summary>
    public bool IsApiClient => UserId?.StartsWith(ApiKeyIdPrefix, StringComparison.Ordinal) == true;

    /// <summary>The courier's row id when this is a courier, for crediting their reports.</summary>
    public long? CourierId => IsCourier && long.TryParse(UserId.AsSpan(CourierIdPrefix.Length), out var id) ? id : null;

    public const string CourierIdPrefix = "courier:";
    public const string ApiKeyIdPrefix = "apikey:";

    /// <summary>Lets a minimal-API handler take <c>Actor actor</c> as a parameter: the actor of the request.</summary>
    public static ValueTask<Actor?> BindAsync(Microsoft.AspNetCore.Http.HttpContext context) =>
        ValueTask.FromResult<Actor?>(context.RequestServices.GetRequiredService<IActorAccessor>().Current);
}

/// <summary>The actor of the current request (resolved from the cookie, bearer token, courier code or API key).</summary>
public interface IActorAccessor
{
    Actor Current { get; }
}
