using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Catalog;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Cases;

public sealed record ReportRequest(double? Lon, double? Lat, string? Description, string? CategoryCode, string? Address,
    IReadOnlyList<string>? Photos, bool SelfHandled = false, string? ReporterName = null, string? ReporterPhone = null,
    bool PhoneLookup = false);

public sealed record CaseActionRequest(string? Reason = null, string? Note = null, string? DepartmentCode = null, string? CategoryCode = null,
    string? Result = null, IReadOnlyList<string>? Evidence = null, string? DuplicateOf = null, int? Rating = null, double? Hours = null);

public sealed record ReportOutcome(Case Case, RouteProposal Route, IReadOnlyList<Resolution> Path, bool Replayed, IReadOnlyList<DuplicateCandidate> PossibleDuplicates)
{
    /// <summary>The report's audit entry was committed with it.</summary>
    public bool Audited { get; init; }
}

public sealed record DuplicateCandidate(long Id, string Number, double DistanceMeters);

/// <summary>A second timeline entry written with the report, in its transaction: what an intake channel received besides the report (Open311's media_url, say).</summary>
public sealed record IntakeNote(string Action, object Data);

/// <summary>
/// How a case moves: intake of reports, every action of the closed loop, and the phase clocks. Each change
/// writes the case and its timeline entry in one transaction.
/// </summary>
public sealed class CaseService(
    OneGridDbContext db, TerritoryIndexHolder territory, ICaseRouter router, WorkflowEngine<Case, CaseState> engine, CasePhotos casePhotos,
    ReportWriter writer, DuplicateFinder duplicates, OpenCaseIndex openCases, IOptions<CaseOptions> options,
    ReporterKeys keys, TimeProvider time, ILogger<CaseService> logger)
{
    private readonly CaseOptions _options = options.Value;

    public const int CourierPointsPerCase = 1;

    public Task<ReportOutcome> ReportAsync(ReportRequest request, Actor actor, ReporterKind reporterKind,
        string? idempotencyKey, string requestHash, CancellationToken ct) =>
        ReportAsync(request, actor, reporterKind, idempotencyKey, requestHash, audit: null, ct);

    /// <summary>
    /// Validates, resolves, routes and writes a report. With <paramref name="audit"/> the report's audit entry is
    /// committed with it (the outcome says so: <see cref="ReportOutcome.Audited"/>).
    /// </summary>
    public async Task<ReportOutcome> ReportAsync(ReportRequest request, Actor actor, ReporterKind reporterKind,
        string? idempotencyKey, string requestHash, AuditRecord? audit, CancellationToken ct, IntakeNote? note = null)
    {
        var scopedKey = idempotencyKey is null ? null : (actor.UserId ?? "anonymous") + ":" + idempotencyKey;
        if (scopedKey is not null && await ReplayAsync(scopedKey, requestHash, actor, ct) is { } replay) return replay;

        var (lon, lat, description) = ValidateReport(request);
        var place = territory.Current.Resolve(lon, lat)
            ?? throw new ProblemException(422, "outside-territory", "该位置不在辖区范围内", "The location is outside the territory",
                Kernel.Text.Pick($"经度 {lon}、纬度 {lat} 不在任何网格内。", $"lon {lon}, lat {lat} is in no grid."),
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["lon"] = ["outside"], ["lat"] = ["outside"] } });
        var route = await router.ProposeAsync(NullIfBlank(request.CategoryCode), description, place, ct)
            ?? throw ProblemException.Invalid("categoryCode", $"类别编码 {request.CategoryCode} 不存在", $"Unknown category code {request.CategoryCode}");
        if (request.SelfHandled && reporterKind != ReporterKind.GridWorker)
        {
            throw ProblemException.Invalid("selfHandled", "只有网格员可以上报自处置事件", "Only a grid worker can report a case as handled on the spot");
        }
        if (request.SelfHandled && !actor.Reaches(place.Grid.Code, Role.GridWorker))
        {
            // Handled on the spot means in one's own grid; elsewhere it is an ordinary report for that grid's community.
            throw new ProblemException(403, "self-handle-outside-grid", "只能在自己的网格内上报自处置事件", "You can report a case as handled on the spot only in your own grids",
                Kernel.Text.Pick($"该位置属于网格 {place.Grid.Code}，不在您的网格员授权范围内；请作为普通事件上报。",
                    $"The location is in grid {place.Grid.Code}, which none of your grid-worker grants covers; report it as an ordinary case."),
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["selfHandled"] = ["outside your grids"] } });
        }
        string? phoneKey = null;
        if (request.PhoneLookup)
        {
            phoneKey = keys.PhoneKeyOf(request.ReporterPhone)
                ?? throw ProblemException.Invalid("reporterPhone", "要以后用手机号查询，请填写正确的手机号",
                    "To look your reports up by phone later, give a valid phone number");
        }
        var photos = await casePhotos.StoreAsync(request.Photos, "photos", ct);

        var now = time.GetUtcNow();
        var c = new Case
        {
            Number = "",
            State = request.SelfHandled ? CaseState.Handled : CaseState.Reported,
            Description = description,
            Address = NullIfBlank(request.Address),
            Lon = lon,
            Lat = lat,
            Cell = Case.CellOf(lon, lat),
            GridCode = place.Grid.Code,
            CommunityCode = route.CommunityCode,
            StreetCode = route.StreetCode,
            DistrictCode = route.DistrictCode,
            LocationNearest = place.Nearest,
            CategoryCode = route.CategoryCode,
            CategorySuggested = route.CategorySuggested,
            PlatformCode = route.PlatformCode,
            ProposedDepartmentCode = route.DepartmentCode,
            RouteExplanation = route.StoredExplanation,
            RouteExplanationEn = route.ExplanationEn,
            OwningLevel = OwningLevel.Community,
            OwningUnitCode = route.CommunityCode,
            ReporterKind = reporterKind,
            ReporterId = actor.UserId,
            ReporterName = NullIfBlank(request.ReporterName) ?? actor.DisplayName ?? actor.UserName,
            ReporterPhone = NullIfBlank(request.ReporterPhone),
            ReporterPhoneKey = phoneKey,
            SelfHandled = request.SelfHandled,
            ReportedAt = now,
            HandledAt = request.SelfHandled ? now : null,
            UpdatedAt = now,
            HandlingLimitHours = route.HandlingLimit?.TotalHours ?? _options.DefaultHandleHours,
            HandlingLimitKind = route.LimitKind,
        };
        ((CaseWorkflow)engine.Definition).StartPhase(c, request.SelfHandled ? Phase.Verify : Phase.Register, engine.Clock, now);

        var report = new PendingReport(c,
            NewEvent(c, request.SelfHandled ? "report-self-handled" : "report", null, c.State, actor, null,
                new { grid = c.GridCode, nearest = place.Nearest, route = route.Explanation, photos = photos.Select(p => p.Sha256) }, now),
            photos.Select(p => new CaseAttachment { Sha256 = p.Sha256, ContentType = p.ContentType, Size = p.Size, Purpose = "report", CreatedAt = now }).ToList(),
            scopedKey is null ? null : new IdempotencyRecord { Key = scopedKey, RequestHash = requestHash, CreatedAt = now }, audit)
        {
            Note = note is null ? null : NewEvent(c, note.Action, c.State, c.State, actor, null, note.Data, now),
        };
        try
        {
            await writer.WriteAsync(report, ct);
        }
        catch (Exception e) when (scopedKey is not null && e is DbUpdateException or System.Data.Common.DbException)
        {
            // Two retries raced: the other one committed first. Answer with its case.
            if (await ReplayAsync(scopedKey, requestHash, actor, ct) is { } raced) return raced;
            throw;
        }

        return new ReportOutcome(c, route, [place], false, await DuplicatesAfterCommitAsync(c, ct)) { Audited = audit is not null };
    }

    /// <summary>
    /// Open cases nearby as the reporter would find them right after the commit (its batch-mates included):
    /// from this node's <see cref="OpenCaseIndex"/>, or from the database while the index is not loaded. The
    /// report is committed by now: a failed search leaves the proposal empty, it does not fail the report.
    /// </summary>
    private async Task<IReadOnlyList<DuplicateCandidate>> DuplicatesAfterCommitAsync(Case c, CancellationToken ct)
    {
        if (openCases.TryFind(c) is { } found) return found;
        try
        {
            return await duplicates.FindAsync(db, c, ct);
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning(e, "The duplicate search for case {Number} failed; it is answered without proposals", c.Number);
            return [];
        }
    }

    private async Task<ReportOutcome?> ReplayAsync(string key, string requestHash, Actor actor, CancellationToken ct)
    {
        var record = await db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, ct);
        if (record is null) return null;
        if (record.RequestHash != requestHash)
        {
            throw new ProblemException(422, "idempotency-key-reused", "幂等键已用于另一请求", "The Idempotency-Key was used for a different request",
                Kernel.Text.Pick("同一个 Idempotency-Key 只能用于内容相同的重试。", "Retries with the same Idempotency-Key must send the same body."));
        }
        var c = await db.Cases.AsNoTracking().FirstAsync(x => x.Id == record.CaseId, ct);
        var place = territory.Current.Resolve(c.Lon, c.Lat) ?? new Resolution(territory.Current.PathOf(c.GridCode), c.LocationNearest, null);
        var route = await router.ProposeAsync(c.CategoryCode, c.Description, place, ct);
        return new ReportOutcome(c, route!, [place], true, []);
    }

    private (double Lon, double Lat, string Description) ValidateReport(ReportRequest r)
    {
        if (r.Lon is not { } lon || !double.IsFinite(lon)) throw ProblemException.Invalid("lon", "缺少经度 lon", "lon is required");
        if (r.Lat is not { } lat || !double.IsFinite(lat)) throw ProblemException.Invalid("lat", "缺少纬度 lat", "lat is required");
        if (lon is < -180 or > 180) throw ProblemException.Invalid("lon", "经度 lon 必须在 −180 到 180 之间", "lon must be between -180 and 180");
        if (lat is < -90 or > 90) throw ProblemException.Invalid("lat", "纬度 lat 必须在 −90 到 90 之间", "lat must be between -90 and 90");
        var description = r.Description?.Trim();
        if (string.IsNullOrEmpty(description)) throw ProblemException.Invalid("description", "请描述问题", "description is required");
        ProblemException.RefuseControls("description", description);
        ProblemException.RefuseControls("address", r.Address);
        ProblemException.RefuseControls("reporterName", r.ReporterName);
        ProblemException.RefuseControls("reporterPhone", r.ReporterPhone);
        if (description.Length > _options.DescriptionMaxLength)
        {
            throw ProblemException.Invalid("description", $"描述不能超过 {_options.DescriptionMaxLength} 字", $"description is longer than {_options.DescriptionMaxLength} characters");
        }
        if (r.Photos is { Count: var n } && n > _options.MaxPhotos)
        {
            throw ProblemException.Invalid("photos", $"最多 {_options.MaxPhotos} 张照片", $"At most {_options.MaxPhotos} photos");
        }
        return (lon, lat, description);
    }

    /// <summary>Open cases of the same category within the radius and time window: proposed, a person merges.</summary>
    public Task<List<DuplicateCandidate>> FindDuplicatesAsync(Case c, CancellationToken ct) => duplicates.FindAsync(db, c, ct);

    /// <summary>Finds a case by id or number, or null when it does not exist or the actor may not read it (the two look the same).</summary>
    public async Task<Case?> FindVisibleAsync(string idOrNumber, Actor actor, bool track, CancellationToken ct)
    {
        var query = track ? db.Cases : db.Cases.AsNoTracking();
        var c = long.TryParse(idOrNumber, out var id)
            ? await query.FirstOrDefaultAsync(x => x.Id == id, ct)
            : await query.FirstOrDefaultAsync(x => x.Number == idOrNumber, ct);
        return c is not null && CaseActions.CanRead(c, actor) ? c : null;
    }

    /// <summary>
    /// One action of the closed loop (<see cref="CaseWorkflow"/>): checked and performed by the workflow kernel, the case
    /// and its timeline entry committed together.
    /// </summary>
    public Task<Case> ActAsync(string idOrNumber, string action, CaseActionRequest body, Actor actor, CancellationToken ct) =>
        ActAsync(idOrNumber, action, InputsOf(action, body), actor, ct);

    /// <summary>The same with the inputs as a page's form gives them (<see cref="CaseWorkflow"/> declares which).</summary>
    public async Task<Case> ActAsync(string idOrNumber, string action, WorkflowInputs inputs, Actor actor, CancellationToken ct)
    {
        engine.Require(action);
        var c = await FindVisibleAsync(idOrNumber, actor, track: true, ct) ?? throw NotFound(idOrNumber);
        return await engine.ActAsync(c, action, inputs, actor, ct);
    }

    /// <summary>The API's action body as the kernel's inputs (a handling result may come as the note, as it always could).</summary>
    public static WorkflowInputs InputsOf(string action, CaseActionRequest body)
    {
        var inputs = new WorkflowInputs()
            .Set("reason", body.Reason).Set("note", body.Note).Set("departmentCode", body.DepartmentCode).Set("categoryCode", body.CategoryCode)
            .Set("result", action.Equals(CaseActions.Handle, StringComparison.OrdinalIgnoreCase) ? body.Result ?? body.Note : body.Result)
            .Set("duplicateOf", body.DuplicateOf).Set("rating", body.Rating is { } r ? (double)r : null).Set("hours", body.Hours);
        if (body.Evidence is { } evidence) inputs.Set("evidence", evidence);
        return inputs;
    }

    /// <summary>A case as its page and GET /cases/{id} show it to this actor: personal data masked unless the role needs it.</summary>
    public async Task<CaseDetail> DetailAsync(Case c, Actor actor, CancellationToken ct)
    {
        var events = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == c.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var attachments = await db.CaseAttachments.AsNoTracking().Where(a => a.CaseId == c.Id).OrderBy(a => a.Id).ToListAsync(ct);
        var mergedInto = c.MergedIntoId is { } m ? await db.Cases.Where(x => x.Id == m).Select(x => x.Number).FirstOrDefaultAsync(ct) : null;
        var path = territory.Current.PathOf(c.GridCode).Select(u => new PathItem(u.Code, u.Name, u.Level.ToWire())).ToList();
        var seesPersonalData = CaseActions.IsOwner(c, actor) || CaseActions.IsReporter(c, actor) || actor.Reaches(c.CommunityCode, Role.CommunityOperator);
        return new CaseDetail(CaseEndpoints.Summary(c, whole: true), c.Lon, c.Lat, c.Address, path, c.LocationNearest, c.PlatformCode, c.ProposedDepartmentCode, c.RouteExplanationText,
            c.ReporterKind.ToString(), seesPersonalData ? c.ReporterName : CaseEndpoints.MaskName(c.ReporterName),
            seesPersonalData ? c.ReporterPhone : CaseEndpoints.MaskPhone(c.ReporterPhone), c.SelfHandled, c.HandlingResult, c.Satisfaction, mergedInto,
            c.ReworkCount, c.ReturnCount, c.EscalationCount,
            events.Select(e => new TimelineEntry(e.Id, e.At.ToOffset(CaseEndpoints.China), e.Action, e.FromState?.ToString(), e.ToState.ToString(), e.ActorName, e.Note,
                e.Data is null ? null : JsonDocument.Parse(e.Data).RootElement)).ToList(),
            attachments.Select(a => new AttachmentView(a.Sha256, a.ContentType, a.Size, a.Purpose, $"/api/v1/files/{a.Sha256}")).ToList(),
            Available(c, actor));
    }

    /// <summary>The actions this actor can take on the case now.</summary>
    public IReadOnlyList<string> Available(Case c, Actor actor) => engine.Definition.Available(c, actor);

    /// <summary>
    /// The evaluation step of the closed loop taken by a resident without an account: the reporter key of the case
    /// (<see cref="ReporterKeys"/>) stands for "the reporter" of <see cref="CaseActions.IsReporter"/>. The same state
    /// rule as <c>rate</c>: a closed case, rated once.
    /// </summary>
    public async Task<Case> RateAsReporterAsync(string number, string? key, int? rating, CancellationToken ct)
    {
        number = number.Trim();
        if (!keys.Holds(number, key)) throw NotFound(number);
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Number == number, ct) ?? throw NotFound(number);
        if (!engine.Definition.AllowedInState(engine.Require(CaseActions.Rate), c))
        {
            throw c.Satisfaction is not null
                ? new ProblemException(409, "already-rated", "您已评价过", "You have already rated this case",
                    Kernel.Text.Pick("每个事件只能评价一次。", "A case is rated once."))
                : new ProblemException(409, "action-not-allowed-in-state", "事件办结后才能评价", "A case can be rated once it is closed",
                    Kernel.Text.Pick($"事件处于“{StateZh(c.State)}”状态。", $"The case is {c.State}."));
        }
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        await engine.ApplyAsSystemAsync(c, CaseActions.Rate, new WorkflowInputs().Set("rating", rating is { } r ? (double)r : null), Actor.Anonymous, time.GetUtcNow());
        await engine.SaveAsync(c, tx, ct);
        return c;
    }

    private static CaseEvent NewEvent(Case c, string action, CaseState? from, CaseState to, Actor actor, string? note, object? data, DateTimeOffset now) =>
        new()
        {
            CaseId = c.Id,
            At = now,
            Action = action,
            FromState = from,
            ToState = to,
            ActorId = actor.UserId,
            ActorName = actor.DisplayName ?? actor.UserName,
            Note = note,
            Data = data is null ? null : JsonSerializer.Serialize(data),
        };

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public static ProblemException NotFound(string idOrNumber) =>
        new(404, "case-not-found", "未找到该事件", "No such case", Kernel.Text.Pick($"事件 {idOrNumber} 不存在或无权查看。", $"Case {idOrNumber} does not exist or is not visible to you."));

    public static string StateZh(CaseState s) => s switch
    {
        CaseState.Reported => "待受理",
        CaseState.Registered => "已立案",
        CaseState.Rejected => "不予立案",
        CaseState.Dispatched => "已派遣",
        CaseState.InProgress => "处置中",
        CaseState.Handled => "待核查",
        CaseState.Closed => "已结案",
        _ => s.ToString(),
    };

    public static string HashBody(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    public static string HashBody(string body) => HashBody(Encoding.UTF8.GetBytes(body));
}
