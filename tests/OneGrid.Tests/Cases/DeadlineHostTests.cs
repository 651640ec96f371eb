using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cases;

/// <summary>Deadlines in the running host, with the host's clock under the test's control.</summary>
public sealed class DeadlineHostTests
{
    private static readonly (double Lon, double Lat) Binjiang = (120.2116, 30.2088);

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(string dir, DatabaseSettings database, FakeTimeProvider clock) =>
        await HostFixture.StartAsync(dir, database, services: s => s.AddSingleton<TimeProvider>(clock),
            configuration: new Dictionary<string, string?> { ["Cases:DeadlineScanPeriod"] = "00:00:05", ["Access:LoginPermitLimit"] = "100000" });

    [Fact]
    public async Task A_report_on_the_eve_of_National_Day_is_due_after_the_holiday()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        // Wednesday 30 September 2026, 17:00 in Hangzhou: half an hour of the working day is left, then
        // 1–7 October are holidays, and Thursday 8 October starts at 08:30.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 30, 17, 0, 0, TimeSpan.FromHours(8)));
        var (app, client) = await StartAsync(dir, DatabaseSettings.Parse(null, dir), clock);
        try
        {
            var created = await client.PostAsJsonAsync("/api/v1/reports", new { lon = Binjiang.Lon, lat = Binjiang.Lat, description = "人行道破损" });
            var id = (long)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
            var demo = await client.GetFromJsonAsync<JsonObject>("/api/v1/demo/accounts");
            using var district = new HttpClient { BaseAddress = client.BaseAddress };
            district.DefaultRequestHeaders.Add("X-Api-Key", (string)demo!["apiKey"]!);
            var c = await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}");
            // The register limit is 1 working hour: 30 minutes on 30 September, 30 more on 8 October.
            Assert.Equal("2026-10-08T09:00:00+08:00", (string?)c!["case"]!["phaseDueAt"]);
            Assert.Equal("Register", (string?)c["case"]!["phase"]);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Database", "Postgres")]
    public async Task Two_hosts_on_one_PostgreSQL_database_escalate_each_overdue_case_once()
    {
        await using var throwaway = await ThrowawayDatabase.CreateAsync();
        var database = throwaway.Settings(".");
        var dirA = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        var dirB = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        // Tuesday 24 November 2026, 10:00 in Hangzhou; both nodes share one clock, so they scan at the same moments.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(8)));
        var (a, clientA) = await StartAsync(dirA, database, clock);
        var (b, clientB) = await StartAsync(dirB, database, clock);
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var client = i % 2 == 0 ? clientA : clientB;
                var r = await client.PostAsJsonAsync("/api/v1/reports", new { lon = Binjiang.Lon + i * 1e-5, lat = Binjiang.Lat, description = $"占道堆物 {i}" });
                Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
            }

            // Two hours later every report is overdue for registration (1 working hour) and escalates to the street.
            clock.Advance(TimeSpan.FromHours(2));
            await using var db = PersistenceServices.CreateContext(database);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            int escalated;
            while ((escalated = await db.CaseEvents.CountAsync(e => e.Action == "escalate")) < 10 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            // Let both nodes scan several more times: nothing may be applied twice.
            for (var i = 0; i < 5; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(300);
            }
            var events = await db.CaseEvents.Where(e => e.Action == "escalate" || e.Action == "overdue" || e.Action == "deadline-warning")
                .GroupBy(e => new { e.CaseId, e.Action }).Select(g => new { g.Key.CaseId, g.Key.Action, Count = g.Count() }).ToListAsync();
            Assert.Equal(10, events.Count(e => e.Action == "escalate"));
            Assert.All(events, e => Assert.Equal(1, e.Count));
            Assert.Equal(10, await db.Cases.CountAsync(c => c.OwningLevel == OneGrid.Cases.OwningLevel.Street));
        }
        finally
        {
            foreach (var app in new[] { a, b })
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            foreach (var dir in new[] { dirA, dirB }) if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>Anonymous reports are limited per client address; signed-in reporters are not.</summary>
public sealed class ReportRateLimitTests
{
    [Fact]
    public async Task Anonymous_reports_beyond_the_limit_get_429_with_retry_after_and_signed_in_ones_do_not()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir),
            configuration: new Dictionary<string, string?> { ["Access:AnonymousPermitLimit"] = "3", ["Access:LoginPermitLimit"] = "100" });
        try
        {
            var report = new { lon = 120.2116, lat = 30.2088, description = "路面坑洼" };
            for (var i = 0; i < 3; i++) Assert.Equal(System.Net.HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/reports", report)).StatusCode);
            var refused = await client.PostAsJsonAsync("/api/v1/reports", report);
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);

            var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "gridworker", password = "demo" });
            var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
            using var signedIn = new HttpClient { BaseAddress = client.BaseAddress };
            signedIn.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(System.Net.HttpStatusCode.Created, (await signedIn.PostAsJsonAsync("/api/v1/reports", report)).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
