using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Workflows;

/// <summary>
/// One entry of a workflow item's timeline (append-only): who, when, what, from which state to which. Each workflow keeps
/// its own table (case_events, dispute_events) with its own foreign key; the shape and its mapping are this one.
/// </summary>
public abstract class TimelineEvent<TState> where TState : struct, Enum
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public TState? FromState { get; set; }
    public TState ToState { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public string? Note { get; set; }
    /// <summary>Action details as JSON (unit chosen, deadline set, attachments…).</summary>
    public string? Data { get; set; }

    /// <summary>Takes what the kernel wrote (<see cref="TimelineWrite"/>) into this workflow's entry.</summary>
    public TEvent From<TEvent>(TimelineWrite e) where TEvent : TimelineEvent<TState>
    {
        At = e.At;
        FromState = e.FromState is null ? null : Enum.Parse<TState>(e.FromState);
        ToState = Enum.Parse<TState>(e.ToState);
        ActorId = e.ActorId;
        ActorName = e.ActorName;
        Note = e.Note;
        Data = e.Data;
        return (TEvent)this;
    }
}

public static class TimelineMapping
{
    /// <summary>The columns every timeline table shares; the caller adds its table, key to its item and indexes.</summary>
    public static EntityTypeBuilder<TEvent> MapTimeline<TEvent, TState>(this EntityTypeBuilder<TEvent> b)
        where TEvent : TimelineEvent<TState> where TState : struct, Enum
    {
        b.HasKey(e => e.Id);
        b.HasIndex(e => e.At);
        b.Property(e => e.Action).HasMaxLength(32);
        b.Property(e => e.FromState).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.ToState).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.ActorId).HasMaxLength(100);
        b.Property(e => e.ActorName).HasMaxLength(100);
        b.Property(e => e.Note).HasMaxLength(4000);
        return b;
    }
}
