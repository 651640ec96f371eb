using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Kernel;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

public sealed record DisputeSummary(long Id, string Number, string State, string StateName, string TypeCode, string Summary, string Level,
    string OwningUnitCode, string RegisteredLevel, string RegisteredUnitCode, string? CommunityCode, string? StreetCode, string DistrictCode,
    string Risk, string? MediatorName, string? LeaderName, int EscalationCount, string Phase, DateTimeOffset? PhaseDueAt, bool Warned, bool Overdue,
    bool Suspended, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt);

public sealed record DisputeTimelineEntry(long Id, DateTimeOffset At, string Action, string? FromState, string ToState, string? ActorName, string? Note,
    JsonElement? Data);

public sealed record DisputeSessionView(long Id, DateTimeOffset At, string Place, string Attendees, string Notes, string? RecordedBy);

public sealed record DisputeDetailResponse(DisputeSummary Dispute, string? TypeName, double? Lon, double? Lat, string? Address, string? GridCode,
    IReadOnlyList<PathItem> Path, string? MediatorId, string? LeaderId, string? CaseNumber, string? AgreementText, string? Obligations, DateTimeOffset? PerformBy,
    string? FailReason, string? TransferKind, string? TransferBody, DateTimeOffset? FollowedUpAt, bool? Performed, bool? Satisfied, int ReopenCount,
    DateTimeOffset? AcceptedAt, DateTimeOffset? OutcomeAt, DateTimeOffset? ClosedAt, double? ExtensionRequestedHours, bool SuspensionRequested,
    IReadOnlyList<PartyView> Parties, bool PartiesMasked, IReadOnlyList<DisputeSessionView> Sessions, IReadOnlyList<DisputeTimelineEntry> Timeline,
    IReadOnlyList<string> AllowedActions);

public sealed record DisputeListResponse(IReadOnlyList<DisputeSummary> Items, long? NextBefore);

public sealed record DisputeTypeView(string Code, string NameZh, string? NameEn, string Name, int Sort, bool Active);

/// <summary>The dispute API (DESIGN §3): every route for signed-in staff, scope in the service's queries, bad input as problem details.</summary>
public static class DisputeEndpoints
{
    public static IEndpointRouteBuilder MapDisputeEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Disputes").AddEndpointFilter<DisputeProblemFilter>().RequireActor();
        api.MapPost("/disputes", Register).WithName("RegisterDispute")
            .WithSummary("Register a dispute at a window: it lands at the community of its place unless a higher level is asked for.");
        api.MapGet("/disputes", List).WithName("ListDisputes")
            .WithSummary("Disputes the caller may read, newest first; filters state, level, risk, unitCode, typeCode, overdue; keyset paging by before.");
        api.MapGet("/disputes/inbox", Inbox).WithName("DisputeInbox").WithSummary("Disputes waiting for the caller: high-risk first, then by due time.");
        api.MapGet("/disputes/{id}", Get).WithName("GetDispute").WithSummary("A dispute with its parties (masked as the caller may see them), sessions, timeline and allowed actions.");
        api.MapGet("/disputes/{id}/mediators", Mediators).WithName("DisputeMediators").WithSummary("Whom the owning level may assign as mediator.");
        api.MapPost("/disputes/{id}/reveal-parties", Reveal).WithName("RevealDisputeParties")
            .WithSummary("The parties' unmasked names and phones, for staff who can read the dispute; recorded in the audit log.");
        api.MapPost("/disputes/{id}/{action}", Act).WithName("ActOnDispute")
            .WithSummary("accept, assign, session, agree, fail, withdraw, escalate, transfer, follow-up, reopen, close, take-charge, and the clock actions.");
        api.MapPost("/cases/{id}/to-dispute", FromCase).WithName("CaseToDispute").WithSummary("Turn a case into a dispute (the case's owner); both link to each other.");
        api.MapGet("/dispute-types", Types).WithName("DisputeTypes").WithSummary("The dispute types (all=true with inactive ones).");
        app.MapGroup("/api/v1").WithTags("Disputes").AddEndpointFilter<DisputeProblemFilter>()
            .MapPut("/dispute-types/{code}", PutType).WithName("PutDisputeType").WithSummary("Add or change a dispute type (city-wide administrators).")
            .RequireAdmin(AdminCapability.CatalogTypes);
        return app;
    }

    private static async Task<IResult> Register(HttpContext http, DisputeService disputes, IActorAccessor actors, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var request = await ReadAsync<DisputeRegistration>(http, json, ct);
        var d = await disputes.RegisterAsync(request, actors.Current, ct);
        AuditTrail.Note(http, $"disputes/{d.Id}", $"registered dispute {d.Number}");
        return TypedResults.Created($"/api/v1/disputes/{d.Id}", Detail(disputes, await disputes.DetailAsync(d, actors.Current, ct)));
    }

    private static async Task<Ok<DisputeListResponse>> List(DisputeService disputes, IActorAccessor actors, string? state, string? level, string? risk,
        string? unitCode, string? typeCode, bool? overdue, long? before, int? limit, CancellationToken ct)
    {
        var page = await disputes.ListAsync(new DisputeFilter(state, level, risk, unitCode, typeCode, overdue, before, limit ?? DisputeFilter.DefaultLimit),
            actors.Current, ct);
        return TypedResults.Ok(new DisputeListResponse(page.Items.Select(d => Summary(disputes, d, whole: false)).ToList(), page.NextBefore));
    }

    private static async Task<Ok<DisputeListResponse>> Inbox(DisputeService disputes, IActorAccessor actors, CancellationToken ct) =>
        TypedResults.Ok(new DisputeListResponse((await disputes.InboxAsync(actors.Current, ct)).Select(d => Summary(disputes, d, whole: false)).ToList(), null));

    private static async Task<Ok<DisputeDetailResponse>> Get(string id, DisputeService disputes, IActorAccessor actors, CancellationToken ct) =>
        TypedResults.Ok(Detail(disputes, await disputes.DetailAsync(id, actors.Current, ct)));

    private static async Task<Ok<IReadOnlyList<DisputeWorkflow.MediatorChoice>>> Mediators(string id, DisputeService disputes, IActorAccessor actors,
        CancellationToken ct)
    {
        var d = await disputes.FindVisibleAsync(id, actors.Current, track: false, ct) ?? throw DisputeService.NotFound(id);
        return TypedResults.Ok(await disputes.MediatorsAsync(d));
    }

    private static async Task<Ok<IReadOnlyList<PartyView>>> Reveal(string id, HttpContext http, DisputeService disputes, IActorAccessor actors, CancellationToken ct)
    {
        var parties = await disputes.RevealPartiesAsync(id, actors.Current, ct);
        AuditTrail.Note(http, $"disputes/{id}", $"revealed the parties of dispute {id}");
        return TypedResults.Ok(parties);
    }

    private static async Task<Ok<DisputeDetailResponse>> Act(string id, string action, HttpContext http, DisputeService disputes, IActorAccessor actors,
        CancellationToken ct)
    {
        WorkflowInputs inputs;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
                inputs = WorkflowInputs.FromJson(doc.RootElement);
            }
            catch (JsonException e)
            {
                throw Malformed(e);
            }
        }
        else
        {
            inputs = WorkflowInputs.Empty;
        }
        var d = await disputes.ActAsync(id, action, inputs, actors.Current, ct);
        AuditTrail.Note(http, $"disputes/{d.Id}", $"{action} on dispute {d.Number}");
        return TypedResults.Ok(Detail(disputes, await disputes.DetailAsync(d, actors.Current, ct)));
    }

    private static async Task<IResult> FromCase(string id, HttpContext http, DisputeService disputes, IActorAccessor actors, IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        var request = await ReadAsync<DisputeFromCase>(http, json, ct);
        var d = await disputes.CreateFromCaseAsync(id, request, actors.Current, ct);
        AuditTrail.Note(http, $"disputes/{d.Id}", $"turned case {id} into dispute {d.Number}");
        return TypedResults.Created($"/api/v1/disputes/{d.Id}", Detail(disputes, await disputes.DetailAsync(d, actors.Current, ct)));
    }

    private static async Task<Ok<IReadOnlyList<DisputeTypeView>>> Types(DisputeService disputes, bool? all, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<DisputeTypeView>>((await disputes.TypesAsync(all == true, ct)).Select(View).ToList());

    private static async Task<Ok<DisputeTypeView>> PutType(string code, HttpContext http, DisputeService disputes, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var t = await disputes.PutTypeAsync(code, await ReadAsync<DisputeTypeRequest>(http, json, ct), ct);
        AuditTrail.Note(http, $"dispute-types/{t.Code}", $"set dispute type {t.Code}");
        return TypedResults.Ok(View(t));
    }

    private static DisputeTypeView View(DisputeType t) => new(t.Code, t.NameZh, t.NameEn, t.Name, t.Sort, t.Active);

    private static async Task<T> ReadAsync<T>(HttpContext http, IOptions<JsonOptions> json, CancellationToken ct) where T : class
    {
        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "请以 JSON 提交", "Send the body as application/json");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, json.Value.SerializerOptions, ct)
                   ?? throw ProblemException.Invalid("body", "请求体为空", "The body is empty");
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    private static ProblemException Malformed(JsonException e)
    {
        var field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body";
        return ProblemException.Invalid(field, $"JSON 格式或字段类型有误（{e.Path}）", $"Malformed JSON or a field of the wrong type ({e.Path})");
    }

    public const int ExcerptLength = 200;

    public static DisputeSummary Summary(DisputeService s, Dispute d, bool whole) => new(d.Id, d.Number, d.State.ToString(),
        DisputeWorkflow.StateText(d.State), d.TypeCode, whole || d.Summary.Length <= ExcerptLength ? d.Summary : d.Summary[..ExcerptLength] + "…",
        d.Level.ToString(), d.OwningUnitCode, d.RegisteredLevel.ToString(), d.RegisteredUnitCode, d.CommunityCode, d.StreetCode, d.DistrictCode,
        d.Risk.ToString(), d.MediatorName, d.LeaderName, d.EscalationCount, d.Phase.ToString(), Local(s, d.PhaseDueAt), d.PhaseWarned, d.PhaseOverdue,
        d.SuspendedAt is not null, s.Local(d.RegisteredAt), s.Local(d.UpdatedAt));

    private static DateTimeOffset? Local(DisputeService s, DateTimeOffset? at) => at is { } t ? s.Local(t) : null;

    public static DisputeDetailResponse Detail(DisputeService s, DisputeView v)
    {
        var d = v.Dispute;
        return new DisputeDetailResponse(Summary(s, d, whole: true), v.Type?.Name, d.Lon, d.Lat, d.Address, d.GridCode,
            v.Path.Select(u => new PathItem(u.Code, u.Name, u.Level.ToWire())).ToList(), d.MediatorId, d.LeaderId, v.CaseNumber, d.AgreementText,
            d.Obligations, Local(s, d.PerformBy), d.FailReason, d.TransferKind, d.TransferBody, Local(s, d.FollowedUpAt), d.Performed, d.Satisfied,
            d.ReopenCount, Local(s, d.AcceptedAt), Local(s, d.OutcomeAt), Local(s, d.ClosedAt), d.ExtensionRequestedHours, d.SuspensionRequested,
            v.Parties, v.PartiesMasked,
            v.Sessions.Select(x => new DisputeSessionView(x.Id, s.Local(x.At), x.Place, x.Attendees, x.Notes, x.RecordedBy)).ToList(),
            v.Timeline.Select(e => new DisputeTimelineEntry(e.Id, s.Local(e.At), e.Action, e.FromState?.ToString(), e.ToState.ToString(), e.ActorName,
                e.Note, e.Data is null ? null : JsonDocument.Parse(e.Data).RootElement.Clone())).ToList(),
            v.AllowedActions);
    }

    /// <summary>Turns a broken dispute rule into its problem details; the transaction it interrupted was never committed.</summary>
    private sealed class DisputeProblemFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (ProblemException e)
            {
                return e.ToResult();
            }
        }
    }
}
