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

namespace OneGrid.Cases;

public sealed record ReportRequest(double? Lon, double? Lat, string? Description, string? CategoryCode, string? Address,
    IReadOnlyList<string>? Photos, bool SelfHandled = false, string? ReporterName = null, string? ReporterPhone = null,
    bool PhoneLookup = false);

public sealed record CaseActionRequest(string? Reason = null, string? Note = null, string? DepartmentCode = null, string? CategoryCode = null,
    string? Result = null, IReadOnlyList<string>? Evidence = null, string? DuplicateOf = null, int? Rating = null);

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
    OneGridDbContext db, TerritoryIndexHolder territory, ICaseRouter router, IWorkingCalendar calendar,
    AttachmentStore files, ReportWriter writer, DuplicateFinder duplicates, OpenCaseIndex openCases, IOptions<CaseOptions> options,
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
        var photos = await StorePhotosAsync(request.Photos, "photos", ct);

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
        StartPhase(c, request.SelfHandled ? Phase.Verify : Phase.Register, now);

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

    /// <summary>
    /// Photos are upload tokens from POST /api/v1/files or data: URIs; every one is checked before anything is
    /// written. A file's hash is not enough: whoever learnt it (from a case they may read) could otherwise
    /// attach someone else's photo to their own report and then read it.
    /// </summary>
    private async Task<List<StoredFile>> StorePhotosAsync(IReadOnlyList<string>? photos, string field, CancellationToken ct)
    {
        var result = new List<StoredFile>();
        if (photos is null) return result;
        var decoded = new List<byte[]>();
        foreach (var p in photos)
        {
            if (AttachmentStore.IsToken(p))
            {
                var tokenHash = AttachmentStore.HashToken(p);
                // Refused a little before the sweeper may delete it, so a file is never attached as it goes.
                var since = time.GetUtcNow() - FileUpload.AttachWithin;
                var upload = await db.FileUploads.AsNoTracking().FirstOrDefaultAsync(u => u.TokenHash == tokenHash && u.CreatedAt > since, ct);
                if (upload is null || !files.Exists(upload.Sha256))
                {
                    throw ProblemException.Invalid(field, "上传凭证无效或已过期（24 小时），请重新上传", "Unknown or expired upload token (24 h): upload the file again");
                }
                result.Add(new StoredFile(upload.Sha256, upload.ContentType, upload.Size));
                continue;
            }
            if (AttachmentStore.IsHash(p))
            {
                throw ProblemException.Invalid(field, "请使用上传文件时返回的 token，而不是文件哈希", "Attach an uploaded file by the token its upload returned, not by its hash");
            }
            var comma = p.IndexOf(',');
            if (!p.StartsWith("data:", StringComparison.Ordinal) || comma < 0 || !p[..comma].EndsWith(";base64", StringComparison.Ordinal))
            {
                throw ProblemException.Invalid(field, "照片须为上传文件返回的 token 或 base64 data URI", "Each photo must be an upload token or a base64 data: URI");
            }
            byte[] bytes;
            try { bytes = Convert.FromBase64String(p[(comma + 1)..]); }
            catch (FormatException) { throw ProblemException.Invalid(field, "照片的 base64 编码有误", "A photo is not valid base64"); }
            if (bytes.Length > AttachmentStore.MaxBytes)
                throw ProblemException.Invalid(field, $"照片不能超过 {AttachmentStore.MaxBytes / 1024 / 1024} MB", $"A photo is larger than {AttachmentStore.MaxBytes / 1024 / 1024} MB");
            if (AttachmentStore.Sniff(bytes.AsSpan(0, Math.Min(16, bytes.Length))) is null)
                throw ProblemException.Invalid(field, "文件内容不是支持的图片或文档（JPEG、PNG、GIF、WebP、PDF）", "The content is not a supported image or document (JPEG, PNG, GIF, WebP, PDF)");
            decoded.Add(bytes);
        }
        foreach (var bytes in decoded) result.Add((await files.SaveAsync(bytes, ct))!);
        return result;
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

    public async Task<Case> ActAsync(string idOrNumber, string action, CaseActionRequest body, Actor actor, CancellationToken ct)
    {
        action = action.ToLowerInvariant();
        if (!CaseActions.All.Contains(action))
        {
            throw new ProblemException(404, "unknown-action", "没有这个操作", "No such action",
                string.Join(", ", CaseActions.All), new Dictionary<string, object?> { ["actions"] = CaseActions.All });
        }
        ProblemException.RefuseControls("reason", body.Reason);
        ProblemException.RefuseControls("note", body.Note);
        ProblemException.RefuseControls("result", body.Result);
        var c = await FindVisibleAsync(idOrNumber, actor, track: true, ct) ?? throw NotFound(idOrNumber);
        var available = CaseActions.Available(c, actor);
        // The state is checked first: whoever can read the case learns what it allows now.
        if (!CaseActions.AllowedInState(action, c))
        {
            var sentAway = action == CaseActions.Escalate && c.State is CaseState.Dispatched or CaseState.InProgress && c.DepartmentCode is not null;
            throw new ProblemException(409, "action-not-allowed-in-state", "当前状态不允许此操作", "The action is not allowed in the case's state",
                sentAway
                    ? Kernel.Text.Pick($"事件已派遣给 {c.DepartmentCode}，由其签收、处置或退回；退回后才能上报上级。可执行：{Join(available)}",
                        $"The case was dispatched to {c.DepartmentCode}, which signs for, handles or returns it; it can be escalated once returned. Allowed now: {Join(available)}")
                    : Kernel.Text.Pick($"事件处于“{StateZh(c.State)}”状态，不能“{action}”。可执行：{Join(available)}",
                        $"The case is {c.State}; '{action}' is not possible. Allowed now: {Join(available)}"),
                new Dictionary<string, object?> { ["state"] = c.State.ToString(), ["allowedActions"] = available });
        }

        if (!CaseActions.AllowedFor(action, c, actor))
        {
            throw new ProblemException(403, "action-forbidden", "无权执行此操作", "You may not take this action on this case",
                Kernel.Text.Pick($"“{action}”不在您的职责范围内。您现在可以：{Join(available)}", $"'{action}' is not yours to take. You can now: {Join(available)}"),
                new Dictionary<string, object?> { ["state"] = c.State.ToString(), ["allowedActions"] = available });
        }
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        switch (action)
        {
            case CaseActions.Register:
                await RegisterAsync(c, body, actor, now, ct);
                break;
            case CaseActions.Reject:
                Transition(c, action, CaseState.Rejected, actor, Required(body.Reason, "reason"), null, now);
                StartPhase(c, Phase.None, now);
                c.ClosedAt = now;
                break;
            case CaseActions.Merge:
                await MergeAsync(c, body, actor, now, ct);
                break;
            case CaseActions.Dispatch:
                await DispatchAsync(c, body, actor, now, ct);
                break;
            case CaseActions.Sign:
                Transition(c, action, CaseState.InProgress, actor, body.Note, null, now);
                StartPhase(c, Phase.Handle, now);
                break;
            case CaseActions.Return:
                Transition(c, action, CaseState.Registered, actor, Required(body.Reason, "reason"), new { department = c.DepartmentCode }, now);
                c.ReturnCount++;
                c.DepartmentCode = null;
                StartPhase(c, Phase.Dispatch, now);
                break;
            case CaseActions.Handle:
            {
                var result = Required(body.Result ?? body.Note, "result");
                var evidence = await StorePhotosAsync(body.Evidence, "evidence", ct);
                c.HandlingResult = result;
                c.HandledAt = now;
                Transition(c, action, CaseState.Handled, actor, result, new { evidence = evidence.Select(e => e.Sha256) }, now);
                AddAttachments(c, evidence, "evidence", now);
                StartPhase(c, Phase.Verify, now);
                break;
            }
            case CaseActions.Verify:
                Transition(c, action, CaseState.Closed, actor, body.Note, null, now);
                c.ClosedAt = now;
                StartPhase(c, Phase.None, now);
                break;
            case CaseActions.Rework:
                Transition(c, action, CaseState.InProgress, actor, Required(body.Reason, "reason"), null, now);
                c.ReworkCount++;
                c.HandledAt = null;
                StartPhase(c, Phase.Handle, now);
                break;
            case CaseActions.Reopen:
                Transition(c, action, CaseState.Registered, actor, Required(body.Reason, "reason"), null, now);
                c.ReopenCount++;
                c.ClosedAt = null;
                c.DepartmentCode = null;
                StartPhase(c, Phase.Dispatch, now);
                break;
            case CaseActions.Escalate:
                Escalate(c, actor, Required(body.Reason, "reason"), now);
                break;
            case CaseActions.Supervise:
            case CaseActions.Unsupervise:
                c.Supervised = action == CaseActions.Supervise;
                Transition(c, action, c.State, actor, body.Note, null, now);
                break;
            case CaseActions.Rate:
                Rate(c, body.Rating, body.Note, actor, now);
                break;
        }
        await SaveAsync(c, tx, ct);
        return c;
    }

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
        if (!CaseActions.AllowedInState(CaseActions.Rate, c))
        {
            throw c.Satisfaction is not null
                ? new ProblemException(409, "already-rated", "您已评价过", "You have already rated this case",
                    Kernel.Text.Pick("每个事件只能评价一次。", "A case is rated once."))
                : new ProblemException(409, "action-not-allowed-in-state", "事件办结后才能评价", "A case can be rated once it is closed",
                    Kernel.Text.Pick($"事件处于“{StateZh(c.State)}”状态。", $"The case is {c.State}."));
        }
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        Rate(c, rating, null, Actor.Anonymous, time.GetUtcNow());
        await SaveAsync(c, tx, ct);
        return c;
    }

    private void Rate(Case c, int? rating, string? note, Actor actor, DateTimeOffset now)
    {
        if (rating is not (>= 1 and <= 5)) throw ProblemException.Invalid("rating", "评分须为 1 到 5", "rating must be 1 to 5");
        c.Satisfaction = rating;
        Transition(c, CaseActions.Rate, c.State, actor, note, new { rating }, now);
    }

    private async Task SaveAsync(Case c, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            openCases.Apply(c);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ProblemException(409, "concurrent-change", "事件已被他人修改", "The case was changed by someone else",
                Kernel.Text.Pick("请刷新后重试。", "Reload it and try again."));
        }
    }

    private async Task RegisterAsync(Case c, CaseActionRequest body, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var category = NullIfBlank(body.CategoryCode) ?? c.CategoryCode;
        if (category is null)
        {
            throw ProblemException.Invalid("categoryCode", "立案须确定事件类别", "Registering a case needs its category");
        }
        if (category != c.CategoryCode || c.CategorySuggested)
        {
            var place = new Resolution(territory.Current.PathOf(c.GridCode), c.LocationNearest, null);
            var route = await router.ProposeAsync(category, c.Description, place, ct)
                ?? throw ProblemException.Invalid("categoryCode", $"类别编码 {category} 不存在", $"Unknown category code {category}");
            c.CategoryCode = route.CategoryCode;
            c.PlatformCode = route.PlatformCode;
            c.ProposedDepartmentCode = route.DepartmentCode;
            c.RouteExplanation = route.StoredExplanation;
            c.RouteExplanationEn = route.ExplanationEn;
            c.HandlingLimitHours = route.HandlingLimit?.TotalHours ?? _options.DefaultHandleHours;
            c.HandlingLimitKind = route.LimitKind;
        }
        c.CategorySuggested = false;
        c.RegisteredAt = now;
        if (c.ReporterKind == ReporterKind.Courier && c.RegisteredAt is not null && c.ReporterId is { } reporter &&
            reporter.StartsWith(Actor.CourierIdPrefix, StringComparison.Ordinal) && long.TryParse(reporter[Actor.CourierIdPrefix.Length..], out var courierId))
        {
            // A courier's report that becomes a case earns a credit point (小哥码 incentive), in the same transaction.
            await CourierCredits.AwardAsync(db, courierId, CourierPointsPerCase, ct);
        }
        Transition(c, CaseActions.Register, CaseState.Registered, actor, body.Note, new { category = c.CategoryCode, route = c.RouteExplanation }, now);
        StartPhase(c, Phase.Dispatch, now);
    }

    private async Task DispatchAsync(Case c, CaseActionRequest body, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var department = NullIfBlank(body.DepartmentCode) ?? c.ProposedDepartmentCode
            ?? throw ProblemException.Invalid("departmentCode", "请指定处置部门", "Choose the handling department");
        if (!await DepartmentExistsAsync(department, ct))
        {
            throw ProblemException.Invalid("departmentCode", $"部门 {department} 不存在", $"Unknown department {department}");
        }
        if (territory.Current.Find(department) is { Level: UnitLevel.Community } && department != c.CommunityCode)
        {
            // A community handles matters of its own territory only; another community is not a department.
            throw ProblemException.Invalid("departmentCode", $"只能派给事件所在的社区 {c.CommunityCode}", $"Only the case's own community {c.CommunityCode} can handle it");
        }
        var served = await db.Set<Department>().AsNoTracking().Where(d => d.Code == department).Select(d => d.UnitCode).FirstOrDefaultAsync(ct);
        if (served is not null && !c.GridCode.StartsWith(served, StringComparison.Ordinal))
        {
            // The case page offers only departments serving the case; a client of the API must be held to the same.
            throw ProblemException.Invalid("departmentCode", $"部门 {department} 不服务事件所在的 {c.GridCode}（它服务 {served}）",
                $"Department {department} does not serve the case's grid {c.GridCode} (it serves {served})");
        }
        c.DepartmentCode = department;
        c.DispatchedAt = now;
        Transition(c, CaseActions.Dispatch, CaseState.Dispatched, actor, body.Note, new { department }, now);
        StartPhase(c, Phase.SignFor, now);
    }

    private Task<bool> DepartmentExistsAsync(string code, CancellationToken ct) => router.DepartmentExistsAsync(code, ct);

    private async Task MergeAsync(Case c, CaseActionRequest body, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var target = Required(body.DuplicateOf, "duplicateOf");
        var original = await FindVisibleAsync(target, actor, track: true, ct)
            ?? throw ProblemException.Invalid("duplicateOf", $"找不到事件 {target}", $"No case {target}");
        if (original.Id == c.Id || !original.IsOpen || original.MergedIntoId is not null)
        {
            throw ProblemException.Invalid("duplicateOf", "只能合并到另一个未结案的事件", "A duplicate merges into another open case");
        }
        c.MergedIntoId = original.Id;
        c.ClosedAt = now;
        Transition(c, CaseActions.Merge, CaseState.Rejected, actor, body.Note ?? $"合并到 {original.Number}", new { into = original.Number }, now);
        StartPhase(c, Phase.None, now);
        // The original's timeline records the merged report, so its reporter's report is followed there.
        AddEvent(original, "merged-in", original.State, original.State, actor, c.Number, new { duplicate = c.Number }, now);
        original.Version++;
        original.UpdatedAt = now;
    }

    /// <summary>
    /// Moves ownership one level up (community → street platform → district centre); the upper level dispatches anew.
    /// A report nobody registered in time (auto-escalation) goes up as a report: the upper level registers it, with
    /// the category check and a courier's credit that registering brings.
    /// </summary>
    internal void Escalate(Case c, Actor actor, string reason, DateTimeOffset now)
    {
        var from = c.OwningLevel;
        c.OwningLevel = from + 1;
        c.OwningUnitCode = c.OwningLevel == OwningLevel.Street ? c.StreetCode : c.DistrictCode;
        c.EscalationCount++;
        c.DepartmentCode = null;
        if (c.State == CaseState.Reported)
        {
            Transition(c, CaseActions.Escalate, CaseState.Reported, actor, reason, new { from = from.ToString(), to = c.OwningLevel.ToString() }, now);
            StartPhase(c, Phase.Register, now);
            return;
        }
        c.RegisteredAt ??= now;
        Transition(c, CaseActions.Escalate, CaseState.Registered, actor, reason, new { from = from.ToString(), to = c.OwningLevel.ToString() }, now);
        StartPhase(c, Phase.Dispatch, now);
    }

    /// <summary>Starts the clock of a phase: limits from the options (handling from the category), in the category's kind of time.</summary>
    internal void StartPhase(Case c, Phase phase, DateTimeOffset now)
    {
        c.Phase = phase;
        c.PhaseWarned = false;
        c.PhaseOverdue = false;
        if (phase == Phase.None)
        {
            c.PhaseStartedAt = c.PhaseWarnAt = c.PhaseDueAt = null;
            return;
        }
        var hours = phase switch
        {
            Phase.Register => _options.RegisterHours,
            Phase.Dispatch => _options.DispatchHours,
            Phase.SignFor => _options.SignForHours,
            Phase.Handle => c.HandlingLimitHours,
            Phase.Verify => _options.VerifyHours,
            _ => 0,
        };
        // An emergency (natural-time category) runs on the clock in every phase.
        var kind = c.HandlingLimitKind;
        var limit = TimeSpan.FromHours(hours);
        c.PhaseLimitKind = kind;
        c.PhaseStartedAt = now;
        c.PhaseDueAt = calendar.Add(now, limit, kind);
        c.PhaseWarnAt = calendar.Add(now, limit * _options.WarnFraction, kind);
    }

    private CaseEvent Transition(Case c, string action, CaseState to, Actor actor, string? note, object? data, DateTimeOffset now)
    {
        var from = c.State;
        c.State = to;
        c.UpdatedAt = now;
        c.Version++;
        return AddEvent(c, action, from, to, actor, note, data, now);
    }

    private CaseEvent AddEvent(Case c, string action, CaseState? from, CaseState to, Actor actor, string? note, object? data, DateTimeOffset now)
    {
        var evt = NewEvent(c, action, from, to, actor, note, data, now);
        db.CaseEvents.Add(evt);
        return evt;
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

    private void AddAttachments(Case c, IEnumerable<StoredFile> stored, string purpose, DateTimeOffset now)
    {
        foreach (var p in stored)
        {
            db.CaseAttachments.Add(new CaseAttachment { CaseId = c.Id, Sha256 = p.Sha256, ContentType = p.ContentType, Size = p.Size, Purpose = purpose, CreatedAt = now });
        }
    }

    private static string Required(string? value, string field) =>
        NullIfBlank(value) ?? throw field switch
        {
            "reason" => ProblemException.Invalid(field, "请填写原因", "Give a reason"),
            "result" => ProblemException.Invalid(field, "请填写处置结果", "Describe the handling result"),
            "duplicateOf" => ProblemException.Invalid(field, "请填写重复的原事件编号", "Give the number of the original case"),
            _ => ProblemException.Invalid(field, $"请填写 {field}", $"{field} is required"),
        };

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string Join(IReadOnlyList<string> actions) => actions.Count == 0 ? "—" : string.Join(", ", actions);

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
