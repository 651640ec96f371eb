using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>A party as registered: the full ID number is read only to keep its last four characters.</summary>
public sealed record DisputePartyInput(string? Role, string? Name, string? Phone = null, string? IdNumber = null);

/// <summary>
/// A registration at a window: a place (lon/lat) or a unit code, a type, a summary, two or more parties and a risk
/// level; <see cref="Level"/> (community, street, district) asks for a level above the place's community.
/// </summary>
public sealed record DisputeRegistration(double? Lon, double? Lat, string? UnitCode, string? Address, string? TypeCode, string? Summary,
    IReadOnlyList<DisputePartyInput>? Parties, string? Risk = null, string? Level = null);

/// <summary>A case turned into a dispute: the case gives the place and, unless given, the summary.</summary>
public sealed record DisputeFromCase(string? TypeCode, string? Summary, IReadOnlyList<DisputePartyInput>? Parties, string? Risk = null);

/// <summary>The list's filters and its keyset: <see cref="Before"/> is the last id of the previous page (newest first).</summary>
public sealed record DisputeFilter(string? State = null, string? Level = null, string? Risk = null, string? UnitCode = null, string? TypeCode = null,
    bool? Overdue = null, long? Before = null, int Limit = DisputeFilter.DefaultLimit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}

public sealed record DisputeListPage(IReadOnlyList<Dispute> Items, long? NextBefore);

/// <summary>A party as the reader may see it: <see cref="Masked"/> says whether name and phone were masked for them.</summary>
public sealed record PartyView(long Id, string Role, string Name, string? Phone, string? IdTail, bool Masked);

/// <summary>Everything the dispute page and GET /disputes/{id} show, already cut to what the actor may see.</summary>
public sealed record DisputeView(Dispute Dispute, DisputeType? Type, IReadOnlyList<PartyView> Parties, bool PartiesMasked,
    IReadOnlyList<DisputeSession> Sessions, IReadOnlyList<DisputeEvent> Timeline, IReadOnlyList<string> AllowedActions, string? CaseNumber,
    IReadOnlyList<UnitRef> Path);

/// <summary>A dispute type as an administrator sets it.</summary>
public sealed record DisputeTypeRequest(string? NameZh, string? NameEn, int? Sort, bool? Active);

/// <summary>
/// Disputes: registration at any window (最多跑一地), the workflow's actions through the kernel's engine, the scoped
/// list and inbox, the detail with parties masked as the reader may see them, and turning a case into a dispute.
/// Pages and endpoints both call this.
/// </summary>
public sealed class DisputeService(OneGridDbContext db, DisputeWorkflow workflow, WorkflowEngine<Dispute, DisputeState> engine,
    TerritoryIndexHolder territory, IOptions<DisputeOptions> options, IOptions<CalendarOptions> calendar, TimeProvider time)
{
    private readonly DisputeOptions _options = options.Value;
    private readonly TerritoryIndexHolder _territory = territory;
    private readonly TimeProvider _time = time;

    public DisputeWorkflow Workflow => workflow;

    public Task<Dispute> RegisterAsync(DisputeRegistration request, Actor actor, CancellationToken ct) => RegisterAsync(request, actor, null, ct);

    /// <summary>
    /// Checks and writes a registration. It lands at the community of its place (最多跑一地: a district window's
    /// registration for a place in a community belongs to that community's mediators) unless the window asks for a
    /// higher level; a high-risk dispute is flagged to the district centre and the leaders in the same transaction.
    /// </summary>
    public async Task<Dispute> RegisterAsync(DisputeRegistration request, Actor actor, Case? fromCase, CancellationToken ct)
    {
        if (actor.IsAnonymous) throw new ProblemException(401, "sign-in-required", "请先登录", "Sign in first");
        var (typeCode, summary, parties, risk) = await ValidateAsync(request.TypeCode, request.Summary, request.Parties, request.Risk, ct);
        ProblemException.RefuseControls("address", request.Address);
        ProblemException.RefuseControls("unitCode", request.UnitCode);
        var address = request.Address?.Trim() is { Length: > 0 } a ? a : null;
        if (address is { Length: > 500 }) throw ProblemException.Invalid("address", "地址不能超过 500 字", "address is longer than 500 characters");

        // The place: a point resolved to its grid, or a unit (a community, street or district window's own matter).
        string? grid = null, community = null, street = null, district;
        double? lon = null, lat = null;
        if (request.Lon is not null || request.Lat is not null)
        {
            if (request.Lon is not { } x || !double.IsFinite(x) || x is < -180 or > 180) throw ProblemException.Invalid("lon", "经度 lon 无效", "lon is invalid");
            if (request.Lat is not { } y || !double.IsFinite(y) || y is < -90 or > 90) throw ProblemException.Invalid("lat", "纬度 lat 无效", "lat is invalid");
            var place = _territory.Current.Resolve(x, y) ?? throw OutsideTerritory(Text.Pick($"经度 {x}、纬度 {y} 不在任何网格内。", $"lon {x}, lat {y} is in no grid."));
            (lon, lat) = (x, y);
            grid = place.Grid.Code;
            community = place.Path.FirstOrDefault(u => u.Level == UnitLevel.Community)?.Code;
            street = place.Path.FirstOrDefault(u => u.Level == UnitLevel.Street)?.Code;
            district = place.Path.FirstOrDefault(u => u.Level == UnitLevel.District)?.Code;
        }
        else if (request.UnitCode?.Trim() is { Length: > 0 } code)
        {
            var path = _territory.Current.PathOf(code);
            if (path.Count == 0 || path[^1].Code != code) throw OutsideTerritory(Text.Pick($"单元 {code} 不在辖区内。", $"Unit {code} is not in the territory."));
            if (path[^1].Level is UnitLevel.City or UnitLevel.Building)
                throw ProblemException.Invalid("unitCode", "请指定区、街道、社区或网格", "Give a district, street, community or grid");
            grid = path.FirstOrDefault(u => u.Level == UnitLevel.Grid)?.Code;
            community = path.FirstOrDefault(u => u.Level == UnitLevel.Community)?.Code;
            street = path.FirstOrDefault(u => u.Level == UnitLevel.Street)?.Code;
            district = path.FirstOrDefault(u => u.Level == UnitLevel.District)?.Code;
        }
        else
        {
            throw ProblemException.Invalid("lon", "请给出纠纷发生地（经纬度）或单元编码 unitCode", "Give the place (lon/lat) or a unitCode");
        }
        if (district is null) throw OutsideTerritory(Text.Pick("该位置不属于任何区。", "The place is in no district."));

        // Where it lands: the lowest level the place gives, or the level the window asks for.
        var lowest = community is not null ? DisputeLevel.Community : street is not null ? DisputeLevel.Street : DisputeLevel.District;
        var level = lowest;
        if (request.Level?.Trim() is { Length: > 0 } asked)
        {
            if (!Enum.TryParse<DisputeLevel>(asked, ignoreCase: true, out level) || !Enum.IsDefined(level))
                throw ProblemException.Invalid("level", "level 须为 community、street 或 district", "level must be community, street or district");
            if (level < lowest) throw ProblemException.Invalid("level", "该地点没有这一级", "The place has no unit at that level");
        }
        var owning = level switch { DisputeLevel.Community => community!, DisputeLevel.Street => street!, _ => district };

        // The window: a registrar's grant reaching the place (or the unit it lands at); the closest one names it.
        var placeCode = grid ?? community ?? street ?? district;
        var window = actor.Grants.Where(g => DisputeWorkflow.Registrars.Contains(g.Role) && (g.Reaches(placeCode) || g.Reaches(owning)))
            .OrderByDescending(g => g.UnitCode.Length).FirstOrDefault()
            ?? throw new ProblemException(403, "forbidden", "无权在此登记纠纷", "You may not register a dispute here",
                Text.Pick($"您的授权不包括 {placeCode}；请由该地的社区、街道或区矛调中心登记。",
                    $"None of your grants reaches {placeCode}; a window of that community, street or district registers it."));
        var windowLevel = _territory.Current.Find(window.UnitCode)?.Level switch
        {
            UnitLevel.Community or UnitLevel.Grid => DisputeLevel.Community,
            UnitLevel.Street => DisputeLevel.Street,
            _ => DisputeLevel.District,
        };

        var now = _time.GetUtcNow();
        var d = new Dispute
        {
            Number = "",
            State = DisputeState.Registered,
            TypeCode = typeCode,
            Summary = summary,
            Lon = lon,
            Lat = lat,
            Address = address,
            GridCode = grid,
            CommunityCode = community,
            StreetCode = street,
            DistrictCode = district,
            Level = level,
            OwningUnitCode = owning,
            RegisteredLevel = windowLevel,
            RegisteredUnitCode = window.UnitCode,
            Risk = risk,
            CaseId = fromCase?.Id,
            RegisteredAt = now,
            RegisteredById = actor.UserId,
            UpdatedAt = now,
        };
        workflow.StartPhase(d, DisputePhase.Accept, engine.Clock, now);

        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        d.Number = await NextNumberAsync(district, now, ct);
        db.Add(d);
        await db.SaveChangesAsync(ct);
        foreach (var p in parties)
        {
            p.DisputeId = d.Id;
            db.Add(p);
        }
        workflow.AddTimeline(db, d, WorkflowEngine<Dispute, DisputeState>.Entry("register", null, d.State.ToString(), actor, null,
            new { window = window.UnitCode, unit = owning, level = level.ToString(), risk = risk.ToString(), type = typeCode, fromCase = fromCase?.Number }, now));
        if (risk == RiskLevel.High)
        {
            // Its own entry, so the district centre's and leaders' timelines and the webhook (dispute.high-risk) name it.
            workflow.AddTimeline(db, d, WorkflowEngine<Dispute, DisputeState>.Entry(DisputeWorkflow.HighRiskFlag, d.State.ToString(), d.State.ToString(),
                actor, null, new { district = d.DistrictCode }, now));
        }
        if (fromCase is not null)
        {
            db.Add(new CaseEvent
            {
                CaseId = fromCase.Id, At = now, Action = "to-dispute", FromState = fromCase.State, ToState = fromCase.State,
                ActorId = actor.UserId, ActorName = actor.DisplayName ?? actor.UserName, Note = d.Number,
                Data = System.Text.Json.JsonSerializer.Serialize(new { dispute = d.Number, disputeId = d.Id }),
            });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        workflow.AfterCommit(d);
        return d;
    }

    private async Task<(string Type, string Summary, List<DisputeParty> Parties, RiskLevel Risk)> ValidateAsync(string? type, string? summaryText,
        IReadOnlyList<DisputePartyInput>? partyInputs, string? riskText, CancellationToken ct)
    {
        var typeCode = type?.Trim();
        if (string.IsNullOrEmpty(typeCode)) throw ProblemException.Invalid("typeCode", "请选择纠纷类型", "typeCode is required");
        ProblemException.RefuseControls("typeCode", typeCode);
        if (!await db.Set<DisputeType>().AnyAsync(t => t.Code == typeCode && t.Active, ct))
            throw ProblemException.Invalid("typeCode", $"纠纷类型 {typeCode} 不存在", $"Unknown dispute type {typeCode}");
        var summary = summaryText?.Trim();
        if (string.IsNullOrEmpty(summary)) throw ProblemException.Invalid("summary", "请简述纠纷", "summary is required");
        ProblemException.RefuseControls("summary", summary);
        if (summary.Length > _options.SummaryMaxLength)
            throw ProblemException.Invalid("summary", $"简述不能超过 {_options.SummaryMaxLength} 字", $"summary is longer than {_options.SummaryMaxLength} characters");
        var risk = RiskLevel.Low;
        if (riskText?.Trim() is { Length: > 0 } r && (!Enum.TryParse(r, ignoreCase: true, out risk) || !Enum.IsDefined(risk)))
            throw ProblemException.Invalid("risk", "risk 须为 low、medium 或 high", "risk must be low, medium or high");

        var inputs = partyInputs ?? [];
        if (inputs.Count > _options.MaxParties) throw ProblemException.Invalid("parties", $"当事人最多 {_options.MaxParties} 个", $"At most {_options.MaxParties} parties");
        var parties = new List<DisputeParty>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var p = inputs[i] ?? throw ProblemException.Invalid($"parties[{i}]", "当事人不能为空", "A party cannot be null");
            var field = $"parties[{i}]";
            var role = p.Role?.Trim().ToLowerInvariant();
            if (role is not (DisputeParty.Applicant or DisputeParty.Respondent))
                throw ProblemException.Invalid($"{field}.role", "当事人角色须为 applicant（申请人）或 respondent（被申请人）", "role must be applicant or respondent");
            foreach (var (name, value) in new[] { ("name", p.Name), ("phone", p.Phone), ("idNumber", p.IdNumber) })
            {
                ProblemException.RefuseControls($"{field}.{name}", value);
            }
            var partyName = p.Name?.Trim();
            if (string.IsNullOrEmpty(partyName) || partyName.Length > 100)
                throw ProblemException.Invalid($"{field}.name", "请填写当事人姓名（100 字以内）", "A party's name is required (at most 100 characters)");
            var phone = p.Phone?.Trim() is { Length: > 0 } ph ? ph : null;
            if (phone is not null && (phone.Length > 20 || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ')))
                throw ProblemException.Invalid($"{field}.phone", "电话号码格式不对", "The phone number is not valid");
            var id = p.IdNumber?.Trim() is { Length: > 0 } idn ? idn : null;
            if (id is not null && (id.Length is < 4 or > 18 || !id.All(char.IsAsciiLetterOrDigit)))
                throw ProblemException.Invalid($"{field}.idNumber", "证件号码格式不对", "The ID number is not valid");
            // Only the last four characters are kept: enough to tell two parties of one name apart, nothing more.
            parties.Add(new DisputeParty { Role = role, Name = partyName, Phone = phone, IdTail = id?[^4..].ToUpperInvariant() });
        }
        if (parties.Count < 2 || !parties.Any(p => p.Role == DisputeParty.Applicant) || !parties.Any(p => p.Role == DisputeParty.Respondent))
            throw ProblemException.Invalid("parties", "至少要有一名申请人和一名被申请人", "At least one applicant and one respondent are required");
        return (typeCode, summary, parties, risk);
    }

    private static ProblemException OutsideTerritory(string detail) =>
        new(422, "outside-territory", "该位置不在辖区范围内", "The location is outside the territory", detail,
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["lon"] = ["outside"], ["lat"] = ["outside"] } });

    /// <summary>MD-BJ-20261203-000001: the district's initials as in case numbers, the local day, a per-district daily serial.</summary>
    private async Task<string> NextNumberAsync(string district, DateTimeOffset now, CancellationToken ct)
    {
        var day = Local(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var serial = await CaseNumbers.ReserveAsync(db, $"MD:{district}:{day}", 1, ct);
        return $"MD-{CaseNumbers.Prefix(district)}-{day}-{serial:D6}";
    }

    public async Task<Dispute?> FindVisibleAsync(string idOrNumber, Actor actor, bool track, CancellationToken ct)
    {
        var query = (track ? db.Set<Dispute>() : db.Set<Dispute>().AsNoTracking()).VisibleTo(workflow, actor);
        return long.TryParse(idOrNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await query.FirstOrDefaultAsync(x => x.Id == id, ct)
            : await query.FirstOrDefaultAsync(x => x.Number == idOrNumber, ct);
    }

    public async Task<Dispute> ActAsync(string idOrNumber, string action, WorkflowInputs inputs, Actor actor, CancellationToken ct)
    {
        engine.Require(action);
        var d = await FindVisibleAsync(idOrNumber, actor, track: true, ct) ?? throw NotFound(idOrNumber);
        return await engine.ActAsync(d, action, inputs, actor, ct);
    }

    public async Task<DisputeListPage> ListAsync(DisputeFilter filter, Actor actor, CancellationToken ct)
    {
        if (filter.Limit is < 1 or > DisputeFilter.MaxLimit)
            throw ProblemException.Invalid("limit", $"limit 须在 1 到 {DisputeFilter.MaxLimit} 之间", $"limit must be between 1 and {DisputeFilter.MaxLimit}");
        var q = db.Set<Dispute>().AsNoTracking().VisibleTo(workflow, actor);
        if (filter.State is { Length: > 0 } s)
        {
            var wanted = Parse<DisputeState>("state", s);
            q = q.Where(d => d.State == wanted);
        }
        if (filter.Level is { Length: > 0 } l)
        {
            var wanted = Parse<DisputeLevel>("level", l);
            q = q.Where(d => d.Level == wanted);
        }
        if (filter.Risk is { Length: > 0 } r)
        {
            var wanted = Parse<RiskLevel>("risk", r);
            q = q.Where(d => d.Risk == wanted);
        }
        if (filter.UnitCode is { Length: > 0 } u)
        {
            ProblemException.RefuseControls("unitCode", u);
            q = q.Where(d => (d.CommunityCode != null && d.CommunityCode.StartsWith(u)) || d.OwningUnitCode.StartsWith(u));
        }
        if (filter.TypeCode is { Length: > 0 } t)
        {
            ProblemException.RefuseControls("typeCode", t);
            q = q.Where(d => d.TypeCode == t);
        }
        if (filter.Overdue is { } overdue) q = q.Where(d => d.PhaseOverdue == overdue);
        if (filter.Before is { } before) q = q.Where(d => d.Id < before);
        var items = await q.OrderByDescending(d => d.Id).Take(filter.Limit + 1).ToListAsync(ct);
        var more = items.Count > filter.Limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new DisputeListPage(items, more ? items[^1].Id : null);
    }

    private static TEnum Parse<TEnum>(string field, string text) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var v) && Enum.IsDefined(v)
            ? v
            : throw ProblemException.Invalid(field, $"{field} 须为 {string.Join("、", Enum.GetNames<TEnum>())} 之一",
                $"{field} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}");

    public async Task<IReadOnlyList<Dispute>> InboxAsync(Actor actor, CancellationToken ct) =>
        await db.Set<Dispute>().AsNoTracking().InboxOf(workflow, actor)
            .OrderByDescending(d => d.Risk == RiskLevel.High).ThenBy(d => d.PhaseDueAt == null).ThenBy(d => d.PhaseDueAt).ThenBy(d => d.Id)
            .Take(DisputeFilter.MaxLimit).ToListAsync(ct);

    public async Task<DisputeView> DetailAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        var d = await FindVisibleAsync(idOrNumber, actor, track: false, ct) ?? throw NotFound(idOrNumber);
        return await DetailAsync(d, actor, ct);
    }

    /// <summary>The view of a dispute already read (after an action, say).</summary>
    public async Task<DisputeView> DetailAsync(Dispute d, Actor actor, CancellationToken ct)
    {
        var sees = workflow.SeesParties(d, actor);
        var parties = await PartiesAsync(d.Id, sees, ct);
        var sessions = await db.Set<DisputeSession>().AsNoTracking().Where(s => s.DisputeId == d.Id).OrderBy(s => s.At).ThenBy(s => s.Id).ToListAsync(ct);
        var timeline = await db.Set<DisputeEvent>().AsNoTracking().Where(e => e.DisputeId == d.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var type = await db.Set<DisputeType>().AsNoTracking().FirstOrDefaultAsync(t => t.Code == d.TypeCode, ct);
        var caseNumber = d.CaseId is { } cid ? await db.Cases.AsNoTracking().Where(c => c.Id == cid).Select(c => c.Number).FirstOrDefaultAsync(ct) : null;
        var path = _territory.Current.PathOf(d.GridCode ?? d.CommunityCode ?? d.StreetCode ?? d.DistrictCode);
        return new DisputeView(d, type, parties, !sees, sessions, timeline, workflow.Available(d, actor), caseNumber, path);
    }

    private async Task<IReadOnlyList<PartyView>> PartiesAsync(long disputeId, bool full, CancellationToken ct) =>
        (await db.Set<DisputeParty>().AsNoTracking().Where(p => p.DisputeId == disputeId).OrderBy(p => p.Id).ToListAsync(ct))
        .Select(p => full
            ? new PartyView(p.Id, p.Role, p.Name, p.Phone, p.IdTail, false)
            : new PartyView(p.Id, p.Role, CaseEndpoints.MaskName(p.Name)!, CaseEndpoints.MaskPhone(p.Phone), null, true))
        .ToList();

    /// <summary>
    /// The parties in full, for a reader whose work needs them now (a leader calling an applicant); the endpoint
    /// audits the request. Whoever can read the dispute as staff may ask; the answer and the audit entry name them.
    /// </summary>
    public async Task<IReadOnlyList<PartyView>> RevealPartiesAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        var d = await FindVisibleAsync(idOrNumber, actor, track: false, ct) ?? throw NotFound(idOrNumber);
        if (actor.IsApiClient || actor.IsCourier)
            throw new ProblemException(403, "forbidden", "无权查看当事人联系方式", "You may not see the parties' contacts");
        return await PartiesAsync(d.Id, full: true, ct);
    }

    /// <summary>
    /// Turns a case (a neighbours' noise complaint, say) into a dispute at the case's place, for the case's owner. Both
    /// link: the dispute keeps the case's id, the case's timeline gets an entry naming the dispute's number, in one transaction.
    /// </summary>
    public async Task<Dispute> CreateFromCaseAsync(string caseIdOrNumber, DisputeFromCase request, Actor actor, CancellationToken ct)
    {
        var c = long.TryParse(caseIdOrNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct)
            : await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Number == caseIdOrNumber, ct);
        var reads = c is not null && actor.Grants.Any(g => g.Role is not (Role.DepartmentHandler or Role.Courier) && g.Reaches(c.GridCode));
        if (c is null || !reads) throw CaseService.NotFound(caseIdOrNumber);
        // The case's owner, as in the closed loop: its level's operator, or the district centre.
        var owner = (c.OwningLevel == OwningLevel.Community && actor.Reaches(c.CommunityCode, Role.CommunityOperator)) ||
                    (c.OwningLevel <= OwningLevel.Street && actor.Reaches(c.StreetCode, Role.StreetDispatcher)) ||
                    actor.Reaches(c.DistrictCode, Role.DistrictDispatcher);
        if (!owner)
            throw new ProblemException(403, "action-forbidden", "无权执行此操作", "You may not take this action on this case",
                Text.Pick("只有事件的主办层级可以把它转为矛盾纠纷。", "Only the level that owns the case can turn it into a dispute."));
        if (await db.Set<Dispute>().AnyAsync(x => x.CaseId == c.Id, ct))
            throw new ProblemException(409, "already-a-dispute", "该事件已转为纠纷", "The case is already a dispute");
        return await RegisterAsync(new DisputeRegistration(c.Lon, c.Lat, null, c.Address, request.TypeCode,
            request.Summary?.Trim() is { Length: > 0 } s ? s : c.Description, request.Parties, request.Risk), actor, c, ct);
    }

    public async Task<IReadOnlyList<DisputeType>> TypesAsync(bool includeInactive, CancellationToken ct) =>
        await db.Set<DisputeType>().AsNoTracking().Where(t => includeInactive || t.Active).OrderBy(t => t.Sort).ThenBy(t => t.Code).ToListAsync(ct);

    /// <summary>Adds or changes a dispute type (a city-wide administrator; the endpoint checks and audits).</summary>
    public async Task<DisputeType> PutTypeAsync(string code, DisputeTypeRequest request, CancellationToken ct)
    {
        code = code.Trim();
        if (code.Length is 0 or > 32 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ProblemException.Invalid("code", "类型编码只能由字母、数字和连字符组成（32 字以内）", "A type code is letters, digits and hyphens (at most 32)");
        ProblemException.RefuseControls("nameZh", request.NameZh);
        ProblemException.RefuseControls("nameEn", request.NameEn);
        var type = await db.Set<DisputeType>().FirstOrDefaultAsync(t => t.Code == code, ct);
        var nameZh = request.NameZh?.Trim() is { Length: > 0 } z ? z : type?.NameZh;
        if (nameZh is null or { Length: > 100 }) throw ProblemException.Invalid("nameZh", "请填写中文名称（100 字以内）", "nameZh is required (at most 100 characters)");
        var nameEn = request.NameEn?.Trim() is { Length: > 0 } e ? e : type?.NameEn;
        if (nameEn is { Length: > 100 }) throw ProblemException.Invalid("nameEn", "英文名称不能超过 100 字", "nameEn is longer than 100 characters");
        if (type is null)
        {
            type = new DisputeType { Code = code, NameZh = nameZh };
            db.Add(type);
        }
        type.NameZh = nameZh;
        type.NameEn = nameEn;
        type.Sort = request.Sort ?? type.Sort;
        type.Active = request.Active ?? type.Active;
        await db.SaveChangesAsync(ct);
        return type;
    }

    /// <summary>The people the owning level may assign as mediator: the assign form's choices.</summary>
    public Task<IReadOnlyList<DisputeWorkflow.MediatorChoice>> MediatorsAsync(Dispute d) => workflow.MediatorsFor(d);

    public static ProblemException NotFound(string idOrNumber) =>
        new(404, "dispute-not-found", "未找到该纠纷", "No such dispute",
            Text.Pick($"纠纷 {idOrNumber} 不存在或无权查看。", $"Dispute {idOrNumber} does not exist or is not visible to you."));

    /// <summary>An instant in the calendar's time zone, as pages and the API show it.</summary>
    public DateTimeOffset Local(DateTimeOffset at)
    {
        var zone = calendar.Value.Zone();
        return at.ToOffset(zone.GetUtcOffset(at));
    }
}
