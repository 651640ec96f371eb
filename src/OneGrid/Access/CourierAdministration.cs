using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Access;

/// <summary>
/// Enrolling, listing, revoking and re-issuing mobile grid workers: the work behind /api/v1/couriers and the
/// /admin/couriers page. Each change returns its audit note; the caller records it.
/// </summary>
public static class CourierAdministration
{
    public static async Task<Outcome<CourierResponse>> EnrolAsync(EnrolCourierRequest? body, Actor actor, CourierCodes codes,
        OneGridDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Name)) return Problems.InvalidField("name", "请填写姓名", "The name is required");
        if ((InputText.Refuse("name", body.Name) ?? InputText.Refuse("company", body.Company) ?? InputText.Refuse("station", body.Station)) is { } control)
        {
            return control;
        }
        var phone = body.Phone?.Trim() ?? "";
        if (phone.Length is < 5 or > 20 || !phone.All(ch => char.IsAsciiDigit(ch) || ch is '+' or '-' or ' '))
        {
            return Problems.InvalidField("phone", "请填写有效的手机号码", "A valid phone number is required");
        }
        var streets = (body.StreetCodes ?? []).Select(s => s?.Trim() ?? "").Where(s => s.Length > 0).Distinct().ToList();
        if (streets.Count == 0) return Problems.InvalidField("streetCodes", "请至少选择一个街道", "At least one street code is required");
        var known = await db.Units.AsNoTracking().Where(u => streets.Contains(u.Code) && u.Level == UnitLevel.Street).Select(u => u.Code).ToListAsync(ct);
        if (streets.FirstOrDefault(s => !known.Contains(s)) is { } unknown)
        {
            return Problems.InvalidField("streetCodes", $"{unknown} 不是街道编码", $"{unknown} is not a street code");
        }
        if (streets.FirstOrDefault(s => !CourierEndpoints.Covers(actor, s)) is { } outside)
        {
            return AccessProblems.Forbidden(Text.Pick($"您的授权不包括街道 {outside}。", $"Your grants do not reach street {outside}."));
        }

        var courier = new Courier
        {
            Name = body.Name.Trim(),
            Phone = phone,
            Company = body.Company?.Trim(),
            Station = body.Station?.Trim(),
            StreetCodes = string.Join(',', streets),
            CodeVersion = 1,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.UserName,
        };
        db.Couriers.Add(courier);
        await db.SaveChangesAsync(ct);
        return Outcome<CourierResponse>.Done(CourierEndpoints.Describe(courier, codes.Issue(courier)),
            new AuditNote("couriers/" + courier.Id, $"enrol {courier.Name} for {courier.StreetCodes}"));
    }

    public static async Task<Outcome<Page<CourierResponse>>> ListAsync(int? page, int? pageSize, Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return Problems.InvalidField(bad, $"分页参数 {bad} 无效", $"Invalid '{bad}'");
        // Couriers number in the hundreds per district: filtering in memory keeps the reach rule in one place.
        var visible = (await db.Couriers.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct)).Where(c => CourierEndpoints.Sees(actor, c)).ToList();
        return Outcome<Page<CourierResponse>>.Done(new Page<CourierResponse>(
            visible.Skip((p - 1) * size).Take(size).Select(c => CourierEndpoints.DescribeFor(actor, c)).ToList(), p, size, visible.Count));
    }

    public static async Task<Outcome<CourierResponse>> RevokeAsync(long id, Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var courier = await db.Couriers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (CourierEndpoints.FindProblem(id, courier, actor) is { } problem) return problem;
        courier!.Revoked = true;
        await db.SaveChangesAsync(ct);
        return Outcome<CourierResponse>.Done(CourierEndpoints.Describe(courier), new AuditNote("couriers/" + id, $"revoke {courier.Name}"));
    }

    public static async Task<Outcome<CourierResponse>> ReissueAsync(long id, Actor actor, CourierCodes codes, OneGridDbContext db, CancellationToken ct)
    {
        var courier = await db.Couriers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (CourierEndpoints.FindProblem(id, courier, actor) is { } problem) return problem;
        courier!.Revoked = false;
        courier.CodeVersion++;
        await db.SaveChangesAsync(ct);
        return Outcome<CourierResponse>.Done(CourierEndpoints.Describe(courier, codes.Issue(courier)),
            new AuditNote("couriers/" + id, $"reissue code v{courier.CodeVersion} for {courier.Name}"));
    }
}
