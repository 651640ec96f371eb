using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;
using QRCoder;

namespace OneGrid.Access;

public sealed record EnrolCourierRequest(string? Name, string? Phone, string? Company, string? Station, IReadOnlyList<string>? StreetCodes);

/// <summary>
/// A courier as operators see it; <c>code</c> only when just issued (enrol, re-issue). <c>manageable</c>: the
/// caller covers all of its streets and may revoke, re-issue and print it; otherwise the phone is masked.
/// </summary>
public sealed record CourierResponse(long Id, string Name, string Phone, string? Company, string? Station, IReadOnlyList<string> StreetCodes,
    int CreditPoints, bool Revoked, int CodeVersion, DateTimeOffset CreatedAt, string? Code = null, string? QrPath = null, bool Manageable = true);

internal static class CourierEndpoints
{
    public static void Map(WebApplication app)
    {
        // People only: a courier's code is a credential, and an API key must not mint one.
        var couriers = app.MapGroup("/api/v1/couriers").WithTags("Access").RequireActor(MayUse);
        couriers.MapPost("/", Enrol).WithName("EnrolCourier")
            .WithSummary("Enrols a mobile grid worker (流动网格员) for streets the operator's territory touches; returns the personal code once.");
        couriers.MapGet("/", List).WithName("ListCouriers").WithSummary("Couriers covering streets in the operator's territory, paged.");
        couriers.MapGet("/{id:long}", Get).WithName("GetCourier").WithSummary("One courier.");
        couriers.MapPost("/{id:long}/revoke", Revoke).WithName("RevokeCourier").WithSummary("Revokes the courier: every code stops at once.");
        couriers.MapPost("/{id:long}/reissue", Reissue).WithName("ReissueCourier")
            .WithSummary("Issues a new personal code (and reinstates a revoked courier); earlier codes stop at once.");
        couriers.MapGet("/{id:long}/qr.png", Qr).WithName("CourierQrCode").WithSummary("The current personal code as a printable QR code (小哥码): a link to the report page, /report?courier=<code>.")
            .Produces(StatusCodes.Status200OK, contentType: "image/png");
    }

    /// <summary>Operators and administrators signed in as themselves (not a courier code, not an API key).</summary>
    internal static bool MayUse(Actor actor) => !actor.IsCourier && !actor.IsApiClient && Roles.Operators.Any(actor.HasRole);

    /// <summary>An operator covers a street when one of its operator grants reaches it (is on the street or above it).</summary>
    internal static bool Covers(Actor actor, string streetCode) =>
        MayUse(actor) && actor.Grants.Any(g => Roles.Operators.Contains(g.Role) && g.Reaches(streetCode));

    /// <summary>
    /// An operator sees couriers of a street its grants touch: a grant on the street or above it, or on a
    /// community inside it (community operators see who works their street) — with the phone masked unless it manages them.
    /// </summary>
    internal static bool Touches(Actor actor, string streetCode) =>
        MayUse(actor) && actor.Grants.Any(g => Roles.Operators.Contains(g.Role) &&
            (streetCode.StartsWith(g.UnitCode, StringComparison.Ordinal) || g.UnitCode.StartsWith(streetCode, StringComparison.Ordinal)));

    internal static bool Sees(Actor actor, Courier c) => c.Streets.Any(s => Touches(actor, s));

    /// <summary>
    /// Enrolling, revoking, re-issuing and printing a courier's code need every one of its streets covered: the code
    /// acts in all of them, so an operator of one street must not mint it for the others.
    /// </summary>
    internal static bool Manages(Actor actor, Courier c) => c.Streets.Count > 0 && c.Streets.All(s => Covers(actor, s));

    // Thin adapters: the work is in CourierAdministration, which the /admin/couriers page calls too.

    internal static async Task<IResult> Enrol(EnrolCourierRequest? body, Actor actor, CourierCodes codes, OneGridDbContext db,
        TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var o = await CourierAdministration.EnrolAsync(body, actor, codes, db, time, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.Created($"/api/v1/couriers/{o.Value!.Id}", o.Value);
    }

    internal static async Task<IResult> List(int? page, int? pageSize, Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var o = await CourierAdministration.ListAsync(page, pageSize, actor, db, ct);
        return o.Problem ?? (IResult)TypedResults.Ok(o.Value);
    }

    internal static async Task<IResult> Get(long id, Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var courier = await db.Couriers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        // Out of reach reads as absent, so ids cannot be probed.
        return courier is null || !Sees(actor, courier) ? CourierNotFound(id) : TypedResults.Ok(DescribeFor(actor, courier));
    }

    internal static async Task<IResult> Revoke(long id, Actor actor, OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        var o = await CourierAdministration.RevokeAsync(id, actor, db, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.Ok(o.Value);
    }

    internal static async Task<IResult> Reissue(long id, Actor actor, CourierCodes codes, OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        var o = await CourierAdministration.ReissueAsync(id, actor, codes, db, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(http, o.Note);
        return TypedResults.Ok(o.Value);
    }

    internal static async Task<IResult> Qr(long id, Actor actor, CourierCodes codes, OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        var courier = await db.Couriers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (FindProblem(id, courier, actor) is { } problem) return problem;
        if (courier!.Revoked)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "courier-revoked", "该流动网格员已被撤销", "The courier is revoked",
                Text.Pick("请先重新发码。", "Re-issue a code first."));
        }
        // The link to the report page on this host, as the request reached it (scheme, host and path base).
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        return TypedResults.File(QrPng(CourierCodes.ReportLink(baseUrl, codes.Issue(courier))), "image/png");
    }

    /// <summary>The text (the courier's report link) as a PNG QR code (error correction M, 8 px per module, quiet zone included).</summary>
    public static byte[] QrPng(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(8);
    }

    internal static CourierResponse Describe(Courier c, string? code = null) =>
        new(c.Id, c.Name, c.Phone, c.Company, c.Station, c.Streets, c.CreditPoints, c.Revoked, c.CodeVersion, c.CreatedAt,
            code, code is null ? null : $"/api/v1/couriers/{c.Id}/qr.png");

    /// <summary>As the actor may see it: the phone only for operators who manage the courier.</summary>
    internal static CourierResponse DescribeFor(Actor actor, Courier c) =>
        Manages(actor, c) ? Describe(c) : Describe(c) with { Phone = MaskPhone(c.Phone), Manageable = false };

    // 138****1234: enough to recognise, not enough to call.
    private static string MaskPhone(string phone) =>
        phone.Length >= 7 ? phone[..3] + new string('*', phone.Length - 7) + phone[^4..] : new string('*', phone.Length);

    /// <summary>404 when the actor does not see the courier, 403 when it sees but does not manage it (a street it does not cover).</summary>
    internal static ProblemHttpResult? FindProblem(long id, Courier? courier, Actor actor) =>
        courier is null || !Sees(actor, courier) ? CourierNotFound(id)
        : !Manages(actor, courier) ? AccessProblems.Forbidden(Text.Pick($"流动网格员 {id} 也在您授权范围以外的街道工作，只有覆盖其全部街道的人员可以管理。",
            $"Courier {id} also works streets outside your grants; only someone covering all of its streets may manage it."))
        : null;

    internal static ProblemHttpResult CourierNotFound(long id) =>
        Problems.NotFound("courier-not-found", "未找到该流动网格员", "No such courier",
            Text.Pick($"编号为 {id} 的流动网格员不存在或不在您的辖区。", $"Courier {id} does not exist or is outside your territory."));
}

/// <summary>Credit points of mobile grid workers (for reports that become cases), for the cases module.</summary>
public static class CourierCredits
{
    public static Task<int> AwardAsync(OneGridDbContext db, long courierId, int points, CancellationToken ct = default) =>
        db.Couriers.Where(c => c.Id == courierId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CreditPoints, c => c.CreditPoints + points), ct);
}
