using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using OneGrid.Web;

namespace OneGrid.Tests.Web;

/// <summary>
/// A change made on a page is audited like a request: with the client's address, and in the transaction of the
/// change itself, so there is never a change without its entry nor an entry without its change. Driven through
/// the pages' own <see cref="UiSession"/> on the real host (the browser tests cover the pages themselves).
/// </summary>
public abstract class PageAuditTests(HostFixture host)
{
    private static readonly Actor Admin = new("page-audit-admin", "page-audit-admin", "页面审计管理员", [new Grant(Role.Admin, "3301")]);

    private UiSession Session(IServiceProvider scope, string address)
    {
        var http = new HttpContextAccessor { HttpContext = new DefaultHttpContext() };
        http.HttpContext.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return ActivatorUtilities.CreateInstance<UiSession>(scope, http);
    }

    private static Task<Outcome<CalendarImportResponse>> Import(IServiceProvider sp, string csv) =>
        CalendarEndpoints.ImportCsvAsync(csv, false, sp.GetRequiredService<OneGridDbContext>(), sp.GetRequiredService<WorkingCalendarProvider>(),
            sp.GetRequiredService<TimeProvider>(), CancellationToken.None);

    [Fact]
    public async Task A_page_change_is_committed_with_its_audit_entry_which_carries_the_client_address()
    {
        using var scope = host.App.Services.CreateScope();
        var session = Session(scope.ServiceProvider, "203.0.113.7");
        Assert.Equal("203.0.113.7", session.ClientAddress);

        // The calendar import opens its own transaction when called alone; on a page it joins the page's.
        var outcome = await session.ChangeAsync(Admin, "/admin/calendar", sp => Import(sp, "date,kind,name_zh\n2031-01-01,holiday,元旦\n"), o => o.Note);
        Assert.True(outcome.Succeeded);
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        Assert.True(await db.Set<CalendarDay>().AnyAsync(d => d.Date == new DateOnly(2031, 1, 1)));
        var entry = await db.AuditLog.Where(e => e.ActorId == Admin.UserId).OrderByDescending(e => e.Id).FirstAsync();
        Assert.Equal("203.0.113.7", entry.Ip);
        Assert.Equal("/admin/calendar", entry.Path);
        Assert.Equal(outcome.Note!.Summary, entry.Summary);

        // A change whose page work fails after writing leaves neither the change nor an entry.
        var entries = await db.AuditLog.CountAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.ChangeAsync<Outcome<CalendarImportResponse>>(Admin, "/admin/calendar", async sp =>
        {
            var o = await Import(sp, "date,kind,name_zh\n2031-05-01,holiday,劳动节\n");
            Assert.True(o.Succeeded);
            throw new InvalidOperationException("the page failed after the service wrote");
        }, o => o.Note));
        Assert.False(await db.Set<CalendarDay>().AnyAsync(d => d.Date == new DateOnly(2031, 5, 1)));
        Assert.Equal(entries, await db.AuditLog.CountAsync());
        Assert.True((await AuditChain.VerifyAsync(db.AuditLog.AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable())).Ok);
    }
}

public sealed class PageAuditSqliteTests(SqliteHostFixture host) : PageAuditTests(host), IClassFixture<SqliteHostFixture>;

public sealed class PageAuditPostgresTests(PostgresHostFixture host) : PageAuditTests(host), IClassFixture<PostgresHostFixture>;
