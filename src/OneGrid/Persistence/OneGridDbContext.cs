using Microsoft.EntityFrameworkCore;
using OneGrid.Territory;

namespace OneGrid.Persistence;

/// <summary>
/// The one database of the monolith. Each capability keeps its own entity configurations in its
/// folder; this context only gathers them. The two provider-specific subclasses exist because EF
/// migrations are per provider.
/// </summary>
public abstract class OneGridDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<TerritoryRevision> TerritoryRevisions => Set<TerritoryRevision>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OneGridDbContext).Assembly);
}

public sealed class SqliteOneGridDbContext(DbContextOptions<SqliteOneGridDbContext> options) : OneGridDbContext(options);

public sealed class PostgresOneGridDbContext(DbContextOptions<PostgresOneGridDbContext> options) : OneGridDbContext(options);
