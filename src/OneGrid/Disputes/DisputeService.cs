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

    public async Task<Dispute> RegisterAsync(DisputeRegistration request, Actor actor, Case? fromCase, CancellationToken ct)
    {
        await Task.CompletedTask;
        throw new NotImplementedException();
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
        await Task.CompletedTask;
        throw new NotImplementedException();
    }

    public async Task<IReadOnlyList<Dispute>> InboxAsync(Actor actor, CancellationToken ct) =>
        await db.Set<Dispute>().AsNoTracking().InboxOf(workflow, actor)
            .OrderByDescending(d => d.Risk == RiskLevel.High).ThenBy(d => d.PhaseDueAt == null).ThenBy(d => d.PhaseDueAt).ThenBy(d => d.Id)
            .Take(DisputeFilter.MaxLimit).ToListAsync(ct);

    public async Task<DisputeView> DetailAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        await Task.CompletedTask;
        throw new NotImplementedException();
    }

    /// <summary>The parties in full, for a reader who needs to call them; the endpoint audits the request.</summary>
    public async Task<IReadOnlyList<PartyView>> RevealPartiesAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        await Task.CompletedTask;
        throw new NotImplementedException();
    }

    public async Task<Dispute> CreateFromCaseAsync(string caseIdOrNumber, DisputeFromCase request, Actor actor, CancellationToken ct)
    {
        await Task.CompletedTask;
        throw new NotImplementedException();
    }

    public async Task<IReadOnlyList<DisputeType>> TypesAsync(bool includeInactive, CancellationToken ct) =>
        await db.Set<DisputeType>().AsNoTracking().Where(t => includeInactive || t.Active).OrderBy(t => t.Sort).ThenBy(t => t.Code).ToListAsync(ct);

    public async Task<DisputeType> PutTypeAsync(string code, DisputeTypeRequest request, CancellationToken ct)
    {
        await Task.CompletedTask;
        throw new NotImplementedException();
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
