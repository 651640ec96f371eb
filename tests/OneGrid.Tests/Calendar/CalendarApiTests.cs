using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Calendar;
using OneGrid.Persistence;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Calendar;

/// <summary>The calendar API over the real host, run on each database. Each test uses its own year so they do not interfere.</summary>
public abstract class CalendarApiTests(HostFixture host)
{
    private HttpClient Client => host.Client;

    // Writes to the catalog and the calendar are for administrators (the demo account "admin").
    private Task<HttpClient> AdminAsync() => host.ClientAsAsync("admin");

    private async Task<JsonObject> WorkingTime(string query)
    {
        var response = await Client.GetAsync("/api/v1/calendar/working-time?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<string> Deadline(string query) => (string)(await WorkingTime(query))["deadline"]!;

    private async Task<HttpResponseMessage> PostCsv(string csv, string query = "") =>
        await (await AdminAsync()).PostAsync("/api/v1/calendar/days" + query, new StringContent(csv, Encoding.UTF8, "text/csv"));

    [Fact]
    public async Task Only_an_administrator_may_load_calendar_days()
    {
        var anonymous = await Client.PostAsync("/api/v1/calendar/days", new StringContent("date,kind\n2027-01-01,holiday\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var leader = await (await host.ClientAsAsync("leader")).PostAsync("/api/v1/calendar/days", new StringContent("date,kind\n2027-01-01,holiday\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Forbidden, leader.StatusCode);
    }

    [Fact]
    public async Task National_Day_2026_deadline_as_the_issue_shows_it()
    {
        // Wed 09-30 16:00–17:30 is 1.5 h; 10-01 … 10-07 are holidays; Thu 10-08 08:30 + 2.5 h = 11:00.
        var body = await WorkingTime("from=2026-09-30T16:00:00%2B08:00&add=PT4H");
        Assert.Equal("2026-10-08T11:00:00+08:00", (string?)body["deadline"]);
        Assert.Equal("2026-09-30T16:00:00+08:00", (string?)body["from"]);
        Assert.Equal("PT4H", (string?)body["add"]);
        Assert.Equal("working", (string?)body["kind"]);
    }

    [Theory]
    [InlineData("2026-09-30T16:00")]            // no offset: Shanghai wall-clock time
    [InlineData("2026-09-30T16:00:00")]
    [InlineData("2026-09-30T08:00:00Z")]        // the same instant in UTC
    [InlineData("2026-09-30T16:00:00+08:00")]   // '+' left unencoded arrives as a space
    [InlineData("2026-09-30T09:00:00%2B01:00")]
    public async Task The_start_is_read_in_any_ISO_form(string from) =>
        Assert.Equal("2026-10-08T11:00:00+08:00", await Deadline($"from={from}&add=PT4H"));

    [Fact]
    public async Task Make_up_Saturday_works_and_natural_time_ignores_the_calendar()
    {
        // Fri 10-09 17:00–17:30 is 0.5 h; Sat 10-10 is a make-up working day: 08:30 + 1.5 h = 10:00.
        Assert.Equal("2026-10-10T10:00:00+08:00", await Deadline("from=2026-10-09T17:00&add=PT2H"));
        // 0.5 h on Friday, 1 h on the Saturday: 09:30.
        Assert.Equal("2026-10-10T09:30:00+08:00", await Deadline("from=2026-10-09T17:00&add=PT1H30M&kind=working"));
        Assert.Equal("2026-10-01T16:00:00+08:00", await Deadline("from=2026-09-30T16:00&add=PT24H&kind=natural"));
        Assert.Equal("2026-10-02T16:00:00+08:00", await Deadline("from=2026-09-30T16:00&add=P2D&kind=natural"));
    }

    [Theory]
    [InlineData("from=yesterday&add=PT4H", "from")]
    [InlineData("from=2026-13-01T00:00&add=PT4H", "from")]
    [InlineData("from=1066-10-14T09:00&add=PT4H", "from")]
    [InlineData("from=2026-09-30T16:00", "add")]
    [InlineData("from=2026-09-30T16:00&add=4h", "add")]
    [InlineData("from=2026-09-30T16:00&add=-PT1H", "add")]
    [InlineData("from=2026-09-30T16:00&add=P1M", "add")]
    [InlineData("from=2026-09-30T16:00&add=P1D", "add")]        // a working "day" is ambiguous
    [InlineData("from=2026-09-30T16:00&add=PT100000H", "add")]
    [InlineData("from=2026-09-30T16:00&add=PT4H&kind=hours", "kind")]
    public async Task Bad_working_time_queries_are_400_problems_naming_the_field(string query, string field)
    {
        var response = await Client.GetAsync("/api/v1/calendar/working-time?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task Days_of_2026_list_the_holidays_and_make_up_days()
    {
        var body = await Client.GetFromJsonAsync<JsonObject>("/api/v1/calendar/days?year=2026");
        Assert.Equal(2026, (int)body!["year"]!);
        var days = body["days"]!.AsArray();
        Assert.Equal(39, days.Count);
        var nationalDay = days.Single(d => (string?)d!["date"] == "2026-10-01")!;
        Assert.Equal(("holiday", "国庆节", "National Day"),
            ((string?)nationalDay["kind"], (string?)nationalDay["nameZh"], (string?)nationalDay["nameEn"]));
        Assert.Equal("workday", (string?)days.Single(d => (string?)d!["date"] == "2026-10-10")!["kind"]);
        Assert.Empty((await Client.GetFromJsonAsync<JsonObject>("/api/v1/calendar/days?year=2031"))!["days"]!.AsArray());

        var bad = await Client.GetAsync("/api/v1/calendar/days?year=twenty");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["year"]);
    }

    [Fact]
    public async Task Importing_2027_makes_New_Years_Day_a_day_off()
    {
        // Before 2027 is loaded, Fri 2027-01-01 is an ordinary weekday: Thu 17:00–17:30, then 08:30 + 0.5 h.
        const string query = "from=2026-12-31T17:00&add=PT1H";
        Assert.Equal("2027-01-01T09:00:00+08:00", await Deadline(query));

        const string csv = "date,kind,name_en,name_zh\n2027-01-01,holiday,New Year's Day,元旦\n2027-02-06,workday,Spring Festival,春节\n";
        var dry = await PostCsv(csv, "?dryRun=true");
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var dryReport = (await dry.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((2, 1, 1, false), ((int)dryReport["days"]!, (int)dryReport["holidays"]!, (int)dryReport["workdays"]!, (bool)dryReport["written"]!));
        Assert.Equal("2027-01-01T09:00:00+08:00", await Deadline(query));

        var real = await PostCsv(csv);
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        var report = (await real.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True((bool)report["written"]!);
        Assert.Equal(2, (int)report["created"]!);

        // Now 2027-01-01 is off and the weekend follows: Mon 2027-01-04 08:30 + 0.5 h = 09:00, at once on this node.
        Assert.Equal("2027-01-04T09:00:00+08:00", await Deadline(query));
        var days = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/calendar/days?year=2027"))!["days"]!.AsArray();
        Assert.Equal(["2027-01-01", "2027-02-06"], days.Select(d => (string?)d!["date"]));
    }

    [Fact]
    public async Task A_file_with_problems_is_a_422_listing_them_and_nothing_is_written()
    {
        var response = await PostCsv("date,kind\n2028-01-03,holiday\n2028-01-04,off\n2028-01-03,workday\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([3, 4], problem["problems"]!.AsArray().Select(p => (int)p!["line"]!));
        Assert.Empty((await Client.GetFromJsonAsync<JsonObject>("/api/v1/calendar/days?year=2028"))!["days"]!.AsArray());

        var notCsv = await (await AdminAsync()).PostAsync("/api/v1/calendar/days", JsonContent.Create(new { date = "2028-01-03" }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notCsv.StatusCode);

        var huge = await PostCsv("date,kind\n" + new string('x', CalendarEndpoints.MaxImportBytes));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var badFlag = await PostCsv("date,kind\n2028-01-03,holiday\n", "?dryRun=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
        Assert.Empty((await Client.GetFromJsonAsync<JsonObject>("/api/v1/calendar/days?year=2028"))!["days"]!.AsArray());
    }

    [Fact]
    public async Task An_import_by_another_node_is_picked_up_by_the_revision_check()
    {
        var provider = host.App.Services.GetRequiredService<WorkingCalendarProvider>();
        long revision;
        // Another process (the CLI, another node) writes through its own connection.
        await using (var other = PersistenceServices.CreateContext(host.Database))
        {
            var report = await CalendarStore.ImportAsync(other, new StringReader("date,kind\n2029-01-01,holiday\n"), dryRun: false, TimeProvider.System);
            revision = report.Revision!.Value;
        }
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            // Whether this call or the periodic refresher gets there first, the stored revision is now served…
            await provider.RefreshAsync(db);
            Assert.Equal(revision, provider.Current.Revision);
            Assert.False(await provider.RefreshAsync(db)); // …and with nothing changed since, there is no reload.
        }
        Assert.Contains(2029, provider.Current.Years);
        Assert.False(provider.Current.IsWorkingDay(new DateOnly(2029, 1, 1)));
        Assert.Same(provider, host.App.Services.GetRequiredService<IWorkingCalendar>());
    }

    [Fact]
    public async Task The_calendar_endpoints_are_in_the_OpenAPI_document()
    {
        var paths = (await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/v1/calendar/working-time"));
        Assert.NotNull(paths["/api/v1/calendar/days"]!["post"]);
    }
}

public sealed class CalendarApiSqliteTests(SqliteHostFixture host) : CalendarApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class CalendarApiPostgresTests(PostgresHostFixture host) : CalendarApiTests(host), IClassFixture<PostgresHostFixture>;
