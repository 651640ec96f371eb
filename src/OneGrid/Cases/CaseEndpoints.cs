using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Cases;

public sealed record RouteView(string? CategoryCode, string? CategoryName, bool CategorySuggested, string? PlatformCode, string? PlatformName,
    string? DepartmentCode, string? DepartmentName, string Explanation);

public sealed record ReportResponse(long Id, string Number, string State, IReadOnlyList<PathItem> Path, bool Nearest, RouteView Route,
    IReadOnlyList<DuplicateCandidate> PossibleDuplicates);

/// <summary>
/// A case as lists and the detail show it. The detail carries the whole <see cref="Description"/>; a list carries only
/// <see cref="DescriptionExcerpt"/>, named as what it is, so no client mistakes a cut text for the report.
/// </summary>
public sealed record CaseSummary(long Id, string Number, string State, string StateName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DescriptionExcerpt, string? CategoryCode,
    string GridCode, string CommunityCode, string StreetCode, string OwningLevel, string OwningUnitCode, string? DepartmentCode,
    bool Supervised, string Phase, DateTimeOffset? PhaseDueAt, bool Warned, bool Overdue, DateTimeOffset ReportedAt, DateTimeOffset UpdatedAt,
    double ExtendedHours = 0, double? ExtensionRequestedHours = null, bool SuspensionRequested = false, DateTimeOffset? SuspendedAt = null);

/// <summary>
/// A page of a case list. <c>total</c> is exact unless <c>totalAtLeast</c> is set: then at least that many match (counting
/// stops at <see cref="CaseListing.CountLimit"/>). <c>nextCursor</c> (null on the last page) and <c>previousCursor</c> (null on the
/// first) are passed back as <c>cursor</c> for the neighbouring page.
/// </summary>
public sealed record CasePage(IReadOnlyList<CaseSummary> Items, int Page, int PageSize, int Total, bool TotalAtLeast, string? NextCursor,
    string? PreviousCursor);

public sealed record TimelineEntry(long Id, DateTimeOffset At, string Action, string? FromState, string ToState, string? ActorName, string? Note, JsonElement? Data);

public sealed record AttachmentView(string Id, string ContentType, long Size, string Purpose, string Url);

public sealed record CaseDetail(CaseSummary Case, double Lon, double Lat, string? Address, IReadOnlyList<PathItem> Path, bool Nearest,
    string? PlatformCode, string? ProposedDepartmentCode, string RouteExplanation, string ReporterKind, string? ReporterName, string? ReporterPhone,
    bool SelfHandled, string? HandlingResult, int? Satisfaction, string? MergedInto, int ReworkCount, int ReturnCount, int EscalationCount,
    IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<AttachmentView> Attachments, IReadOnlyList<string> AllowedActions);

public static class CaseEndpoints
{
    /// <summary>
    /// Phones send a few compressed photos inline; bigger files go through POST /files first. Anything larger
    /// is refused before it is read.
    /// </summary>
    public const long MaxReportBytes = 16 * 1024 * 1024;

    internal static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Cases").AddEndpointFilter<CaseProblemFilter>();
        api.MapPost("/reports", PostReport).WithName("PostReport").WithSummary("Report a problem: resolved to its grid, routed, numbered.")
            .Accepts<ReportRequest>("application/json").RequireRateLimiting(AccessRateLimits.Anonymous);
        api.MapPost("/files", PostFile).WithName("PostFile")
            .WithSummary("Upload a photo or document (type decided by content); returns the token that attaches it (within 24 h) and its SHA-256.")
            .DisableAntiforgery().RequireRateLimiting(AccessRateLimits.Anonymous);
        api.MapGet("/files/{id}", GetFile).WithName("GetFile");
        api.MapGet("/cases", ListCases).WithName("ListCases").WithSummary("Cases the caller may see, filtered, paged and sorted.");
        api.MapGet("/inbox", Inbox).WithName("Inbox").WithSummary("Cases waiting for the caller to act.");
        api.MapGet("/cases/{id}", GetCase).WithName("GetCase").WithSummary("A case with its timeline, attachments and the actions the caller may take.");
        api.MapPost("/cases/{id}/reveal-contact", RevealContact).WithName("RevealReporterContact")
            .WithSummary("The reporter's unmasked name and phone, for staff who can read the case; recorded in the audit log.");
        api.MapPost("/cases/{id}/{action}", Act).WithName("ActOnCase").WithSummary("register, reject, merge, dispatch, sign, return, handle, verify, rework, reopen, escalate, supervise, unsupervise, rate");
        return app;
    }

    internal static async Task<IResult> PostReport(HttpContext http, CaseService cases, IActorAccessor actors, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (http.Request.ContentLength is > MaxReportBytes) return TooLarge();
        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "请以 JSON 提交", "Send the report as application/json");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxReportBytes;
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        ReportRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ReportRequest>(body, json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            return MalformedJson(e);
        }
        if (request is null) return Problems.InvalidField("body", "请求体为空", "The body is empty");

        var actor = actors.Current;
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200) return Problems.InvalidField("Idempotency-Key", "Idempotency-Key 过长", "Idempotency-Key is too long");
        var outcome = await cases.ReportAsync(request, actor, ReporterKindOf(actor), key.Length == 0 ? null : key, CaseService.HashBody(body),
            AuditTrail.RecordOf(http, StatusCodes.Status201Created, null, null), ct);
        if (outcome.Audited) AuditTrail.MarkRecorded(http);
        var c = outcome.Case;
        var route = outcome.Route;
        var response = new ReportResponse(c.Id, c.Number, c.State.ToString(), TerritoryEndpoints.ToResponse(outcome.Path[0]).Path, c.LocationNearest,
            new RouteView(route.CategoryCode, route.CategoryName, route.CategorySuggested, route.PlatformCode, route.PlatformName,
                route.DepartmentCode, route.DepartmentName, route.Explanation),
            outcome.PossibleDuplicates);
        if (outcome.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Created($"/api/v1/cases/{c.Id}", response);
    }

    /// <summary>A body that is not JSON, or has a field of the wrong type: 400 naming the field where the parser knows it.</summary>
    private static IResult MalformedJson(JsonException e)
    {
        var field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body";
        return Problems.InvalidField(field, $"JSON 格式或字段类型有误（{e.Path}）", $"Malformed JSON or a field of the wrong type ({e.Path})");
    }

    private static IResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "请求体过大", "The request body is too large",
            Text.Pick($"上限 {MaxReportBytes / 1024 / 1024} MB。", $"The limit is {MaxReportBytes / 1024 / 1024} MB."));

    public static ReporterKind ReporterKindOf(Actor actor) =>
        actor.IsAnonymous ? ReporterKind.Resident
        : actor.UserId!.StartsWith("apikey:", StringComparison.Ordinal) ? ReporterKind.ApiClient
        : actor.HasRole(Role.GridWorker) ? ReporterKind.GridWorker
        : actor.HasRole(Role.Courier) ? ReporterKind.Courier
        : ReporterKind.Staff;

    internal static async Task<IResult> PostFile(HttpContext http, AttachmentStore store, OneGridDbContext db, IActorAccessor actors,
        TimeProvider time, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType) return Problems.InvalidField("file", "请以 multipart/form-data 上传 file 字段", "Upload the field 'file' as multipart/form-data");
        var form = await http.Request.ReadFormAsync(ct);
        var file = form.Files["file"];
        if (file is null || file.Length == 0) return Problems.InvalidField("file", "缺少文件", "The file is missing");
        if (file.Length > AttachmentStore.MaxBytes) return TooLarge();
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var stored = await store.SaveAsync(buffer.ToArray(), ct);
        if (stored is null)
        {
            return Problems.InvalidField("file", "文件内容不是支持的图片或文档（JPEG、PNG、GIF、WebP、PDF）", "The content is not a supported image or document (JPEG, PNG, GIF, WebP, PDF)");
        }
        var (token, tokenHash) = AttachmentStore.NewToken();
        var now = time.GetUtcNow();
        var actor = actors.Current;
        db.FileUploads.Add(new FileUpload
        {
            TokenHash = tokenHash, Sha256 = stored.Sha256, ContentType = stored.ContentType, Size = stored.Size,
            UploadedBy = actor.IsAnonymous ? null : actor.UserId, CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        AuditTrail.Note(http, "files/" + stored.Sha256, $"upload {stored.ContentType}, {stored.Size} bytes");
        return TypedResults.Created($"/api/v1/files/{stored.Sha256}", new
        {
            token, sha256 = stored.Sha256, contentType = stored.ContentType, size = stored.Size, expiresAt = now + FileUpload.AttachWithin,
        });
    }

    /// <summary>
    /// Only to those who may read a case holding the file. Served as what the sniffed type says and nothing
    /// else (nosniff); images are shown inline, anything else (PDF) is a download, so no stored file runs as a page.
    /// </summary>
    internal static async Task<IResult> GetFile(string id, HttpContext http, OneGridDbContext db, AttachmentStore store, IActorAccessor actors,
        CancellationToken ct)
    {
        var actor = actors.Current;
        var attachment = await db.CaseAttachments.AsNoTracking().Where(a => a.Sha256 == id)
            .Join(db.Cases.VisibleTo(actor), a => a.CaseId, c => c.Id, (a, c) => a).FirstOrDefaultAsync(ct)
            ?? await PublicResultPhotoAsync(db, id, ct);
        if (attachment is null || store.Open(id) is not { } stream)
        {
            return Problems.NotFound("file-not-found", "文件不存在", "No such file");
        }
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var image = attachment.ContentType.StartsWith("image/", StringComparison.Ordinal);
        var name = id + attachment.ContentType switch
        {
            "image/jpeg" => ".jpg", "image/png" => ".png", "image/gif" => ".gif", "image/webp" => ".webp", "application/pdf" => ".pdf", _ => "",
        };
        http.Response.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue(image ? "inline" : "attachment")
        {
            FileName = name,
        }.ToString();
        return Results.File(stream, attachment.ContentType, enableRangeProcessing: true);
    }

    /// <summary>
    /// The one exception to "readers of the case only": a photo of the result that closed a case (closed, not merged;
    /// <see cref="CaseAttachment.IsResultPhotoOf"/>), which the public tracking page shows.
    /// </summary>
    private static async Task<CaseAttachment?> PublicResultPhotoAsync(OneGridDbContext db, string sha256, CancellationToken ct)
    {
        var candidates = await db.CaseAttachments.AsNoTracking()
            .Where(a => a.Sha256 == sha256 && a.Purpose == "evidence")
            .Join(db.Cases.Where(c => c.State == CaseState.Closed && c.MergedIntoId == null), a => a.CaseId, c => c.Id, (a, c) => new { a, c.HandledAt })
            .Take(20).ToListAsync(ct);
        return candidates.FirstOrDefault(x => x.a.IsResultPhotoOf(x.HandledAt))?.a;
    }

    internal static async Task<IResult> ListCases(OneGridDbContext db, IActorAccessor actors, [AsParameters] CaseFilter filter,
        string? sort, int? page, int? pageSize, string? cursor, CancellationToken ct) =>
        await PageAsync(db.Cases.AsNoTracking(), CaseQueries.VisibleBranches(actors.Current, filter.Unit?.Trim()), await filter.PrepareSearchAsync(db, ct), sort, page,
            pageSize, cursor, ct);

    internal static async Task<IResult> Inbox(OneGridDbContext db, IActorAccessor actors, string? sort, int? page, int? pageSize, string? cursor,
        CancellationToken ct) =>
        await PageAsync(db.Cases.AsNoTracking(), CaseQueries.InboxBranches(actors.Current), new CaseFilter(), sort ?? "due", page, pageSize, cursor, ct);

    private static async Task<IResult> PageAsync(IQueryable<Case> source, IReadOnlyList<System.Linq.Expressions.Expression<Func<Case, bool>>> branches,
        CaseFilter filter, string? sort, int? page, int? pageSize, string? cursor, CancellationToken ct)
    {
        var result = await CaseListing.PageAsync(source, branches, filter, sort, page, pageSize, cursor, ct);
        if (result.Problem is not null) return result.Problem;
        return TypedResults.Ok(new CasePage(result.Items.Select(c => Summary(c, whole: false)).ToList(), result.Page, result.PageSize, result.Total,
            result.TotalAtLeast, result.NextCursor, result.PreviousCursor));
    }

    internal static async Task<IResult> GetCase(string id, CaseService cases, OneGridDbContext db, IActorAccessor actors,
        TerritoryIndexHolder territory, CancellationToken ct)
    {
        var actor = actors.Current;
        var c = await cases.FindVisibleAsync(id, actor, track: false, ct);
        if (c is null) return Problem(CaseService.NotFound(id));
        return TypedResults.Ok(await cases.DetailAsync(c, actor, ct));
    }

    internal static async Task<IResult> Act(string id, string action, HttpContext http, CaseService cases, OneGridDbContext db,
        IActorAccessor actors, TerritoryIndexHolder territory, IOptions<JsonOptions> json, CancellationToken ct)
    {
        CaseActionRequest body = new();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<CaseActionRequest>(http.Request.Body, json.Value.SerializerOptions, ct) ?? new();
            }
            catch (JsonException e)
            {
                return MalformedJson(e);
            }
        }
        var actor = actors.Current;
        var c = await cases.ActAsync(id, action, body, actor, ct);
        return TypedResults.Ok(await cases.DetailAsync(c, actor, ct));
    }

    /// <summary>Staff who can read a case may see the reporter's contact to call back; the request itself is audited (a POST).</summary>
    internal static async Task<IResult> RevealContact(string id, HttpContext http, CaseService cases, IActorAccessor actors, CancellationToken ct)
    {
        var actor = actors.Current;
        var c = await cases.FindVisibleAsync(id, actor, track: false, ct);
        if (c is null) return Problem(CaseService.NotFound(id));
        if (actor.IsAnonymous || actor.IsCourier || actor.IsApiClient || CaseActions.IsReporter(c, actor))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "无权查看联系方式", "You may not see the reporter's contact");
        }
        AuditTrail.Note(http, $"cases/{c.Id}", $"revealed reporter contact of {c.Number}");
        return TypedResults.Ok(new { name = c.ReporterName, phone = c.ReporterPhone });
    }

    /// <summary>The case as its reader may see it (reporter masked unless they own it); the case page shows the same.</summary>
    public const int ExcerptLength = 200;

    public static CaseSummary Summary(Case c, bool whole) => new(c.Id, c.Number, c.State.ToString(), CaseService.StateZh(c.State),
        whole ? c.Description : null, whole ? null : Excerpt(c.Description), c.CategoryCode, c.GridCode, c.CommunityCode, c.StreetCode,
        c.OwningLevel.ToString(), c.OwningUnitCode, c.DepartmentCode, c.Supervised, c.Phase.ToString(), c.PhaseDueAt?.ToOffset(China),
        c.PhaseWarned, c.PhaseOverdue, c.ReportedAt.ToOffset(China), c.UpdatedAt.ToOffset(China),
        c.ExtendedHours, c.ExtensionRequestedHours, c.SuspensionRequested, c.SuspendedAt?.ToOffset(China));

    public static string Excerpt(string text) => text.Length > ExcerptLength ? text[..ExcerptLength] + "…" : text;

    /// <summary>138****1234: enough to recognise, not enough to call.</summary>
    public static string? MaskPhone(string? phone) =>
        phone is null ? null : phone.Length >= 7 ? phone[..3] + new string('*', phone.Length - 7) + phone[^4..] : new string('*', phone.Length);

    public static string? MaskName(string? name) => string.IsNullOrEmpty(name) ? name : name[..1] + new string('*', Math.Max(1, name.Length - 1));

    internal static ProblemHttpResult Problem(ProblemException e) => e.ToResult();

    /// <summary>Turns a broken case rule into its problem details; the transaction it interrupted was never committed.</summary>
    private sealed class CaseProblemFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (ProblemException e)
            {
                return Problem(e);
            }
        }
    }
}
