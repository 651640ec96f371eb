using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>
/// What a grant can name besides its unit — the department a handler works for, the platform a dispatcher sits on —
/// as the catalog knows it. The catalog builds on Access (its administration is scoped by grants), so Access asks
/// through this and the catalog answers; Access itself never reads the catalog's tables.
/// </summary>
public interface IGrantTargets
{
    /// <summary>The code of the unit the department serves, or null when there is no such department.</summary>
    Task<string?> UnitServedByAsync(OneGridDbContext db, string departmentCode, CancellationToken ct);

    Task<bool> PlatformExistsAsync(OneGridDbContext db, string platformCode, CancellationToken ct);
}
