using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;

namespace OneGrid.Catalog;

/// <summary>Departments and platforms for grant checks, read from the tables (not the cache) on the caller's context, so a
/// department created a moment ago on another node can be granted at once.</summary>
internal sealed class CatalogGrantTargets : IGrantTargets
{
    public Task<string?> UnitServedByAsync(OneGridDbContext db, string departmentCode, CancellationToken ct) =>
        db.Set<Department>().AsNoTracking().Where(d => d.Code == departmentCode).Select(d => d.UnitCode).FirstOrDefaultAsync(ct);

    public Task<bool> PlatformExistsAsync(OneGridDbContext db, string platformCode, CancellationToken ct) =>
        db.Set<Platform>().AnyAsync(p => p.Code == platformCode, ct);
}
