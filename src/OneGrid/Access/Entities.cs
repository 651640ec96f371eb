using Microsoft.AspNetCore.Identity;

namespace OneGrid.Access;

/// <summary>A person's account. Roles are not Identity roles but <see cref="UserGrant"/>s on territory units.</summary>
public sealed class OneGridUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<UserGrant> Grants { get; set; } = [];
}

/// <summary>The columns a grant row has, for users and API keys alike.</summary>
public abstract class GrantRow
{
    public long Id { get; set; }
    public Role Role { get; set; }
    public string UnitCode { get; set; } = "";
    public string? PlatformCode { get; set; }
    public string? DepartmentCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Grant ToGrant() => new(Role, UnitCode, PlatformCode, DepartmentCode);
}

public sealed class UserGrant : GrantRow
{
    public string UserId { get; set; } = "";
}

public sealed class ApiKeyGrant : GrantRow
{
    public long ApiKeyId { get; set; }
}

/// <summary>
/// A mobile grid worker (流动网格员): a courier or rider who reports with a personal code. The code
/// carries <see cref="CodeVersion"/>; bumping it (re-issue) or revoking kills every earlier code.
/// </summary>
public sealed class Courier
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";
    public string? Company { get; set; }
    public string? Station { get; set; }

    /// <summary>Comma-separated street codes, so the column is the same on both providers.</summary>
    public string StreetCodes { get; set; } = "";

    public int CreditPoints { get; set; }
    public bool Revoked { get; set; }
    public int CodeVersion { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }

    public IReadOnlyList<string> Streets =>
        StreetCodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string ActorId => Actor.CourierIdPrefix + Id;
}

/// <summary>A key another system calls the API with. Only its SHA-256 hash is stored; the key is shown once.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary>The public part of the key, used to find the row without scanning hashes.</summary>
    public string Prefix { get; set; } = "";

    public byte[] Hash { get; set; } = [];
    public bool Revoked { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>
    /// Only the demo key has this: the key itself, encrypted with Data Protection, so the demo listing can
    /// show it. Real keys never store anything but the hash.
    /// </summary>
    public string? DemoSecret { get; set; }

    public List<ApiKeyGrant> Grants { get; set; } = [];

    public string ActorId => Actor.ApiKeyIdPrefix + Id;
}

/// <summary>
/// A signed-in session (the id every bearer token, refresh token and cookie of one sign-in carries) that has
/// ended: signed out, or its refresh token used once already. Kept until every token of the session has expired.
/// </summary>
public sealed class EndedSession
{
    public required string SessionId { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
