using Npgsql;

namespace OneGrid.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where the data lives: the SQLite file under the data directory by default, or PostgreSQL.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string SqliteFileName = "onegrid.db";

    /// <summary>
    /// Accepts nothing or "sqlite" (the embedded default), a postgres:// or postgresql:// URL, or an
    /// Npgsql keyword connection string ("Host=…;Database=…").
    /// </summary>
    public static DatabaseSettings Parse(string? database, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(database) || database.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.GetFullPath(Path.Combine(dataDirectory, SqliteFileName));
            return new(DatabaseProvider.Sqlite, $"Data Source={path};Pooling=True");
        }

        if (database.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return new(DatabaseProvider.Sqlite, $"Data Source={Path.GetFullPath(database["sqlite:".Length..])};Pooling=True");
        }

        if (database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new(DatabaseProvider.Postgres, FromUrl(new Uri(database)));
        }

        if (database.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return new(DatabaseProvider.Postgres, new NpgsqlConnectionStringBuilder(database).ConnectionString);
        }

        throw new ArgumentException(
            $"Unrecognised database '{Redact(database)}': use 'sqlite', a postgres:// URL or an Npgsql connection string.");
    }

    private static string FromUrl(Uri url)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port <= 0 ? 5432 : url.Port,
            Database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
        }
        return builder.ConnectionString;
    }

    private static string Redact(string text) => text.Length > 16 ? text[..16] + "…" : text;

    public string Describe()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            return "SQLite " + ConnectionString.Split(';')[0].Replace("Data Source=", "");
        }
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }
}
