namespace OneGrid.Disputes;

/// <summary>The dispute deadlines and limits, from the configuration section <c>Disputes</c>.</summary>
public sealed class DisputeOptions
{
    public const string Section = "Disputes";

    /// <summary>Accepting a registered dispute: one working day, in working hours.</summary>
    public double AcceptWorkingHours { get; set; } = 8;

    /// <summary>Mediation from acceptance to an outcome, in natural days (the People's Mediation practice).</summary>
    public double MediationDays { get; set; } = 30;

    /// <summary>Following an agreement up (回访), in working days of the calendar's working day.</summary>
    public double FollowUpWorkingDays { get; set; } = 15;

    public int SummaryMaxLength { get; set; } = 2000;

    public int MaxParties { get; set; } = 20;
}
