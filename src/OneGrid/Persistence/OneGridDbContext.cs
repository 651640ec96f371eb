using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Territory;

namespace OneGrid.Persistence;

/// <summary>
/// The one database of the monolith. Each capability keeps its own entity configurations in its
/// folder; this context only gathers them. The two provider-specific subclasses exist because EF
/// migrations are per provider.
/// </summary>
public abstract class OneGridDbContext(DbContextOptions options)
    : IdentityUserContext<OneGridUser>(options), IDataProtectionKeyContext
{
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<TerritoryRevision> TerritoryRevisions => Set<TerritoryRevision>();
    public DbSet<Cases.Case> Cases => Set<Cases.Case>();
    public DbSet<Cases.CaseEvent> CaseEvents => Set<Cases.CaseEvent>();
    public DbSet<Cases.Tallies.CaseTally> CaseTallies => Set<Cases.Tallies.CaseTally>();
    public DbSet<Cases.CaseAttachment> CaseAttachments => Set<Cases.CaseAttachment>();
    public DbSet<Cases.FileUpload> FileUploads => Set<Cases.FileUpload>();
    public DbSet<Disputes.Dispute> Disputes => Set<Disputes.Dispute>();
    public DbSet<Disputes.DisputeEvent> DisputeEvents => Set<Disputes.DisputeEvent>();
    public DbSet<Disputes.DisputeParty> DisputeParties => Set<Disputes.DisputeParty>();
    public DbSet<Disputes.DisputeSession> DisputeSessions => Set<Disputes.DisputeSession>();
    public DbSet<Disputes.DisputeType> DisputeTypes => Set<Disputes.DisputeType>();
    public DbSet<Inspections.InspectionTarget> InspectionTargets => Set<Inspections.InspectionTarget>();
    public DbSet<Inspections.TargetKind> TargetKinds => Set<Inspections.TargetKind>();

    public DbSet<UserGrant> Grants => Set<UserGrant>();
    public DbSet<Courier> Couriers => Set<Courier>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ApiKeyGrant> ApiKeyGrants => Set<ApiKeyGrant>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<EndedSession> EndedSessions => Set<EndedSession>();

    // Data Protection keys live here so bearer tokens, cookies and courier codes survive restarts and
    // are honoured by every node.
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OneGridDbContext).Assembly);
        OneGrid.Cases.CaseSearch.MapFunctions(modelBuilder);
    }
}

public sealed class SqliteOneGridDbContext(DbContextOptions<SqliteOneGridDbContext> options) : OneGridDbContext(options)
{
    /// <summary>
    /// SQLite has no timestamp type and EF cannot compare DateTimeOffset text there, yet deadlines are
    /// queried by range: store instants as Unix milliseconds, which compare and sort correctly.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }
}

public sealed class PostgresOneGridDbContext(DbContextOptions<PostgresOneGridDbContext> options) : OneGridDbContext(options)
{
    /// <summary>timestamptz accepts only UTC offsets from Npgsql; deadlines computed in +08:00 are stored as the same instant in UTC.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }
}

internal sealed class UnixMillisecondsConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));

internal sealed class UtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, DateTimeOffset>(
    v => v.ToUniversalTime(), v => v);
