using Microsoft.Extensions.Localization;
using OneGrid.Disputes;

namespace OneGrid.Web.Disputes;

/// <summary>
/// Words the dispute pages share (DisputeTerms.resx, DisputeTerms.en.resx): states, levels, risk, phases, transfer
/// kinds, party roles. An action's name comes from the workflow definition's title when it has one.
/// </summary>
public sealed class DisputeTerms
{
    public static string State(IStringLocalizer<DisputeTerms> l, DisputeState state) => l["State." + state];

    public static string State(IStringLocalizer<DisputeTerms> l, string? state) =>
        Enum.TryParse<DisputeState>(state, out var s) ? State(l, s) : state ?? "";

    public static string Level(IStringLocalizer<DisputeTerms> l, DisputeLevel level) => l["Level." + level];

    public static string Risk(IStringLocalizer<DisputeTerms> l, RiskLevel risk) => l["Risk." + risk];

    public static string Phase(IStringLocalizer<DisputeTerms> l, DisputePhase phase) => l["Phase." + phase];

    public static string Transfer(IStringLocalizer<DisputeTerms> l, string? kind) => kind is null ? "—" : Or(l["Transfer." + kind], kind);

    public static string Party(IStringLocalizer<DisputeTerms> l, string role) => Or(l["Party." + role], role);

    /// <summary>The action's title as the workflow declares it, else this page's word for it, else its name.</summary>
    public static string Action(IStringLocalizer<DisputeTerms> l, DisputeWorkflow? workflow, string action)
    {
        if (workflow?.Find(action) is { } a && OneGrid.Kernel.Text.Pick(a.TitleZh, a.TitleEn) is { Length: > 0 } title) return title;
        return Or(l["Action." + action], action);
    }

    public static bool IsOverdue(Dispute d, DateTimeOffset now) =>
        d.Phase != DisputePhase.None && d.SuspendedAt is null && (d.PhaseOverdue || d.PhaseDueAt <= now);

    public static bool IsWarned(Dispute d, DateTimeOffset now) =>
        d.Phase != DisputePhase.None && d.SuspendedAt is null && (d.PhaseWarned || d.PhaseWarnAt <= now);

    private static string Or(LocalizedString text, string fallback) => text.ResourceNotFound ? fallback : text.Value;
}
