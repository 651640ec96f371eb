using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OneGrid.Persistence;

public static class PersistenceServices
{
    /// <summary>
    /// Contexts are pooled: every request and every background batch takes one, and building a context with
    /// Identity's model is not free. The contexts hold no state of their own, so a reset one is as good as new.
    /// </summary>
    public static IServiceCollection AddOneGridDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<Access.AccessRevisionInterceptor>();
        services.AddSingleton<Webhooks.WebhookOutboxInterceptor>();
        services.AddSingleton<Cases.Tallies.CaseTallyInterceptor>();
        switch (settings.Provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContextPool<SqliteOneGridDbContext>((sp, o) =>
                    ConfigureSqlite(o, settings.ConnectionString, sp.GetRequiredService<Access.AccessRevisionInterceptor>(),
                        sp.GetRequiredService<Webhooks.WebhookOutboxInterceptor>(), sp.GetRequiredService<Cases.Tallies.CaseTallyInterceptor>()));
                services.AddScoped<OneGridDbContext>(sp => sp.GetRequiredService<SqliteOneGridDbContext>());
                services.AddHostedService<SqliteCheckpointer>();
                break;
            case DatabaseProvider.Postgres:
                services.AddDbContextPool<PostgresOneGridDbContext>((sp, o) =>
                    ConfigurePostgres(o, settings.ConnectionString, sp.GetRequiredService<Access.AccessRevisionInterceptor>(),
                        sp.GetRequiredService<Webhooks.WebhookOutboxInterceptor>(), sp.GetRequiredService<Cases.Tallies.CaseTallyInterceptor>()));
                services.AddScoped<OneGridDbContext>(sp => sp.GetRequiredService<PostgresOneGridDbContext>());
                break;
        }
        return services;
    }

    /// <summary>A context outside DI, for the CLI verbs that work on the database without a web host.</summary>
    public static OneGridDbContext CreateContext(DatabaseSettings settings) => settings.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteOneGridDbContext(
            ConfigureSqlite(new DbContextOptionsBuilder<SqliteOneGridDbContext>(), settings.ConnectionString).Options),
        DatabaseProvider.Postgres => new PostgresOneGridDbContext(
            ConfigurePostgres(new DbContextOptionsBuilder<PostgresOneGridDbContext>(), settings.ConnectionString).Options),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    /// <summary>
    /// The interceptors are the host's (they tell its caches and sender what it committed); without a host (CLI,
    /// design time) the access revision is still stamped and deliveries still written, with nobody listening.
    /// </summary>
    internal static T ConfigureSqlite<T>(T builder, string connectionString, Access.AccessRevisionInterceptor? access = null,
        Webhooks.WebhookOutboxInterceptor? outbox = null, Cases.Tallies.CaseTallyInterceptor? tallies = null) where T : DbContextOptionsBuilder
    {
        builder.UseSqlite(connectionString, s => s.MigrationsHistoryTable("__ef_migrations")).AddInterceptors(new SqlitePragmas(),
            outbox ?? new Webhooks.WebhookOutboxInterceptor(), access ?? new Access.AccessRevisionInterceptor(), tallies ?? DefaultTallies());
        return builder;
    }

    internal static T ConfigurePostgres<T>(T builder, string connectionString, Access.AccessRevisionInterceptor? access = null,
        Webhooks.WebhookOutboxInterceptor? outbox = null, Cases.Tallies.CaseTallyInterceptor? tallies = null) where T : DbContextOptionsBuilder
    {
        builder.UseNpgsql(connectionString, s => s.MigrationsHistoryTable("__ef_migrations")).AddInterceptors(
            outbox ?? new Webhooks.WebhookOutboxInterceptor(), access ?? new Access.AccessRevisionInterceptor(), tallies ?? DefaultTallies());
        return builder;
    }

    // Without a host (CLI, design time) cases are still tallied, by the default calendar's day boundaries.
    private static Cases.Tallies.CaseTallyInterceptor DefaultTallies() =>
        new(Microsoft.Extensions.Options.Options.Create(new Calendar.CalendarOptions()));

    /// <summary>
    /// Applies pending migrations. SQLite runs in WAL mode so readers never wait for the writer.
    /// </summary>
    public static async Task MigrateAsync(OneGridDbContext db, CancellationToken ct = default)
    {
        if (db.Database.IsSqlite())
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            // Created here rather than by SQLite, which would make it (and its -wal and -shm) readable by everyone.
            if (file.Length > 0 && file != ":memory:") Hosting.DataFolder.EnsureFile(Path.GetFullPath(file));
        }
        if (db.Database.IsNpgsql())
        {
            // Nodes starting together on a fresh database would each apply the migrations; one session-level
            // advisory lock, held on the connection EF then migrates with, makes them take turns.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(7305126871)", ct);
                await db.Database.MigrateAsync(ct);
                await DeferredIndexes.RestoreAsync(db, ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(7305126871)", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        // A bulk load (simulate) that died between dropping its indexes and building them again.
        await DeferredIndexes.RestoreAsync(db, ct);
    }
}

/// <summary>Design-time factories so `dotnet ef migrations add` can build each provider's context.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOneGridDbContext>
{
    public SqliteOneGridDbContext CreateDbContext(string[] args) =>
        new(PersistenceServices.ConfigureSqlite(new DbContextOptionsBuilder<SqliteOneGridDbContext>(), "Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOneGridDbContext>
{
    public PostgresOneGridDbContext CreateDbContext(string[] args) =>
        new(PersistenceServices.ConfigurePostgres(new DbContextOptionsBuilder<PostgresOneGridDbContext>(), "Host=localhost;Database=design").Options);
}
