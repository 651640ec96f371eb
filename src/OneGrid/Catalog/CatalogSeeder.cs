using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Catalog;

/// <summary>
/// Seeds the default catalog into an empty database, and in demo mode Binjiang's departments and its
/// one street-level routing rule; then warms the catalog cache. Idempotent, and safe when several
/// nodes start at once (the loser of the insert race finds the data there and carries on).
/// </summary>
internal sealed class CatalogSeeder : IStartupTask
{
    // After the territory (which the demo departments serve), before modules that route cases.
    public int Order => 100;

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<CatalogSeeder>>();
        var defaults = DefaultCatalog.Load();

        // Any catalog row means an administrator owns the catalog now: never re-seed over their edits.
        await SeedOnceAsync(db, async () => await db.Set<Platform>().AnyAsync(ct) || await db.Set<CategoryClass>().AnyAsync(ct)
            || await db.Set<DepartmentKind>().AnyAsync(ct), async () =>
        {
            var now = time.GetUtcNow();
            db.AddRange(defaults.ToPlatforms(now));
            db.AddRange(defaults.ToDepartmentKinds(now));
            db.AddRange(defaults.ToClasses(now));
            db.AddRange(defaults.ToTypes(now));
            await db.SaveChangesAsync(ct);
            await CatalogRevision.BumpAsync(db, now, ct);
            logger.LogInformation("Default catalog loaded: {Types} categories", defaults.Classes.Sum(c => c.Types.Count));
        }, ct);

        if (settings.Demo)
        {
            await SeedOnceAsync(db, () => db.Set<Department>().AnyAsync(d => d.UnitCode.StartsWith(DemoTerritory.DistrictCode), ct), async () =>
            {
                var now = time.GetUtcNow();
                var kinds = await db.Set<DepartmentKind>().Select(k => k.Code).ToListAsync(ct);
                var platforms = await db.Set<Platform>().Select(p => p.Code).ToListAsync(ct);
                // An administrator may have edited the catalog before turning demo mode on: seed only what fits it.
                var departments = DemoCatalog.Departments(defaults, now)
                    .Where(d => kinds.Contains(d.Kind) && (d.PlatformCode is null || platforms.Contains(d.PlatformCode)))
                    .ToList();
                db.AddRange(departments);
                await db.SaveChangesAsync(ct);
                if (departments.Any(d => d.Code == DemoCatalog.ChangheEnforcementTeam))
                {
                    db.AddRange(DemoCatalog.Rules(now));
                    await db.SaveChangesAsync(ct);
                }
                await CatalogRevision.BumpAsync(db, now, ct);
                logger.LogInformation("Demo departments of 滨江区 loaded: {Departments}", departments.Count);
            }, ct);
        }

        db.ChangeTracker.Clear();
        await services.GetRequiredService<CatalogCache>().ReloadAsync(db, ct);
    }

    private static async Task SeedOnceAsync(OneGridDbContext db, Func<Task<bool>> seeded, Func<Task> seed, CancellationToken ct)
    {
        if (await seeded()) return;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await seed();
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            // Another node seeded first; anything else is a real failure.
            if (!await seeded()) throw;
        }
    }
}

/// <summary>Binjiang's demo departments: one per kind for the district, and 长河街道's own enforcement team.</summary>
public static class DemoCatalog
{
    public const string ChangheStreet = "330108002";
    public const string ChangheEnforcementTeam = "330108002-ZHZF";

    /// <summary>The district department of a kind has code "330108-" + the kind in upper case, e.g. 330108-CG.</summary>
    public static string DistrictDepartmentCode(string kind) => DemoTerritory.DistrictCode + "-" + kind.ToUpperInvariant();

    public static IEnumerable<Department> Departments(DefaultCatalog defaults, DateTimeOffset now)
    {
        foreach (var kind in defaults.DepartmentKinds.Where(k => !k.HandledByCommunity))
        {
            yield return new Department
            {
                Code = DistrictDepartmentCode(kind.Code),
                Name = "滨江区" + (kind.Department ?? kind.Name),
                NameEn = "Binjiang " + (kind.DepartmentEn ?? kind.NameEn ?? kind.Code),
                Kind = kind.Code,
                UnitCode = DemoTerritory.DistrictCode,
                PlatformCode = kind.Platform,
                UpdatedAt = now,
            };
        }
        yield return new Department
        {
            Code = ChangheEnforcementTeam,
            Name = "长河街道综合执法队",
            NameEn = "Changhe Subdistrict Law Enforcement Team",
            Kind = "cg",
            UnitCode = ChangheStreet,
            PlatformCode = "zhzf",
            UpdatedAt = now,
        };
    }

    public static IEnumerable<RoutingRule> Rules(DateTimeOffset now) =>
    [
        new()
        {
            CategoryPrefix = "05", UnitCode = ChangheStreet, DepartmentCode = ChangheEnforcementTeam, Priority = 0,
            Description = "街面秩序类由长河街道综合执法队处置", UpdatedAt = now,
        },
        new()
        {
            CategoryPrefix = "0901", UnitCode = ChangheStreet, DepartmentCode = ChangheEnforcementTeam, Priority = 0,
            Description = "违法建筑由长河街道综合执法队查处", UpdatedAt = now,
        },
    ];
}
