using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Persistence;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Kernel;

/// <summary>
/// Hostile input over the real host: whatever a client sends is answered with a 4xx naming what is wrong,
/// never a 500, and nothing a client once stored can make a read or an export fail for everybody.
/// </summary>
public abstract class BadInputTests(HostFixture host)
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548); // inside 西陵社区第1网格
    private const string Requests = "/open311/v2/requests.json";

    private static string Num(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private async Task<Dictionary<string, string>> Open311Form(string description = "小区门口有一堆暴露垃圾") => new()
    {
        ["api_key"] = (string)(await host.DemoAsync())["apiKey"]!, ["service_code"] = "0102",
        ["lat"] = Num(Xiling.Lat), ["long"] = Num(Xiling.Lon), ["description"] = description,
    };

    private static async Task<string> Open311Error(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        var error = Assert.Single(JsonNode.Parse(text)!.AsArray())!;
        Assert.Equal((int)expected, (int)error["code"]!);
        return (string)error["description"]!;
    }

    private static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task A_control_character_is_refused_at_input_and_one_already_stored_breaks_no_export()
    {
        var marker = "控制字符" + Guid.NewGuid().ToString("N")[..8];
        // Refused at input, naming the field: the JSON API, a case action and Open311.
        using var refused = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Xiling.Lon, lat = Xiling.Lat, description = marker + "\u0001", categoryCode = "0102" });
        var problem = await Problem(refused, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("description"), problem.ToJsonString());
        using var refused311 = await host.Client.PostAsync(Requests, new FormUrlEncodedContent(await Open311Form(marker + "\u0001")));
        Assert.Contains("description", await Open311Error(refused311, HttpStatusCode.BadRequest));
        using var district = await host.ClientAsAsync("district");
        Assert.Equal(0, (int)(await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={marker}"))!["total"]!);

        // A row stored before input refused it (written straight into the database).
        using var created = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Xiling.Lon, lat = Xiling.Lat, description = marker + " 暴露垃圾", categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            Assert.Equal(1, await db.Cases.Where(c => c.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Description, marker + " 暴露\u0001垃圾\u0008").SetProperty(c => c.Address, "门口\u001F")));
        }

        using var csv = await district.GetAsync($"/api/v1/cases/export.csv?q={marker}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var csvText = await csv.Content.ReadAsStringAsync();
        Assert.Contains(marker + " 暴露垃圾", csvText);
        Assert.DoesNotContain('\u0001', csvText);

        using var xlsx = await district.GetAsync($"/api/v1/cases/export.xlsx?q={marker}");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using (var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        using (var book = SpreadsheetDocument.Open(stream, false))
        {
            var cells = book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Cell>().Select(c => c.InnerText).ToList();
            Assert.Contains(marker + " 暴露垃圾", cells);
        }

        using var geojson = await district.GetAsync($"/api/v1/cases/export.geojson?q={marker}");
        Assert.Equal(HttpStatusCode.OK, geojson.StatusCode);
        Assert.Single((await geojson.Content.ReadFromJsonAsync<JsonObject>())!["features"]!.AsArray());

        // The public GeoReport list in XML, for everybody, and the case itself over the API.
        using var xml = await host.Client.GetAsync("/open311/v2/requests.xml");
        var xmlText = await xml.Content.ReadAsStringAsync();
        Assert.True(xml.StatusCode == HttpStatusCode.OK, $"{(int)xml.StatusCode}: {xmlText}");
        var request = XDocument.Parse(xmlText).Root!.Elements("request")
            .Single(r => r.Element("description")!.Value.StartsWith(marker, StringComparison.Ordinal));
        Assert.Equal(marker + " 暴露垃圾", request.Element("description")!.Value);
        using var json311 = await host.Client.GetAsync("/open311/v2/requests.json");
        Assert.Equal(HttpStatusCode.OK, json311.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await district.GetAsync($"/api/v1/cases/{id}")).StatusCode);
    }

    [Fact]
    public async Task Names_in_administration_forms_refuse_control_characters_naming_the_field()
    {
        using var admin = await host.ClientAsAsync("admin");
        var grants = new[] { new { role = "street-dispatcher", unitCode = "330108001" } };
        async Task Refused(Task<HttpResponseMessage> send, string field)
        {
            using var response = await send;
            var problem = await Problem(response, HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        }
        await Refused(admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "热线\u0007", grants }), "name");
        await Refused(admin.PostAsJsonAsync("/api/v1/users", new { userName = "ctl" + Guid.NewGuid().ToString("N")[..6], displayName = "张\u0000三",
            password = "Passw0rd!x", grants }), "displayName");
        await Refused(admin.PostAsJsonAsync("/api/v1/couriers", new { name = "骑手\u001B", phone = "13912345678", streetCodes = new[] { "330108001" } }), "name");
    }

    [Fact]
    public async Task A_long_description_reads_back_whole_and_a_list_carries_a_named_excerpt()
    {
        var marker = "长描述" + Guid.NewGuid().ToString("N")[..8];
        var description = marker + string.Concat(Enumerable.Range(0, 2000).Select(i => (char)('甲' + i % 40)))[..(2000 - marker.Length)];
        Assert.Equal(2000, description.Length);
        using var created = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Xiling.Lon, lat = Xiling.Lat, description, categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        using var district = await host.ClientAsAsync("district");
        var detail = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        Assert.Equal(description, (string?)detail["case"]!["description"]);

        var item = Assert.Single((await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={marker}"))!["items"]!.AsArray())!.AsObject();
        Assert.False(item.ContainsKey("description"), "a list must not pass an excerpt off as the description");
        var excerpt = (string)item["descriptionExcerpt"]!;
        Assert.EndsWith("…", excerpt);
        Assert.StartsWith(excerpt[..^1], description, StringComparison.Ordinal);
        Assert.True(excerpt.Length < description.Length);
    }

    [Fact]
    public async Task Open311_form_limits_answer_413_or_400_naming_the_limit()
    {
        var tooMany = await Open311Form();
        for (var i = 0; i < 1500; i++) tooMany["x" + i] = "1";
        using var many = await host.Client.PostAsync(Requests, new FormUrlEncodedContent(tooMany));
        Assert.Contains("count", await Open311Error(many, HttpStatusCode.RequestEntityTooLarge), StringComparison.OrdinalIgnoreCase);

        var longKey = await Open311Form();
        longKey[new string('k', 5000)] = "1";
        using var key = await host.Client.PostAsync(Requests, new FormUrlEncodedContent(longKey));
        Assert.Contains("key length", await Open311Error(key, HttpStatusCode.BadRequest), StringComparison.OrdinalIgnoreCase);

        // The same limits on the JSON API's one form endpoint, as problem details.
        using var files = await host.ClientAsAsync("district");
        using var multipart = new MultipartFormDataContent();
        for (var i = 0; i < 1500; i++) multipart.Add(new StringContent("1"), "x" + i);
        var fileProblem = await Problem(await files.PostAsync("/api/v1/files", multipart), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("ValueCountLimit", (string?)fileProblem["limit"]);
    }

    [Theory]
    [InlineData("lat", "NaN")]
    [InlineData("lat", "Infinity")]
    [InlineData("long", "-Infinity")]
    [InlineData("long", "NaN")]
    public async Task Open311_coordinates_that_are_not_finite_are_refused_naming_the_field(string field, string value)
    {
        var form = await Open311Form();
        form[field] = value;
        form["jurisdiction_id"] = "330108";
        using var response = await host.Client.PostAsync(Requests, new FormUrlEncodedContent(form));
        var description = await Open311Error(response, HttpStatusCode.BadRequest);
        Assert.StartsWith(field, description);
    }

    [Theory]
    [InlineData(Requests, "application/x-www-form-urlencoded")]
    [InlineData("/api/v1/reports", "application/json")]
    public async Task A_malformed_chunked_body_is_a_400(string path, string contentType)
    {
        var address = new Uri(host.Client.BaseAddress!, "/");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        // A chunk size that is not hexadecimal.
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: {contentType}\r\n" +
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nlat=1\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var statusLine = answer.Split("\r\n")[0];
        Assert.True(statusLine.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer);
        Assert.Contains("无法读取请求体", answer);
    }
}

public sealed class BadInputSqliteTests(SqliteHostFixture host) : BadInputTests(host), IClassFixture<SqliteHostFixture>;

public sealed class BadInputPostgresTests(PostgresHostFixture host) : BadInputTests(host), IClassFixture<PostgresHostFixture>;
