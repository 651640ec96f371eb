using System.Diagnostics;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace OneGrid.Cli;

/// <summary>
/// The reference point for resolution speed: the same grids in PostGIS, the same points as
/// ST_Contains queries on a GiST index (how MapIt answers "which area holds this point").
/// </summary>
internal static class PostgisBench
{
    public const int Clients = 2;

    public static async Task<double> MeasureAsync(ResolveBenchSetup setup, string? connectionString, TimeSpan duration, CancellationToken ct)
    {
        connectionString ??= Environment.GetEnvironmentVariable("ONEGRID_POSTGIS")
            ?? throw new InvalidOperationException("Give --pg or ONEGRID_POSTGIS (scripts/bench-postgis.sh starts a throwaway PostGIS cluster).");
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using (var conn = await source.OpenConnectionAsync(ct))
        {
            await Exec(conn, "CREATE EXTENSION IF NOT EXISTS postgis", ct);
            await Exec(conn, "DROP TABLE IF EXISTS bench_grids_wkb; DROP TABLE IF EXISTS bench_grids", ct);
            await Exec(conn, "CREATE UNLOGGED TABLE bench_grids_wkb (code text, wkb bytea)", ct);
            var writer = new WKBWriter();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY bench_grids_wkb (code, wkb) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var (code, boundary) in setup.Grids)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(code, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(writer.Write(boundary), NpgsqlDbType.Bytea, ct);
                }
                await copy.CompleteAsync(ct);
            }
            await Exec(conn, "CREATE TABLE bench_grids AS SELECT code, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) AS geom FROM bench_grids_wkb", ct);
            await Exec(conn, "CREATE INDEX bench_grids_geom ON bench_grids USING gist (geom); ANALYZE bench_grids", ct);
        }

        long total = 0;
        var misses = 0L;
        var watch = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            await using var conn = await source.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand(
                "SELECT code FROM bench_grids WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1", conn);
            var lon = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
            var lat = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
            cmd.Parameters.Add(lon);
            cmd.Parameters.Add(lat);
            await cmd.PrepareAsync(ct);
            var i = client;
            long count = 0;
            while (watch.Elapsed < duration)
            {
                var p = setup.Points[i % setup.Points.Length];
                i += Clients;
                lon.TypedValue = p.X;
                lat.TypedValue = p.Y;
                if (await cmd.ExecuteScalarAsync(ct) is null) Interlocked.Increment(ref misses);
                count++;
            }
            Interlocked.Add(ref total, count);
        }, ct)).ToList();
        await Task.WhenAll(clients);
        var rate = total / watch.Elapsed.TotalSeconds;
        if (misses > 0) Console.WriteLine($"postgis: {misses} points found no grid");
        return rate;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
