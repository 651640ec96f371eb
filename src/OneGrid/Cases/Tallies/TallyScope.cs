using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Cases.Tallies;

/// <summary>
/// The tally rows of one unit: the cases under <see cref="Unit"/> (a district, street or community), all of them
/// (<see cref="Dim"/> "") or one department's ("d:CODE", kept at district and street level only).
/// </summary>
public sealed record TallySlice(TallyLevel Level, string Unit, string Dim)
{
    public string? Department => Dim.StartsWith("d:", StringComparison.Ordinal) ? Dim[2..] : null;

    /// <summary>The same cases as a query: an equality on the case's column for the unit's level, which the case indexes lead with.</summary>
    public Expression<Func<Case, bool>> Predicate()
    {
        var unit = Unit;
        Expression<Func<Case, bool>> under = Level switch
        {
            TallyLevel.District => c => c.DistrictCode == unit,
            TallyLevel.Street => c => c.StreetCode == unit,
            _ => c => c.CommunityCode == unit,
        };
        if (Department is not { } department) return under;
        return CaseExpressions.And(under, c => c.DepartmentCode == department);
    }

    public static TallyLevel? LevelOf(string code) => code.Length switch
    {
        6 when IsDigits(code) => TallyLevel.District,
        9 when IsDigits(code) => TallyLevel.Street,
        12 when IsDigits(code) => TallyLevel.Community,
        _ => null,
    };

    public static bool IsDigits(string code) => code.Length > 0 && code.All(char.IsAsciiDigit);
}

/// <summary>
/// What a person may read (<see cref="CaseQueries.VisibleTo"/>) cut into pieces the tallies hold — disjoint
/// <see cref="Slices"/> — and the rest, <see cref="Direct"/>: the cases no slice covers, counted on the cases themselves
/// (a grid worker's grid, a department handler's community, one's own reports outside one's units). The direct part
/// is small by construction: one grid, one community's department cases, one person's reports.
/// </summary>
public sealed record TallyScope(IReadOnlyList<TallySlice> Slices, Expression<Func<Case, bool>>? Direct)
{
    public static readonly TallyScope Nothing = new([], null);

    /// <summary>Every piece as a query: the slices' predicates, then the direct part.</summary>
    public IEnumerable<Expression<Func<Case, bool>>> Parts() =>
        Direct is null ? Slices.Select(s => s.Predicate()) : Slices.Select(s => s.Predicate()).Append(Direct);

    public static async Task<TallyScope> OfAsync(OneGridDbContext db, Actor actor, CancellationToken ct)
    {
        var territorial = actor.Grants.Where(g => g.Role is not (Role.Courier or Role.DepartmentHandler)).Select(g => g.UnitCode).Distinct().ToList();
        var roots = territorial.Where(c => !territorial.Any(o => o != c && c.StartsWith(o, StringComparison.Ordinal))).ToList();
        bool Covered(string code) => roots.Any(r => code.StartsWith(r, StringComparison.Ordinal));

        var slices = new List<TallySlice>();
        var direct = new List<Expression<Func<Case, bool>>>();
        foreach (var root in roots)
        {
            if (TallySlice.LevelOf(root) is { } level) slices.Add(new TallySlice(level, root, ""));
            else if (root.Length < 6 && TallySlice.IsDigits(root))
            {
                // A city (3301): its districts, whose codes it prefixes.
                var districts = await db.Units.AsNoTracking().Where(u => u.Level == UnitLevel.District && u.Code.StartsWith(root))
                    .Select(u => u.Code).ToListAsync(ct);
                // A case's district is always one the territory holds (intake resolves it there).
                slices.AddRange(districts.Select(d => new TallySlice(TallyLevel.District, d, "")));
            }
            else direct.Add(CaseExpressions.Under(root));
        }
        // A community operator also handles what is sent to the community as a department, which lies inside it
        // (CaseWorkflow dispatches a community's matters only to the case's own community); any other unit is read directly.
        foreach (var unit in actor.Grants.Where(g => g.Role == Role.CommunityOperator && TallySlice.LevelOf(g.UnitCode) != TallyLevel.Community)
                     .Select(g => g.UnitCode).Distinct())
        {
            direct.Add(c => c.DepartmentCode == unit);
        }

        var departments = actor.Grants.Where(g => g.Role == Role.DepartmentHandler && g.DepartmentCode is not null && !Covered(g.UnitCode))
            .Select(g => (Department: g.DepartmentCode!, Unit: g.UnitCode)).Distinct().ToList();
        departments = departments.Where(d => !departments.Any(o => o != d && o.Department == d.Department &&
            d.Unit.StartsWith(o.Unit, StringComparison.Ordinal))).ToList();
        foreach (var (department, unit) in departments)
        {
            var level = TallySlice.LevelOf(unit);
            // A territorial root inside the department's unit would be counted twice by a slice: read those directly.
            var overlaps = roots.Any(r => r.StartsWith(unit, StringComparison.Ordinal));
            if (level is TallyLevel.District or TallyLevel.Street && !overlaps) slices.Add(new TallySlice(level.Value, unit, CaseTally.DepartmentDim(department)));
            else if (level is TallyLevel.Community) direct.Add(c => c.DepartmentCode == department && c.CommunityCode == unit);
            else direct.Add(c => c.DepartmentCode == department && c.GridCode.StartsWith(unit));
        }
        if (actor.UserId is { } me) direct.Add(c => c.ReporterId == me);

        Expression<Func<Case, bool>>? any = null;
        foreach (var d in direct) any = CaseExpressions.Or(any, d);
        if (any is not null && slices.Count > 0)
        {
            Expression<Func<Case, bool>>? covered = null;
            foreach (var s in slices) covered = CaseExpressions.Or(covered, s.Predicate());
            any = CaseExpressions.And(any, CaseExpressions.Not(covered!));
        }
        return new TallyScope(slices, any);
    }

    /// <summary>
    /// The part of this scope under <paramref name="unit"/> (the indicators' unit filter, a code prefix): a slice inside it
    /// stays, a slice around it becomes the unit's own slice where the tallies keep one, and anything else is read directly.
    /// </summary>
    public TallyScope Under(string unit)
    {
        var slices = new List<TallySlice>();
        var inUnit = CaseExpressions.Under(unit);
        var direct = Direct is null ? null : CaseExpressions.And(Direct, inUnit);
        foreach (var s in Slices)
        {
            if (s.Unit.StartsWith(unit, StringComparison.Ordinal)) slices.Add(s);
            else if (unit.StartsWith(s.Unit, StringComparison.Ordinal))
            {
                var level = TallySlice.LevelOf(unit);
                if (level is { } l && (s.Dim == "" || l != TallyLevel.Community)) slices.Add(new TallySlice(l, unit, s.Dim));
                else direct = CaseExpressions.Or(direct, CaseExpressions.And(s.Predicate(), inUnit));
            }
        }
        return new TallyScope(slices, direct);
    }
}

/// <summary>Predicates combined with one parameter, as EF needs them: the cases module's and the kernel's, plus a negation.</summary>
public static class CaseExpressions
{
    public static Expression<Func<Case, bool>> Or(Expression<Func<Case, bool>>? left, Expression<Func<Case, bool>> right) =>
        Workflows.WorkflowQueries.Or(left, right);

    public static Expression<Func<Case, bool>> And(Expression<Func<Case, bool>> left, Expression<Func<Case, bool>> right) =>
        CaseQueries.And(left, right);

    /// <summary>The cases under a unit, as the lists read them (<see cref="CaseQueries.Under"/>).</summary>
    public static Expression<Func<Case, bool>> Under(string unit) => CaseQueries.Under(unit);

    public static Expression<Func<Case, bool>> Not(Expression<Func<Case, bool>> e) => Expression.Lambda<Func<Case, bool>>(Expression.Not(e.Body), e.Parameters);
}
