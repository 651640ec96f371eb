using System.Globalization;
using System.Text.Json;
using OneGrid.Calendar;
using OneGrid.Catalog;
using OneGrid.Workflows;
using static OneGrid.Cases.Simulation.SimulationProfile;

namespace OneGrid.Cases.Simulation;

/// <summary>
/// One simulated case from its report to where it stands now: each step is an action of <see cref="CaseWorkflow"/> taken
/// after a delay in the phase's kind of time (log-normal, as a share of the phase's limit), with the same field changes and
/// the same timeline entry the live action writes; the phase clock is the kernel's <see cref="PhaseClock"/>; what the
/// deadline scan would have done meanwhile — the warning, the overdue flag, the owner's automatic escalation — is done at
/// the time the scan would have done it. The walk stops at the first step that would lie after now, so the newest cases
/// wait in every state and the old ones are mostly closed.
/// </summary>
internal sealed class CaseLifecycle(SimulationWorld world, DateTimeOffset now)
{
    private readonly PhaseClock _clock = new(world.Calendar, world.Options.WarnFraction);
    private readonly WorkingCalendar _calendar = world.Calendar;
    private readonly CaseOptions _options = world.Options;

    private const string SystemId = "system";
    private static readonly string SystemName = Workflows.DeadlineWorker.SystemActor.DisplayName!;

    // Probabilities of the branches of the loop (per decision).
    private const double RejectShare = 0.03, EscalateShare = 0.03, ReturnShare = 0.04, ReworkShare = 0.06, ReopenShare = 0.003;
    private const double ExtensionShare = 0.05, ExtensionGranted = 0.85, SuspensionShare = 0.015, SuspensionApproved = 0.85;
    private const double SuperviseOverdueShare = 0.3;

    private Case _c = null!;
    private List<CaseEvent> _events = null!;
    private Random _rng = null!;
    private SimRoute _route = null!;
    private SimGrid _grid = null!;
    private DateTimeOffset _last;

    /// <summary>Builds one case reported at <paramref name="reportedAt"/>; its timeline entries are appended to <paramref name="events"/>.</summary>
    public Case Build(Random rng, DateTimeOffset reportedAt, List<CaseEvent> events)
    {
        _rng = rng;
        _events = events;
        _grid = world.Grids[PickGrid()];
        var category = world.Categories[PickCategory()];
        _route = world.Route(category, _grid);
        var route = _route.Proposal;
        var (lon, lat) = world.PointIn(_grid, rng);

        var roll = rng.NextDouble();
        var kind = roll < GridWorkerShare ? ReporterKind.GridWorker
            : roll < GridWorkerShare + ResidentShare ? ReporterKind.Resident
            : roll < GridWorkerShare + ResidentShare + CourierShare ? ReporterKind.Courier : ReporterKind.ApiClient;
        var selfHandled = kind == ReporterKind.GridWorker && category.LimitKind == TimeLimitKind.WorkingHours && rng.NextDouble() < SelfHandledShare;
        var reporterName = kind == ReporterKind.ApiClient ? "12345热线" : PersonName();
        var road = Roads[(int)((uint)_grid.Code.GetHashCode(StringComparison.Ordinal) % (uint)Roads.Length + (uint)rng.Next(3)) % Roads.Length];
        var spot = Spots[rng.Next(Spots.Length)];
        var phrase = Phrases.TryGetValue(category.Code, out var phrases) ? phrases[rng.Next(phrases.Length)] : "发现" + category.Name + "问题";
        var place = rng.Next(3) switch
        {
            0 => _grid.Community.Name + spot,
            1 => road + (rng.Next(1, 400)).ToString(CultureInfo.InvariantCulture) + "号" + spot,
            _ => _grid.Community.Name + (rng.Next(1, 40)).ToString(CultureInfo.InvariantCulture) + "幢" + spot,
        };

        _c = new Case
        {
            Number = "",
            State = selfHandled ? CaseState.Handled : CaseState.Reported,
            Description = place + phrase + Urgency[rng.Next(Urgency.Length)],
            Address = _grid.District.Name + _grid.Street.Name + road + (rng.Next(1, 400)).ToString(CultureInfo.InvariantCulture) + "号",
            Lon = lon,
            Lat = lat,
            Cell = Case.CellOf(lon, lat),
            GridCode = _grid.Code,
            CommunityCode = _grid.Community.Code,
            StreetCode = _grid.Street.Code,
            DistrictCode = _grid.District.Code,
            CategoryCode = route.CategoryCode,
            PlatformCode = route.PlatformCode,
            ProposedDepartmentCode = route.DepartmentCode,
            RouteExplanation = route.StoredExplanation,
            RouteExplanationEn = route.ExplanationEn,
            OwningLevel = OwningLevel.Community,
            OwningUnitCode = _grid.Community.Code,
            ReporterKind = kind,
            ReporterName = reporterName,
            ReporterPhone = kind is ReporterKind.Resident or ReporterKind.Courier ? Phone() : null,
            SelfHandled = selfHandled,
            ReportedAt = reportedAt,
            HandledAt = selfHandled ? reportedAt : null,
            UpdatedAt = reportedAt,
            HandlingLimitHours = route.HandlingLimit?.TotalHours ?? _options.DefaultHandleHours,
            HandlingLimitKind = route.LimitKind,
        };
        _last = reportedAt;
        Add(selfHandled ? "report-self-handled" : "report", null, _c.State, null, reporterName, null,
            "{\"grid\":\"" + _grid.Code + _route.ReportData, touch: false);
        StartPhase(selfHandled ? Phase.Verify : Phase.Register, reportedAt);
        Walk();
        return _c;
    }

    private void Walk()
    {
        for (var steps = 0; ; steps++)
        {
            // Every branch moves the case on or ends the walk; a walk this long is a bug, not a history.
            if (steps > 200) throw new InvalidOperationException($"Case walk did not end: {_c.State} {_c.Phase} {_c.OwningLevel} due {_c.PhaseDueAt} last {_last} now {now}");
            switch (_c.State)
            {
                case CaseState.Reported:
                {
                    var at = After(0.2, 0.8);
                    if (Wait(at)) continue;
                    if (at > now) return;
                    if (_rng.NextDouble() < RejectShare)
                    {
                        Transition("reject", CaseState.Rejected, at, Owner(), Pick(RejectReasons));
                        StopPhase();
                        _c.ClosedAt = at;
                        return;
                    }
                    _c.RegisteredAt = at;
                    Transition("register", CaseState.Registered, at, Owner(), null, _route.RegisterData);
                    StartPhase(Phase.Dispatch, at);
                    break;
                }
                case CaseState.Registered:
                {
                    var at = After(0.25, 0.8);
                    if (Wait(at)) continue;
                    if (at > now) return;
                    if (_c.OwningLevel != OwningLevel.District && _c.EscalationCount == 0 && _rng.NextDouble() < EscalateShare)
                    {
                        Escalate(at, Owner(), Pick(EscalateReasons));
                        continue;
                    }
                    // A case sent back by a department is handled by its community (属地) the second time.
                    var department = _c.ReturnCount > 0 ? _c.CommunityCode : _route.Department;
                    _c.DepartmentCode = department;
                    _c.DispatchedAt = at;
                    Transition("dispatch", CaseState.Dispatched, at, Owner(), null,
                        department == _route.Department ? _route.DispatchData : "{\"department\":\"" + department + "\"}");
                    StartPhase(Phase.SignFor, at);
                    break;
                }
                case CaseState.Dispatched:
                {
                    var at = After(0.25, 0.8);
                    if (Wait(at)) continue;
                    if (at > now) return;
                    if (_c.ReturnCount == 0 && _rng.NextDouble() < ReturnShare)
                    {
                        var from = _c.DepartmentCode;
                        Transition("return", CaseState.Registered, at, Handler(), Pick(ReturnReasons), "{\"department\":\"" + from + "\"}");
                        _c.ReturnCount++;
                        _c.DepartmentCode = null;
                        StartPhase(Phase.Dispatch, at);
                        break;
                    }
                    Transition("sign", CaseState.InProgress, at, Handler(), null);
                    StartPhase(Phase.Handle, at);
                    break;
                }
                case CaseState.InProgress:
                    if (!Handle()) return;
                    break;
                case CaseState.Handled:
                {
                    var at = After(0.3, 0.8);
                    if (Wait(at)) continue;
                    if (at > now) return;
                    if (_c.ReworkCount < 2 && !_c.SelfHandled && _rng.NextDouble() < ReworkShare)
                    {
                        Transition("rework", CaseState.InProgress, at, Verifier(), Pick(ReworkReasons));
                        _c.ReworkCount++;
                        _c.HandledAt = null;
                        StartPhase(Phase.Handle, at);
                        break;
                    }
                    Transition("verify", CaseState.Closed, at, Verifier(), null);
                    _c.ClosedAt = at;
                    StopPhase();
                    break;
                }
                case CaseState.Closed:
                {
                    if (_c.ReopenCount == 0 && _rng.NextDouble() < ReopenShare)
                    {
                        var reopenAt = _c.ClosedAt!.Value + TimeSpan.FromHours(24 + _rng.NextDouble() * 24 * 9);
                        if (reopenAt > now) return;
                        Transition("reopen", CaseState.Registered, reopenAt, (null, _grid.District.Name + "指挥中心"), "群众反映问题复发");
                        _c.ReopenCount++;
                        _c.ClosedAt = null;
                        _c.DepartmentCode = null;
                        StartPhase(Phase.Dispatch, reopenAt);
                        break;
                    }
                    var rates = _c.ReporterKind switch
                    {
                        ReporterKind.Resident => 0.55,
                        ReporterKind.Courier => 0.3,
                        ReporterKind.ApiClient => 0.25,
                        _ => 0.1,
                    };
                    if (_rng.NextDouble() >= rates) return;
                    var rateAt = _c.ClosedAt!.Value + TimeSpan.FromHours(0.5 + _rng.NextDouble() * 72);
                    if (rateAt > now) return;
                    var r = _rng.NextDouble();
                    var rating = r < 0.6 ? 5 : r < 0.85 ? 4 : r < 0.93 ? 3 : r < 0.97 ? 2 : 1;
                    _c.Satisfaction = rating;
                    Record("rate", rateAt, (null, _c.ReporterName), null, "{\"rating\":" + rating.ToString(CultureInfo.InvariantCulture) + "}");
                    return;
                }
                default:
                    return;
            }
        }
    }

    /// <summary>
    /// The department works on the case: perhaps asks for more time or for it to wait, then hands in a result. The phase's
    /// limit is used up only while the clock runs, as the clock counts it. False when now comes first.
    /// </summary>
    private bool Handle()
    {
        var limit = TimeSpan.FromHours(_c.HandlingLimitHours);
        var kind = _c.PhaseLimitKind;
        var used = TimeSpan.Zero;
        var from = _last;
        DateTimeOffset Step(TimeSpan target)
        {
            var at = target > used ? _calendar.Add(from, target - used, kind) : from + TimeSpan.FromMinutes(5 + _rng.NextDouble() * 30);
            return Ms(at);
        }
        void Moved(DateTimeOffset at)
        {
            used += _calendar.Elapsed(from, at, kind);
            from = at;
        }

        if (_c.ExtendedHours == 0 && _rng.NextDouble() < ExtensionShare)
        {
            var askAt = Step(limit * (0.5 + _rng.NextDouble() * 0.4));
            if (Wait(askAt) || askAt > now) return false;
            var hours = (double)new[] { 4, 8, 16, 24, 40 }[_rng.Next(5)];
            _c.ExtensionRequestedHours = hours;
            Record(ClockActions.RequestExtension, askAt, Handler(), Pick(ExtensionReasons), "{\"hours\":" + Num(hours) + ",\"due\":" + Json(_c.PhaseDueAt) + "}");
            Moved(askAt);
            var decideAt = Step(used + TimeSpan.FromHours(0.2 + _rng.NextDouble() * 3));
            if (Wait(decideAt) || decideAt > now) return false;
            _c.ExtensionRequestedHours = null;
            if (_rng.NextDouble() < ExtensionGranted)
            {
                _clock.Extend(_c, hours, decideAt);
                Record(ClockActions.GrantExtension, decideAt, Owner(), null, "{\"hours\":" + Num(hours) + ",\"due\":" + Json(_c.PhaseDueAt) + "}");
                limit += TimeSpan.FromHours(hours);
            }
            else
            {
                Record(ClockActions.RefuseExtension, decideAt, Owner(), "请按时完成", "{\"hours\":" + Num(hours) + "}");
            }
            Moved(decideAt);
        }
        else if (!_c.EverSuspended && _rng.NextDouble() < SuspensionShare)
        {
            var askAt = Step(limit * (0.3 + _rng.NextDouble() * 0.5));
            if (Wait(askAt) || askAt > now) return false;
            _c.SuspensionRequested = true;
            Record(ClockActions.RequestSuspension, askAt, Handler(), Pick(SuspensionReasons), null);
            Moved(askAt);
            var decideAt = Step(used + TimeSpan.FromHours(0.2 + _rng.NextDouble() * 3));
            if (Wait(decideAt) || decideAt > now) return false;
            if (_rng.NextDouble() < SuspensionApproved)
            {
                PhaseClock.Suspend(_c, decideAt);
                Record(ClockActions.ApproveSuspension, decideAt, Owner(), null, "{\"due\":" + Json(_c.PhaseDueAt) + "}");
                var resumeAt = Ms(decideAt + TimeSpan.FromDays(2 + _rng.NextDouble() * 28));
                if (resumeAt > now) return false;
                var since = _c.SuspendedAt;
                _clock.Resume(_c, resumeAt);
                Record(ClockActions.Resume, resumeAt, Handler(), null, "{\"suspendedAt\":" + Json(since) + ",\"due\":" + Json(_c.PhaseDueAt) + "}");
                // The clock stood still: what was used before the suspension stays used, the wait does not count.
                from = resumeAt;
            }
            else
            {
                _c.SuspensionRequested = false;
                Record(ClockActions.RefuseSuspension, decideAt, Owner(), "请继续处置", null);
                Moved(decideAt);
            }
        }

        var handleAt = Step(limit * Fraction(0.35, 0.75));
        if (Wait(handleAt) || handleAt > now) return false;
        var result = Pick(HandlingResults);
        _c.HandlingResult = result;
        _c.HandledAt = handleAt;
        Transition("handle", CaseState.Handled, handleAt, Handler(), result, "{\"evidence\":[]}");
        StartPhase(Phase.Verify, handleAt);
        return true;
    }

    /// <summary>When the next action is taken: a log-normal share of the running phase's limit after the phase started.</summary>
    private DateTimeOffset After(double median, double sigma)
    {
        var limit = PhaseHours(_c.Phase);
        return Ms(_calendar.Add(_c.PhaseStartedAt ?? _last, TimeSpan.FromHours(limit * Fraction(median, sigma)), _c.PhaseLimitKind));
    }

    private double Fraction(double median, double sigma)
    {
        // Box–Muller: a standard normal from two uniforms.
        var z = Math.Sqrt(-2 * Math.Log(1 - _rng.NextDouble())) * Math.Cos(2 * Math.PI * _rng.NextDouble());
        return Math.Min(median * Math.Exp(sigma * z), 30);
    }

    /// <summary>
    /// What the deadline scan does before <paramref name="at"/> (and never after now): the warning and the overdue flag, and
    /// the automatic escalation of a report or registration nobody acted on in time. True when it escalated: the next
    /// action is then planned again, by the level above.
    /// </summary>
    private bool Wait(DateTimeOffset at)
    {
        var until = at < now ? at : now;
        if (_c.PhaseDueAt is not { } due || _c.SuspendedAt is not null) return false;
        if (!_c.PhaseWarned && _c.PhaseWarnAt is { } warn && warn <= until)
        {
            var flagAt = ScanTime(warn, until);
            _c.PhaseWarned = true;
            Record("deadline-warning", flagAt, (SystemId, SystemName), null, PhaseData());
        }
        if (!_c.PhaseOverdue && due <= until)
        {
            var flagAt = ScanTime(due, until);
            _c.PhaseWarned = _c.PhaseOverdue = _c.EverOverdue = true;
            Record("overdue", flagAt, (SystemId, SystemName), null, PhaseData());
            if (!_c.Supervised && _c.Phase == Phase.Handle && _rng.NextDouble() < SuperviseOverdueShare)
            {
                var superviseAt = ScanTime(flagAt + TimeSpan.FromHours(0.5 + _rng.NextDouble() * 6), until);
                if (superviseAt <= until && superviseAt >= flagAt)
                {
                    _c.Supervised = true;
                    Record("supervise", superviseAt, (null, _grid.District.Name + "领导"), "超期督办", null);
                }
            }
        }
        if (_c.PhaseOverdue && _c.OwningLevel != OwningLevel.District && _c.State is CaseState.Reported or CaseState.Registered
            && _options.AutoEscalatePhases.Contains(_c.Phase))
        {
            var escalateAt = ScanTime(_last + TimeSpan.FromSeconds(1), until);
            if (escalateAt > until || escalateAt < _last) return false;
            Escalate(escalateAt, (SystemId, SystemName), $"{_c.Phase} 超时自动上报");
            return true;
        }
        return false;
    }

    /// <summary>The scan runs every 30 s: a flag lands up to half a minute after its time, and never after the next action.</summary>
    private DateTimeOffset ScanTime(DateTimeOffset due, DateTimeOffset until)
    {
        var at = Ms(due + TimeSpan.FromSeconds(1 + _rng.NextDouble() * 29));
        if (at > until) at = until;
        return at < _last ? _last : at;
    }

    private void Escalate(DateTimeOffset at, (string? Id, string? Name) actor, string reason)
    {
        var from = _c.OwningLevel;
        _c.OwningLevel = from + 1;
        _c.OwningUnitCode = _c.OwningLevel == OwningLevel.Street ? _c.StreetCode : _c.DistrictCode;
        _c.EscalationCount++;
        _c.DepartmentCode = null;
        var data = "{\"from\":\"" + from + "\",\"to\":\"" + _c.OwningLevel + "\"}";
        if (_c.State == CaseState.Reported)
        {
            Transition("escalate", CaseState.Reported, at, actor, reason, data);
            StartPhase(Phase.Register, at);
            return;
        }
        _c.RegisteredAt ??= at;
        Transition("escalate", CaseState.Registered, at, actor, reason, data);
        StartPhase(Phase.Dispatch, at);
    }

    private double PhaseHours(Phase phase) => phase switch
    {
        Phase.Register => _options.RegisterHours,
        Phase.Dispatch => _options.DispatchHours,
        Phase.SignFor => _options.SignForHours,
        Phase.Handle => _c.HandlingLimitHours,
        Phase.Verify => _options.VerifyHours,
        _ => 0,
    };

    /// <summary>As <see cref="CaseWorkflow.StartPhase"/>: the phase's limit in the category's kind of time.</summary>
    private void StartPhase(Phase phase, DateTimeOffset at)
    {
        _c.Phase = phase;
        _clock.Start(_c, TimeSpan.FromHours(PhaseHours(phase)), _c.HandlingLimitKind, at);
    }

    private void StopPhase()
    {
        _c.Phase = Phase.None;
        PhaseClock.Stop(_c);
    }

    private string PhaseData() => "{\"phase\":\"" + _c.Phase + "\",\"due\":" + Json(_c.PhaseDueAt) + "}";

    private (string?, string?) Owner() => _c.OwningLevel switch
    {
        OwningLevel.Community => (null, _grid.Community.Name + "值班员"),
        OwningLevel.Street => (null, _grid.Street.Name + "派遣员"),
        _ => (null, _grid.District.Name + "指挥中心"),
    };

    private (string?, string?) Handler() => (null, _c.DepartmentCode == _route.Department ? _route.DepartmentName : _grid.Community.Name);

    private (string?, string?) Verifier() => (null, _rng.Next(2) == 0 ? _grid.Community.Name + "值班员" : _grid.Community.Name + "网格员");

    private void Transition(string action, CaseState to, DateTimeOffset at, (string? Id, string? Name) actor, string? note, string? data = null)
    {
        var from = _c.State;
        _c.State = to;
        Add(action, from, to, actor.Id, actor.Name, note, data, touch: true, at);
    }

    private void Record(string action, DateTimeOffset at, (string? Id, string? Name) actor, string? note, string? data) =>
        Add(action, _c.State, _c.State, actor.Id, actor.Name, note, data, touch: true, at);

    private void Add(string action, CaseState? from, CaseState to, string? actorId, string? actorName, string? note, string? data, bool touch,
        DateTimeOffset? when = null)
    {
        var at = when ?? _last;
        if (at < _last) at = _last;
        _last = at;
        if (touch)
        {
            _c.UpdatedAt = at;
            _c.Version++;
        }
        _events.Add(new CaseEvent
        {
            At = at, Action = action, FromState = from, ToState = to, ActorId = actorId, ActorName = actorName, Note = note, Data = data,
        });
    }

    private int PickGrid() => Pick(world.GridWeights, _rng);

    private int PickCategory() => Pick(world.CategoryWeights, _rng);

    /// <summary>An index drawn with the weights given as a running sum.</summary>
    private static int Pick(double[] cumulative, Random rng)
    {
        var x = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, x);
        i = i < 0 ? ~i : i + 1;
        return Math.Min(i, cumulative.Length - 1);
    }

    private string Pick(string[] options) => options[_rng.Next(options.Length)];

    private string PersonName() => Surnames[_rng.Next(Surnames.Length)] + GivenNames[_rng.Next(GivenNames.Length)];

    private string Phone() => "1" + "3578"[_rng.Next(4)] + _rng.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>Instants to the millisecond, as SQLite keeps them, so both databases hold the same history.</summary>
    private static DateTimeOffset Ms(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMillisecond, at.Offset);

    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Json(DateTimeOffset? at) => at is { } v ? JsonSerializer.Serialize(v) : "null";
}
