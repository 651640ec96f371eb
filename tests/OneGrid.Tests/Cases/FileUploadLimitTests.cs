using System.Net;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cases;

public class FileUploadLimitTests
{
    [Fact]
    public async Task Anonymous_uploads_draw_on_the_anonymous_rate_limit()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir), demo: false,
                configuration: new Dictionary<string, string?> { ["Access:AnonymousPermitLimit"] = "3", ["Access:AnonymousWindowSeconds"] = "600" });
            await using (app)
            {
                var statuses = new List<HttpStatusCode>();
                for (var i = 0; i < 4; i++)
                {
                    using var form = new MultipartFormDataContent();
                    form.Add(new ByteArrayContent([0xFF, 0xD8, 0xFF, 0xE0, (byte)i, .. Guid.NewGuid().ToByteArray()]), "file", "p.jpg");
                    using var response = await client.PostAsync("/api/v1/files", form);
                    statuses.Add(response.StatusCode);
                }
                Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
