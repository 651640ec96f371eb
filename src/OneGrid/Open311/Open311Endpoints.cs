using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.Catalog;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Open311;

/// <summary>
/// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the case module: catalog types are
/// services, cases are service requests, the case number is the service_request_id. Every path ends in
/// <c>.json</c> or <c>.xml</c>; errors are the spec's list of {code, description} with the same HTTP status.
/// </summary>
public static class Open311Endpoints
{
    public const int MaxRows = 1000;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);

    /// <summary>When this interface last changed in a way clients would notice.</summary>
    private static readonly DateTimeOffset Changeset = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The timeline entry holding what a GeoReport client sent besides the case itself (media_url, device_id, account_id).</summary>
    public const string IntakeAction = "open311";

    public static IEndpointRouteBuilder MapOpen311Endpoints(this IEndpointRouteBuilder app)
    {
        var root = app.MapGroup("/open311").WithTags("Open311");
        root.MapGet("/discovery.{format}", Discovery).WithName("Open311Discovery").WithSummary("The discovery document naming the GeoReport v2 endpoint.");
        var v2 = root.MapGroup("/v2");
        v2.MapGet("/services.{format}", Services).WithName("Open311Services").WithSummary("One service per active catalog type.");
        v2.MapGet("/services/{code}.{format}", ServiceDefinition).WithName("Open311ServiceDefinition").WithSummary("The extra fields (attributes) a service asks for.");
        v2.MapPost("/requests.{format}", PostRequest).WithName("Open311PostRequest").DisableAntiforgery()
            .WithSummary("Create a service request (form-encoded, api_key required): the case is created at once.");
        v2.MapGet("/requests.{format}", ListRequests).WithName("Open311Requests").WithSummary("Service requests, newest first, at most 1000, by default the last 90 days.");
        v2.MapGet("/requests/{id}.{format}", GetRequest).WithName("Open311Request");
        v2.MapGet("/tokens/{token}.{format}", GetToken).WithName("Open311Token").WithSummary("The service_request_id for a token (the token is the case number).");
        v2.MapGet("/servicerequestupdates.{format}", Updates).WithName("Open311Updates").WithSummary("Timeline entries as request updates (start_date, end_date).");
        return app;
    }

    private static IResult Error(string format, int status, string zh, string en) =>
        Open311Format.Write(format, Open311Format.Errors(status, Text.Pick(zh, en)));

    /// <summary>A key that does not hold is a credential refused (401, as on /api), never a downgrade to anonymous.</summary>
    private static IResult InvalidKey(string format) => Error(format, 401, "api_key 无效或已吊销", "The api_key is invalid or revoked");

    private static IResult UnknownFormat() =>
        Open311Format.Write(Open311Format.Json, Open311Format.Errors(StatusCodes.Status404NotFound, Text.Pick("格式后缀应为 .json 或 .xml", "The format suffix must be .json or .xml")));

    internal static IResult Discovery(string format, HttpContext http)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var endpoint = new O311Object()
            .Add("specification", "http://wiki.open311.org/GeoReport_v2")
            .Add("url", $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/open311/v2")
            .Add("changeset", Changeset)
            .Add("type", "production")
            .Add("formats", new O311List("format", ["application/json", "text/xml"]));
        return Open311Format.Write(format, new O311Answer("discovery", new O311Object()
            .Add("changeset", Changeset)
            .Add("contact", Text.Pick("区社会治理中心（OneGrid）", "District social governance centre (OneGrid)"))
            .Add("key_service", Text.Pick("接口密钥由管理员通过 POST /api/v1/api-keys 签发。", "API keys are issued by an administrator through POST /api/v1/api-keys."))
            .Add("endpoints", new O311List("endpoint", [endpoint]))));
    }

    internal static async Task<IResult> Services(string format, CatalogCache catalog, CancellationToken ct)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var snapshot = await catalog.GetAsync(ct);
        var services = snapshot.Types.Where(t => t.Active).Select(t => (object?)new O311Object()
            .Add("service_code", t.Code)
            .Add("service_name", Text.Pick(t.Name, t.NameEn ?? t.Name))
            .Add("description", t.NameEn is null ? t.Name : $"{t.Name} / {t.NameEn}")
            .Add("metadata", Open311Attributes.For(t.Code).Count > 0)
            .Add("type", "realtime")
            .Add("keywords", string.Join(",", t.Keywords))
            .Add("group", snapshot.FindClass(t.ClassCode) is { } c ? Text.Pick(c.Name, c.NameEn ?? c.Name) : t.ClassCode)).ToList();
        return Open311Format.Write(format, new O311Answer("services", new O311List("service", services)));
    }

    internal static async Task<IResult> ServiceDefinition(string code, string format, CatalogCache catalog, CancellationToken ct)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var type = (await catalog.GetAsync(ct)).FindType(code);
        if (type is not { Active: true }) return Error(format, 404, $"没有服务 {code}", $"No service {code}");
        var attributes = Open311Attributes.For(code).Select(a => (object?)new O311Object()
            .Add("variable", true)
            .Add("code", a.Code)
            .Add("datatype", a.Datatype)
            .Add("required", a.Required)
            .Add("datatype_description", null)
            .Add("order", a.Order)
            .Add("description", a.Description)
            .Add("values", new O311List("value", a.Values.Select(v => (object?)new O311Object().Add("key", v.Key).Add("name", v.Name)).ToList())))
            .ToList();
        return Open311Format.Write(format, new O311Answer("service_definition", new O311Object()
            .Add("service_code", type.Code)
            .Add("attributes", new O311List("attribute", attributes))));
    }

    /// <summary>
    /// The key comes from the <c>api_key</c> parameter as the spec says, or from the usual headers. Null
    /// without an error: no key was given. A key that does not hold is an error, never a silent downgrade.
    /// </summary>
    private static async Task<(Actor? Actor, bool Invalid)> KeyActorAsync(string? apiKey, IActorAccessor actors, OneGridDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(apiKey)) return (actors.Current.IsApiClient ? actors.Current : null, false);
        apiKey = apiKey.Trim();
        if (!ApiKeySecrets.TryGetPrefix(apiKey, out var prefix)) return (null, true);
        var row = await db.ApiKeys.AsNoTracking().Include(k => k.Grants).FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
        if (row is null || row.Revoked || !ApiKeySecrets.Matches(apiKey, row.Hash)) return (null, true);
        return (new Actor(row.ActorId, row.Name, row.Name, row.Grants.Select(g => g.ToGrant()).ToList()), false);
    }

    internal static async Task<IResult> PostRequest(string format, HttpContext http, CaseService cases, CatalogCache catalog,
        TerritoryIndexHolder territory, IActorAccessor actors, OneGridDbContext db, CancellationToken ct)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        if (!http.Request.HasFormContentType)
        {
            return Error(format, 400, "请以 application/x-www-form-urlencoded 提交", "Send the request as application/x-www-form-urlencoded");
        }
        // Over the form limits the framework throws; the host's input handler answers 413/400 naming the limit.
        var form = await http.Request.ReadFormAsync(ct);
        foreach (var (fieldName, values) in form)
        {
            foreach (var v in values)
            {
                if (InputText.Fault(fieldName, v) is { } fault) return Error(format, 400, fault.Zh, fault.En);
            }
        }
        string? Field(string name) => form[name].ToString() is { Length: > 0 } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var (actor, invalid) = await KeyActorAsync(Field("api_key"), actors, db, ct);
        if (invalid) return InvalidKey(format);
        if (actor is null) return Error(format, 401, "缺少 api_key", "api_key is required");
        // The key in the form is this request's credential: the audit entry names it (apikey:<id>) as the actor.
        http.RequestServices.GetRequiredService<ActorAccessor>().Current = actor;

        var jurisdiction = Field("jurisdiction_id");
        if (jurisdiction is not null && territory.Current.Find(jurisdiction) is not { Level: UnitLevel.District })
        {
            return Error(format, 404, $"不受理辖区 {jurisdiction} 的请求", $"jurisdiction_id {jurisdiction} is not served here");
        }

        var code = Field("service_code");
        if (code is null) return Error(format, 400, "缺少 service_code", "service_code is required");
        var type = (await catalog.GetAsync(ct)).FindType(code);
        if (type is not { Active: true }) return Error(format, 400, $"没有服务 {code}", $"service_code {code} is not a service");

        var answers = new List<string>();
        foreach (var a in Open311Attributes.For(code))
        {
            var value = Field($"attribute[{a.Code}]");
            if (value is null)
            {
                if (a.Required) return Error(format, 400, $"缺少属性 attribute[{a.Code}]", $"attribute[{a.Code}] is required");
                continue;
            }
            var chosen = a.Values.FirstOrDefault(v => v.Key == value);
            if (a.Values.Count > 0 && chosen is null)
            {
                return Error(format, 400, $"attribute[{a.Code}] 应为 {string.Join("、", a.Values.Select(v => v.Key))} 之一",
                    $"attribute[{a.Code}] must be one of {string.Join(", ", a.Values.Select(v => v.Key))}");
            }
            answers.Add($"[{a.Code}: {value}{(chosen is null ? "" : " " + chosen.Name)}]");
        }

        var latText = Field("lat");
        var lonText = Field("long");
        if (latText is null || lonText is null)
        {
            return Field("address_string") is not null
                ? Error(format, 400, "请提供经纬度 lat 和 long：本系统按位置定位网格，不能仅凭地址受理",
                    "lat and long are required: requests are placed in their grid by coordinates, an address_string alone cannot be resolved")
                : Error(format, 400, "缺少位置：请提供 lat 和 long", "A location is required: lat and long");
        }
        if (!double.TryParse(latText, NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
            !double.TryParse(lonText, NumberStyles.Float, CultureInfo.InvariantCulture, out var lon))
        {
            return Error(format, 400, "lat 和 long 应为十进制度数", "lat and long must be decimal degrees");
        }
        if (!double.IsFinite(lat) || lat is < -90 or > 90) return Error(format, 400, "lat 应为 −90 到 90 之间的十进制度数", "lat must be decimal degrees between -90 and 90");
        if (!double.IsFinite(lon) || lon is < -180 or > 180) return Error(format, 400, "long 应为 −180 到 180 之间的十进制度数", "long must be decimal degrees between -180 and 180");
        if (jurisdiction is not null && territory.Current.Resolve(lon, lat) is { } place &&
            !place.Path.Any(u => u.Code == jurisdiction))
        {
            return Error(format, 400, $"该位置不在辖区 {jurisdiction} 内", $"The location is outside jurisdiction {jurisdiction}");
        }

        var description = string.Join(" ", new[] { Field("description") ?? type.Name }.Concat(answers));
        var first = Field("first_name");
        var last = Field("last_name");
        // Chinese names are family name first with no space; others as given.
        var name = first is null && last is null ? null
            : (first + last).Any(ch => ch > 0x7F) ? $"{last}{first}" : string.Join(" ", new[] { first, last }.Where(s => s is not null));

        var extras = new Dictionary<string, string?> { ["media_url"] = Field("media_url"), ["device_id"] = Field("device_id"), ["account_id"] = Field("account_id") }
            .Where(p => p.Value is not null).ToDictionary();
        // An Idempotency-Key header (an extension: GeoReport v2 has none) makes a client's retry answer with the first case.
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200) return Error(format, 400, "Idempotency-Key 过长", "Idempotency-Key is too long");
        var formHash = CaseService.HashBody(string.Join("\n", form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value)));

        ReportOutcome outcome;
        try
        {
            // What the client sent besides the report is kept in a timeline entry committed with it.
            outcome = await cases.ReportAsync(new ReportRequest(lon, lat, description, code, Field("address_string"), null,
                    ReporterName: name, ReporterPhone: Field("phone")), actor, ReporterKind.ApiClient, key.Length == 0 ? null : key, formHash,
                    AuditTrail.RecordOf(http, StatusCodes.Status200OK, null, null), ct,
                extras.Count > 0 ? new IntakeNote(IntakeAction, extras) : null);
        }
        catch (ProblemException e)
        {
            return Open311Format.Write(format, Open311Format.Errors(e.Status, e.Detail ?? Text.Pick(e.TitleZh, e.TitleEn)));
        }
        if (outcome.Audited) AuditTrail.MarkRecorded(http);
        var c = outcome.Case;
        if (outcome.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";

        var agency = outcome.Route.DepartmentName ?? outcome.Route.DepartmentCode;
        var notice = Text.Pick(
            $"已受理，事件编号 {c.Number}" + (agency is null ? "。" : $"，拟由{agency}处置。"),
            $"Received as case {c.Number}" + (agency is null ? "." : $"; proposed for {agency}."));
        return Open311Format.Write(format, new O311Answer("service_requests", new O311List("request",
        [
            new O311Object().Add("service_request_id", c.Number).Add("service_notice", notice).Add("account_id", Field("account_id")),
        ])));
    }

    /// <summary>
    /// Who reads what: a caller with a key (or signed in) reads the cases its grants reach, as on /api/v1/cases.
    /// Anonymous callers read every case of the districts served, but only the public GeoReport fields:
    /// no reporter is ever in them, and media_url is left out because files are served only to those who may read the case.
    /// </summary>
    private static async Task<(IQueryable<Case>? Query, bool Public, IResult? Error)> ReadableAsync(string format, HttpContext http,
        IActorAccessor actors, OneGridDbContext db, CancellationToken ct)
    {
        var (keyActor, invalid) = await KeyActorAsync(http.Request.Query["api_key"].ToString(), actors, db, ct);
        if (invalid) return (null, false, InvalidKey(format));
        var actor = keyActor ?? actors.Current;
        var cases = db.Cases.AsNoTracking();
        return actor.IsAnonymous ? (cases, true, null) : (cases.VisibleTo(actor), false, null);
    }

    internal static async Task<IResult> GetRequest(string id, string format, HttpContext http, IActorAccessor actors, OneGridDbContext db,
        CatalogCache catalog, TerritoryIndexHolder territory, CancellationToken ct)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var (query, isPublic, error) = await ReadableAsync(format, http, actors, db, ct);
        if (error is not null) return error;
        var c = await query!.FirstOrDefaultAsync(x => x.Number == id, ct);
        if (c is null) return Error(format, 404, $"没有服务请求 {id}", $"No service request {id}");
        return Open311Format.Write(format, new O311Answer("service_requests",
            new O311List("request", await ToRequestsAsync([c], isPublic, http, db, catalog, territory, ct))));
    }

    internal static async Task<IResult> ListRequests(string format, HttpContext http, IActorAccessor actors, OneGridDbContext db,
        CatalogCache catalog, TerritoryIndexHolder territory, TimeProvider time, CancellationToken ct,
        string? service_request_id = null, string? service_code = null, string? start_date = null, string? end_date = null,
        string? status = null, string? jurisdiction_id = null)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var (query, isPublic, error) = await ReadableAsync(format, http, actors, db, ct);
        if (error is not null) return error;
        var q = query!;
        if (!string.IsNullOrWhiteSpace(jurisdiction_id))
        {
            if (territory.Current.Find(jurisdiction_id) is not { Level: UnitLevel.District })
                return Error(format, 404, $"不受理辖区 {jurisdiction_id} 的请求", $"jurisdiction_id {jurisdiction_id} is not served here");
            q = q.Where(c => c.DistrictCode == jurisdiction_id);
        }
        // As the spec says: with service_request_id every other filter is ignored.
        if (!string.IsNullOrWhiteSpace(service_request_id))
        {
            var ids = Split(service_request_id);
            q = q.Where(c => ids.Contains(c.Number));
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(service_code))
            {
                var codes = Split(service_code);
                q = q.Where(c => c.CategoryCode != null && codes.Contains(c.CategoryCode));
            }
            var window = Window(format, start_date, end_date, time);
            if (window.Error is not null) return window.Error;
            var (from, to) = (window.From, window.To);
            q = q.Where(c => c.ReportedAt >= from && c.ReportedAt <= to);
            if (!string.IsNullOrWhiteSpace(status))
            {
                var statuses = Split(status);
                if (statuses.Any(s => s is not ("open" or "closed"))) return Error(format, 400, "status 应为 open 或 closed", "status must be open or closed");
                var open = statuses.Contains("open");
                var closed = statuses.Contains("closed");
                if (open != closed)
                {
                    q = open
                        ? q.Where(c => c.State != CaseState.Closed && c.State != CaseState.Rejected)
                        : q.Where(c => c.State == CaseState.Closed || c.State == CaseState.Rejected);
                }
            }
        }
        var rows = await q.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).Take(MaxRows).ToListAsync(ct);
        return Open311Format.Write(format, new O311Answer("service_requests",
            new O311List("request", await ToRequestsAsync(rows, isPublic, http, db, catalog, territory, ct))));
    }

    internal static async Task<IResult> GetToken(string token, string format, OneGridDbContext db, CancellationToken ct)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        // Requests are created at once, so the token we would issue is the case number itself; only cases posted by API clients have one.
        var number = await db.Cases.AsNoTracking().Where(c => c.Number == token && c.ReporterKind == ReporterKind.ApiClient)
            .Select(c => c.Number).FirstOrDefaultAsync(ct);
        if (number is null) return Error(format, 404, $"没有令牌 {token}", $"No token {token}");
        return Open311Format.Write(format, new O311Answer("service_requests", new O311List("request",
            [new O311Object().Add("service_request_id", number).Add("token", token)])));
    }

    internal static async Task<IResult> Updates(string format, HttpContext http, IActorAccessor actors, OneGridDbContext db, TimeProvider time,
        CancellationToken ct, string? start_date = null, string? end_date = null)
    {
        if (!Open311Format.IsKnown(format)) return UnknownFormat();
        var (query, isPublic, error) = await ReadableAsync(format, http, actors, db, ct);
        if (error is not null) return error;
        var window = Window(format, start_date, end_date, time);
        if (window.Error is not null) return window.Error;
        var (from, to) = (window.From, window.To);
        var rows = await db.CaseEvents.AsNoTracking().Where(e => e.At >= from && e.At <= to)
            .Join(query!, e => e.CaseId, c => c.Id, (e, c) => new { e.Id, c.Number, e.ToState, e.At, e.Action, e.Note })
            .OrderByDescending(x => x.At).ThenByDescending(x => x.Id).Take(MaxRows).ToListAsync(ct);
        var updates = rows.Select(x => (object?)new O311Object()
            .Add("update_id", x.Id.ToString(CultureInfo.InvariantCulture))
            .Add("service_request_id", x.Number)
            .Add("status", StatusOf(x.ToState))
            .Add("updated_datetime", x.At)
            // Staff notes may name people: only callers who may read the case get them.
            .Add("description", $"{x.Action} · {x.ToState} {CaseService.StateZh(x.ToState)}" + (isPublic || x.Note is null ? "" : ": " + x.Note))).ToList();
        return Open311Format.Write(format, new O311Answer("service_request_updates", new O311List("request_update", updates)));
    }

    private static (DateTimeOffset From, DateTimeOffset To, IResult? Error) Window(string format, string? start, string? end, TimeProvider time)
    {
        DateTimeOffset? Parse(string? s) =>
            string.IsNullOrWhiteSpace(s) ? null
            : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime()
            : DateTimeOffset.MinValue;
        var from = Parse(start);
        var to = Parse(end);
        if (from == DateTimeOffset.MinValue || to == DateTimeOffset.MinValue)
        {
            return (default, default, Error(format, 400, "start_date 和 end_date 应为 ISO 8601 时间", "start_date and end_date must be ISO 8601 date-times"));
        }
        // Compared in UTC: PostgreSQL's timestamptz takes no other offset. The spec's defaults: end now, start 90 days before the end.
        var end2 = to ?? time.GetUtcNow();
        var start2 = from ?? end2 - DefaultWindow;
        if (start2 > end2) return (default, default, Error(format, 400, "start_date 晚于 end_date", "start_date is after end_date"));
        return (start2, end2, null);
    }

    private static List<string> Split(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static string StatusOf(CaseState state) => state is CaseState.Closed or CaseState.Rejected ? "closed" : "open";

    private static async Task<List<object?>> ToRequestsAsync(IReadOnlyList<Case> rows, bool isPublic, HttpContext http, OneGridDbContext db,
        CatalogCache catalog, TerritoryIndexHolder territory, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        var media = isPublic ? new Dictionary<long, string>() : await MediaUrlsAsync(rows.Select(c => c.Id).ToList(), http, db, ct);
        return rows.Select(c => (object?)new O311Object()
            .Add("service_request_id", c.Number)
            .Add("status", StatusOf(c.State))
            .Add("status_notes", $"{c.State} {CaseService.StateZh(c.State)}")
            .Add("service_name", c.CategoryCode is { } code && snapshot.FindType(code) is { } t ? Text.Pick(t.Name, t.NameEn ?? t.Name) : null)
            .Add("service_code", c.CategoryCode)
            .Add("description", c.Description)
            .Add("agency_responsible", Agency(c, snapshot, territory.Current))
            .Add("service_notice", null)
            .Add("requested_datetime", c.ReportedAt)
            .Add("updated_datetime", c.UpdatedAt)
            .Add("expected_datetime", c.PhaseDueAt)
            .Add("address", c.Address)
            .Add("address_id", null)
            .Add("zipcode", null)
            .Add("lat", c.Lat)
            .Add("long", c.Lon)
            .Add("media_url", media.GetValueOrDefault(c.Id))).ToList();
    }

    /// <summary>The department handling it once dispatched; until then the unit that owns dispatching it.</summary>
    private static string Agency(Case c, CatalogSnapshot snapshot, TerritoryIndex territory)
    {
        if (c.DepartmentCode is { } d)
        {
            return snapshot.FindDepartment(d) is { } dep ? $"{dep.Code} {Text.Pick(dep.Name, dep.NameEn ?? dep.Name)}"
                : territory.Find(d) is { } unit ? $"{unit.Code} {unit.Name}" : d;
        }
        return territory.Find(c.OwningUnitCode) is { } owner ? $"{owner.Code} {owner.Name}" : c.OwningUnitCode;
    }

    /// <summary>The first photo of each case as an absolute URL, else the media_url its GeoReport client sent.</summary>
    private static async Task<Dictionary<long, string>> MediaUrlsAsync(List<long> ids, HttpContext http, OneGridDbContext db, CancellationToken ct)
    {
        var result = new Dictionary<long, string>();
        if (ids.Count == 0) return result;
        var files = await db.CaseAttachments.AsNoTracking().Where(a => ids.Contains(a.CaseId)).OrderBy(a => a.Id)
            .Select(a => new { a.CaseId, a.Sha256 }).ToListAsync(ct);
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        foreach (var f in files) result.TryAdd(f.CaseId, $"{baseUrl}/api/v1/files/{f.Sha256}");
        var sent = await db.CaseEvents.AsNoTracking().Where(e => e.Action == IntakeAction && ids.Contains(e.CaseId))
            .Select(e => new { e.CaseId, e.Data }).ToListAsync(ct);
        foreach (var e in sent)
        {
            if (result.ContainsKey(e.CaseId) || e.Data is null) continue;
            if (JsonSerializer.Deserialize<Dictionary<string, string?>>(e.Data)?.GetValueOrDefault("media_url") is { } url) result[e.CaseId] = url;
        }
        return result;
    }
}
