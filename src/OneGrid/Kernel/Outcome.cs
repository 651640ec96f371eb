using Microsoft.AspNetCore.Http.HttpResults;

namespace OneGrid.Kernel;

/// <summary>What a change should say in the audit log: the entity it touched and a one-line summary.</summary>
public sealed record AuditNote(string Entity, string Summary);

/// <summary>
/// The result of an operation shared by an endpoint and a page: a value (and, for a change, its audit
/// note), or the RFC 9457 problem the endpoint answers with and the page shows next to the field it names.
/// </summary>
public readonly record struct Outcome<T>(T? Value, ProblemHttpResult? Problem, AuditNote? Note = null)
{
    public bool Succeeded => Problem is null;

    public static implicit operator Outcome<T>(ProblemHttpResult problem) => new(default, problem);

    public static Outcome<T> Done(T value, AuditNote? note = null) => new(value, null, note);
}
