using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Kernel;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.Workflows;
using OneGrid.Persistence;
using static OneGrid.Tests.Cases.CaseWorld;

namespace OneGrid.Tests.Cases;

public sealed class CaseServiceTests : IAsyncLifetime
{
    private CaseWorld _world = null!;

    public async Task InitializeAsync() => _world = await CaseWorld.CreateAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<List<CaseEvent>> TimelineAsync(Case c) =>
        _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().CaseEvents.Where(e => e.CaseId == c.Id).OrderBy(e => e.Id).ToListAsync());

    private Task<int> CaseCountAsync() => _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().Cases.CountAsync());

    [Fact]
    public async Task A_report_goes_the_whole_loop_to_closed_with_a_timeline_entry_per_step()
    {
        var c = await _world.ReportAsync(GridWorker);
        Assert.Equal(CaseState.Reported, c.State);
        Assert.Matches(@"^BJ-20261124-\d{6}$", c.Number);
        Assert.Equal(Grid, c.GridCode);
        Assert.Equal(Community, c.CommunityCode);
        Assert.Equal(Street, c.StreetCode);
        Assert.Equal(Department, c.ProposedDepartmentCode);

        c = await _world.ActAsync(c, CaseActions.Register, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Dispatch, CommunityOperator);
        Assert.Equal(Department, c.DepartmentCode);
        c = await _world.ActAsync(c, CaseActions.Sign, Handler);
        c = await _world.ActAsync(c, CaseActions.Handle, Handler, new CaseActionRequest(Result: "垃圾已清运"));
        c = await _world.ActAsync(c, CaseActions.Verify, GridWorker);
        Assert.Equal(CaseState.Closed, c.State);
        c = await _world.ActAsync(c, CaseActions.Rate, GridWorker, new CaseActionRequest(Rating: 5));
        Assert.Equal(5, c.Satisfaction);

        var timeline = await TimelineAsync(c);
        Assert.Equal(["report", "register", "dispatch", "sign", "handle", "verify", "rate"], timeline.Select(e => e.Action).ToArray());
        Assert.Equal([CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled, CaseState.Closed, CaseState.Closed],
            timeline.Select(e => e.ToState).ToArray());
        Assert.Equal([null, CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled, CaseState.Closed],
            timeline.Select(e => e.FromState).ToArray());
        Assert.Equal("城管局处置员", timeline[3].ActorName);
    }

    /// <summary>Drives a new case to the given state along the ordinary path.</summary>
    private async Task<Case> CaseIn(CaseState state)
    {
        var c = await _world.ReportAsync(Everyone);
        if (state == CaseState.Reported) return c;
        if (state == CaseState.Rejected) return await _world.ActAsync(c, CaseActions.Reject, Everyone);
        c = await _world.ActAsync(c, CaseActions.Register, Everyone);
        if (state == CaseState.Registered) return c;
        c = await _world.ActAsync(c, CaseActions.Dispatch, Everyone);
        if (state == CaseState.Dispatched) return c;
        c = await _world.ActAsync(c, CaseActions.Sign, Everyone);
        if (state == CaseState.InProgress) return c;
        c = await _world.ActAsync(c, CaseActions.Handle, Everyone);
        if (state == CaseState.Handled) return c;
        return await _world.ActAsync(c, CaseActions.Verify, ActorFor(CaseActions.Verify));
    }

    /// <summary>
    /// Everyone, except for confirming a result: whoever could have handled it (Everyone holds the department's
    /// grant) may not, so the grid's own worker does.
    /// </summary>
    private static Actor ActorFor(string action) => action is CaseActions.Verify or CaseActions.Rework ? GridWorker : Everyone;

    // Every action in every state, by someone holding every post: allowed exactly where the closed loop says. (The
    // ordinary path dispatches to a department, after which the owning level no longer escalates; a case a community
    // dispatched to itself is in CaseApiTests.)
    public static TheoryData<CaseState, string, CaseState?> Transitions()
    {
        var expected = new Dictionary<(CaseState, string), CaseState>
        {
            [(CaseState.Reported, CaseActions.Register)] = CaseState.Registered,
            [(CaseState.Reported, CaseActions.Reject)] = CaseState.Rejected,
            [(CaseState.Reported, CaseActions.Supervise)] = CaseState.Reported,
            [(CaseState.Registered, CaseActions.Dispatch)] = CaseState.Dispatched,
            [(CaseState.Registered, CaseActions.Escalate)] = CaseState.Registered,
            [(CaseState.Registered, CaseActions.Supervise)] = CaseState.Registered,
            [(CaseState.Dispatched, CaseActions.Sign)] = CaseState.InProgress,
            [(CaseState.Dispatched, CaseActions.Return)] = CaseState.Registered,
            [(CaseState.Dispatched, CaseActions.Supervise)] = CaseState.Dispatched,
            [(CaseState.InProgress, CaseActions.Handle)] = CaseState.Handled,
            [(CaseState.InProgress, CaseActions.Supervise)] = CaseState.InProgress,
            [(CaseState.InProgress, ClockActions.RequestExtension)] = CaseState.InProgress,
            [(CaseState.InProgress, ClockActions.RequestSuspension)] = CaseState.InProgress,
            [(CaseState.Handled, CaseActions.Verify)] = CaseState.Closed,
            [(CaseState.Handled, CaseActions.Rework)] = CaseState.InProgress,
            [(CaseState.Handled, CaseActions.Supervise)] = CaseState.Handled,
            [(CaseState.Closed, CaseActions.Reopen)] = CaseState.Registered,
            [(CaseState.Closed, CaseActions.Rate)] = CaseState.Closed,
        };
        var data = new TheoryData<CaseState, string, CaseState?>();
        foreach (var state in Enum.GetValues<CaseState>())
        {
            foreach (var action in CaseActions.All)
            {
                // merge needs a second open case and unsupervise a supervised one: they have their own tests.
                if (action is CaseActions.Merge or CaseActions.Unsupervise) continue;
                data.Add(state, action, expected.TryGetValue((state, action), out var to) ? to : null);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task Every_action_in_every_state(CaseState state, string action, CaseState? expected)
    {
        var c = await CaseIn(state);
        var before = (await TimelineAsync(c)).Count;
        if (expected is { } to)
        {
            var after = await _world.ActAsync(c, action, ActorFor(action));
            Assert.Equal(to, after.State);
            Assert.Equal(before + 1, (await TimelineAsync(c)).Count);
        }
        else
        {
            var e = await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, action, ActorFor(action)));
            Assert.Equal(409, e.Status);
            Assert.Equal(state.ToString(), e.Extensions!["state"]);
            var allowed = Assert.IsAssignableFrom<IReadOnlyList<string>>(e.Extensions["allowedActions"]);
            Assert.DoesNotContain(action, allowed);
            Assert.Equal(before, (await TimelineAsync(c)).Count); // nothing written
        }
    }

    [Fact]
    public async Task Out_of_scope_people_cannot_see_and_in_scope_people_without_the_post_cannot_act()
    {
        var c = await _world.ReportAsync(GridWorker);
        // A sibling community's operator and another department do not even see it: 404, as for a missing case.
        foreach (var outsider in new[] { SiblingOperator, OtherHandler, OtherStreetDispatcher, Resident })
        {
            var e = await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Register, outsider));
            Assert.Equal(404, e.Status);
        }
        // The leader sees it but registering is the community's job: 403 naming what the leader can do.
        var forbidden = await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Register, Leader));
        Assert.Equal(403, forbidden.Status);
        Assert.Equal(["supervise"], (IReadOnlyList<string>)forbidden.Extensions!["allowedActions"]!);

        c = await _world.ActAsync(c, CaseActions.Register, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Dispatch, StreetDispatcher); // the street may dispatch for its communities
        // Only the department it was sent to signs for it.
        Assert.Equal(403, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Sign, CommunityOperator))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Sign, OtherHandler))).Status);
        c = await _world.ActAsync(c, CaseActions.Sign, Handler);
        c = await _world.ActAsync(c, CaseActions.Handle, Handler);
        // The department cannot verify its own work.
        Assert.Equal(403, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Verify, Handler))).Status);
        await _world.ActAsync(c, CaseActions.Verify, CommunityOperator);
    }

    [Fact]
    public async Task Escalation_goes_community_then_street_then_district_and_no_further()
    {
        var c = await _world.ReportAsync(GridWorker);
        c = await _world.ActAsync(c, CaseActions.Register, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Escalate, CommunityOperator, new CaseActionRequest(Reason: "社区无法处置"));
        Assert.Equal(OwningLevel.Street, c.OwningLevel);
        Assert.Equal(Street, c.OwningUnitCode);
        // The community no longer owns it.
        Assert.Equal(403, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Dispatch, CommunityOperator))).Status);
        c = await _world.ActAsync(c, CaseActions.Escalate, StreetDispatcher, new CaseActionRequest(Reason: "需区级协调"));
        Assert.Equal(OwningLevel.District, c.OwningLevel);
        Assert.Equal(District, c.OwningUnitCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Dispatch, StreetDispatcher))).Status);
        var top = await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Escalate, DistrictDispatcher));
        Assert.Equal(409, top.Status);
        c = await _world.ActAsync(c, CaseActions.Dispatch, DistrictDispatcher);
        Assert.Equal(CaseState.Dispatched, c.State);
    }

    [Fact]
    public async Task Return_rework_and_a_single_reopen()
    {
        var c = await CaseIn(CaseState.Dispatched);
        c = await _world.ActAsync(c, CaseActions.Return, Handler, new CaseActionRequest(Reason: "不属于本部门"));
        Assert.Equal(CaseState.Registered, c.State);
        Assert.Null(c.DepartmentCode);
        Assert.Equal(1, c.ReturnCount);

        c = await _world.ActAsync(c, CaseActions.Dispatch, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Sign, Handler);
        c = await _world.ActAsync(c, CaseActions.Handle, Handler);
        c = await _world.ActAsync(c, CaseActions.Rework, CommunityOperator, new CaseActionRequest(Reason: "仍有垃圾"));
        Assert.Equal(CaseState.InProgress, c.State);
        Assert.Equal(1, c.ReworkCount);
        c = await _world.ActAsync(c, CaseActions.Handle, Handler);
        c = await _world.ActAsync(c, CaseActions.Verify, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Reopen, Leader, new CaseActionRequest(Reason: "群众再次反映"));
        Assert.Equal(CaseState.Registered, c.State);
        c = await _world.ActAsync(c, CaseActions.Dispatch, CommunityOperator);
        c = await _world.ActAsync(c, CaseActions.Sign, Handler);
        c = await _world.ActAsync(c, CaseActions.Handle, Handler);
        c = await _world.ActAsync(c, CaseActions.Verify, CommunityOperator);
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Reopen, Leader))).Status);
    }

    [Theory]
    [InlineData(CaseActions.Reject, "reason")]
    [InlineData(CaseActions.Escalate, "reason")]
    public async Task Actions_that_need_a_reason_refuse_without_one(string action, string field)
    {
        var c = await CaseIn(action == CaseActions.Reject ? CaseState.Reported : CaseState.Registered);
        var e = await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, action, Everyone, new CaseActionRequest()));
        Assert.Equal(400, e.Status);
        Assert.Contains(field, ((Dictionary<string, string[]>)e.Extensions!["errors"]!).Keys);
        var unchanged = await _world.Cases(s => s.FindVisibleAsync(c.Id.ToString(), Everyone, false, default));
        Assert.Equal(c.State, unchanged!.State);
    }

    [Fact]
    public async Task Self_handled_reports_wait_for_the_community_to_verify()
    {
        var c = await _world.ReportAsync(GridWorker, selfHandled: true);
        Assert.Equal(CaseState.Handled, c.State);
        Assert.Equal(Phase.Verify, c.Phase);
        c = await _world.ActAsync(c, CaseActions.Verify, CommunityOperator);
        Assert.Equal(CaseState.Closed, c.State);

        var e = await Assert.ThrowsAsync<ProblemException>(() => _world.ReportAsync(Resident, selfHandled: true));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task A_second_report_nearby_is_proposed_as_duplicate_and_merges_into_the_first()
    {
        var first = await _world.ReportAsync(GridWorker);
        var nearby = (_world.InsideGrid.Lon + 0.0001, _world.InsideGrid.Lat); // about 10 m east
        var outcome = await _world.Cases(s => s.ReportAsync(new ReportRequest(nearby.Item1, nearby.Item2, "又看到一堆垃圾", "0102", null, null),
            Resident, ReporterKind.Resident, null, "h2", default));
        var duplicate = Assert.Single(outcome.PossibleDuplicates);
        Assert.Equal(first.Number, duplicate.Number);
        Assert.InRange(duplicate.DistanceMeters, 5, 15);

        var merged = await _world.ActAsync(outcome.Case, CaseActions.Merge, CommunityOperator, new CaseActionRequest(DuplicateOf: first.Number));
        Assert.Equal(CaseState.Rejected, merged.State);
        Assert.Equal(first.Id, merged.MergedIntoId);
        Assert.Contains(await TimelineAsync(first), e => e.Action == "merged-in" && e.Note == outcome.Case.Number);

        // Another category, or far away, is not a duplicate.
        var far = await _world.Cases(s => s.ReportAsync(new ReportRequest(_world.InsideGrid.Lon + 0.002, _world.InsideGrid.Lat, "垃圾", "0102", null, null),
            Resident, ReporterKind.Resident, null, "h3", default));
        Assert.DoesNotContain(far.PossibleDuplicates, d => d.Id == first.Id);
    }

    [Fact]
    public async Task A_retried_report_with_the_same_idempotency_key_is_one_case()
    {
        var a = await _world.ReportAsync(GridWorker, key: "k-1");
        var b = await _world.ReportAsync(GridWorker, key: "k-1");
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.Number, b.Number);
        Assert.Equal(1, await CaseCountAsync());

        var e = await Assert.ThrowsAsync<ProblemException>(() => _world.ReportAsync(GridWorker, key: "k-1", description: "别的事"));
        Assert.Equal(422, e.Status);
        // Keys are per reporter: another person's key of the same text is another report.
        await _world.ReportAsync(CommunityOperator, key: "k-1");
        Assert.Equal(2, await CaseCountAsync());
    }

    [Fact]
    public async Task Bad_reports_are_refused_and_nothing_is_written()
    {
        var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        var text = Convert.ToBase64String("hello, I am not a picture"u8.ToArray());
        var cases = new (ReportRequest Request, int Status, string Field)[]
        {
            (new(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "  ", null, null, null), 400, "description"),
            (new(null, _world.InsideGrid.Lat, "垃圾", null, null, null), 400, "lon"),
            (new(_world.InsideGrid.Lon, 91, "垃圾", null, null, null), 400, "lat"),
            (new(0, 0, "垃圾", null, null, null), 422, "lon"),
            (new(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "垃圾", "9999", null, null), 400, "categoryCode"),
            (new(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "垃圾", null, null, ["data:image/png;base64," + text]), 400, "photos"),
            (new(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "垃圾", null, null, ["not a photo"]), 400, "photos"),
            (new(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "垃圾", null, null, [new string('a', 64)]), 400, "photos"),
        };
        foreach (var (request, status, field) in cases)
        {
            var e = await Assert.ThrowsAsync<ProblemException>(() =>
                _world.Cases(s => s.ReportAsync(request, Resident, ReporterKind.Resident, null, "x", default)));
            Assert.Equal(status, e.Status);
            Assert.Contains(field, ((Dictionary<string, string[]>)e.Extensions!["errors"]!).Keys);
        }
        Assert.Equal(0, await CaseCountAsync());

        // A real PNG header is accepted and stored by its hash.
        var ok = await _world.ReportAsync(Resident, photos: ["data:image/png;base64," + png]);
        var attachment = await _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().CaseAttachments.SingleAsync(a => a.CaseId == ok.Id));
        Assert.Equal("image/png", attachment.ContentType);
        Assert.Equal(64, attachment.Sha256.Length);
    }

    [Fact]
    public async Task Supervision_flags_and_unflags()
    {
        var c = await _world.ReportAsync(GridWorker);
        c = await _world.ActAsync(c, CaseActions.Supervise, Leader);
        Assert.True(c.Supervised);
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => _world.ActAsync(c, CaseActions.Supervise, Leader))).Status);
        c = await _world.ActAsync(c, CaseActions.Unsupervise, Leader);
        Assert.False(c.Supervised);
    }

    [Fact]
    public async Task Deadlines_warn_at_80_percent_then_go_overdue_and_escalate_once()
    {
        var c = await _world.ReportAsync(GridWorker);
        Assert.Equal(Phase.Register, c.Phase);
        Assert.Equal(c.ReportedAt.AddHours(1), c.PhaseDueAt);
        Assert.Equal(c.ReportedAt.AddMinutes(48), c.PhaseWarnAt);

        Task<int> Scan() => _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default));
        _world.Clock.Advance(TimeSpan.FromMinutes(47));
        Assert.Equal(0, await Scan());
        _world.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await Scan());
        Assert.Equal(0, await Scan()); // warned once

        _world.Clock.Advance(TimeSpan.FromMinutes(12));
        Assert.Equal(2, await Scan()); // overdue, then escalated to the street
        var now = await _world.Cases(s => s.FindVisibleAsync(c.Id.ToString(), Everyone, false, default));
        Assert.Equal(OwningLevel.Street, now!.OwningLevel);
        Assert.True(now.EverOverdue);
        // Nobody registered it: it goes up as a report, for the street to register, on the street's own clock.
        Assert.Equal(CaseState.Reported, now.State);
        Assert.Null(now.RegisteredAt);
        Assert.Equal(Phase.Register, now.Phase);
        Assert.Equal(0, await Scan());
        Assert.Equal(["report", "deadline-warning", "overdue", "escalate"], (await TimelineAsync(c)).Select(e => e.Action).ToArray());
    }

    [Fact]
    public async Task An_overdue_courier_report_is_registered_by_the_level_above_with_the_category_check_and_the_courier_credit()
    {
        var courierId = await _world.InScope(async sp =>
        {
            var db = sp.GetRequiredService<OneGridDbContext>();
            var row = new Courier { Name = "逾期测试骑手", Phone = "13900000000", StreetCodes = Street, CreatedAt = _world.Clock.GetUtcNow() };
            db.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        var courier = new Actor(Actor.CourierIdPrefix + courierId, "逾期测试骑手", "逾期测试骑手", [new Grant(Role.Courier, Street)]);
        Task<int> Credit() => _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().Couriers.Where(x => x.Id == courierId).Select(x => x.CreditPoints).SingleAsync());
        var c = await _world.Cases(async s => (await s.ReportAsync(
            new ReportRequest(_world.InsideGrid.Lon, _world.InsideGrid.Lat, "路边有暴露垃圾", "0102", null, null), courier, ReporterKind.Courier,
            null, CaseService.HashBody("路边有暴露垃圾"), null, CancellationToken.None)).Case);

        _world.Clock.Advance(TimeSpan.FromHours(2));
        await _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default));
        var escalated = await _world.Cases(s => s.FindVisibleAsync(c.Id.ToString(), Everyone, false, default));
        Assert.Equal((OwningLevel.Street, CaseState.Reported), (escalated!.OwningLevel, escalated.State));
        Assert.Equal(0, await Credit()); // escalating is not registering

        // The street registers it, through the category check (an unknown category is refused), and the courier earns the credit then.
        var unknown = await Assert.ThrowsAsync<ProblemException>(() =>
            _world.ActAsync(escalated, CaseActions.Register, StreetDispatcher, new CaseActionRequest(CategoryCode: "9999")));
        Assert.Equal(400, unknown.Status);
        var registered = await _world.ActAsync(escalated, CaseActions.Register, StreetDispatcher, new CaseActionRequest(CategoryCode: "0102"));
        Assert.Equal(CaseState.Registered, registered.State);
        Assert.Equal(1, await Credit());
    }

    [Fact]
    public async Task A_case_flagged_overdue_by_a_node_that_stopped_before_escalating_is_escalated_by_the_next_scan()
    {
        var c = await _world.ReportAsync(GridWorker);
        _world.Clock.Advance(TimeSpan.FromHours(2));
        // What the overdue claim commits, without the escalation that would have followed it.
        await _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().Cases.Where(x => x.Id == c.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.PhaseWarned, true).SetProperty(x => x.PhaseOverdue, true).SetProperty(x => x.EverOverdue, true)));

        Assert.Equal(1, await _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)));
        var now = await _world.Cases(s => s.FindVisibleAsync(c.Id.ToString(), Everyone, false, default));
        Assert.Equal(OwningLevel.Street, now!.OwningLevel);
        Assert.False(now.PhaseOverdue);
        Assert.Equal(["report", "escalate"], (await TimelineAsync(c)).Select(e => e.Action).ToArray());
        Assert.Equal(0, await _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)));
    }

    [Fact]
    public async Task Two_deadline_scanners_at_once_apply_each_change_once()
    {
        for (var i = 0; i < 5; i++) await _world.ReportAsync(GridWorker, at: (_world.InsideGrid.Lon, _world.InsideGrid.Lat));
        _world.Clock.Advance(TimeSpan.FromHours(2));
        var results = await Task.WhenAll(
            _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)),
            _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)));
        var events = await _world.InScope(sp => sp.GetRequiredService<OneGridDbContext>().CaseEvents.Where(e => e.Action != "report").ToListAsync());
        Assert.Equal(5, events.Count(e => e.Action == "overdue"));
        Assert.Equal(5, events.Count(e => e.Action == "escalate"));
        Assert.Equal(5, events.Count(e => e.Action == "deadline-warning"));
        Assert.Equal(15, results.Sum());
    }
}
