using Microsoft.AspNetCore.Http.HttpResults;
using OneGrid.Access;
using OneGrid.Kernel;

namespace OneGrid.Web;

/// <summary>
/// A service's RFC 9457 problem as a form shows it: the messages of the fields it names (shown next to those
/// fields) and, when it names none, one message for the top of the form. The texts are the problem's own,
/// already in the circuit's language.
/// </summary>
public sealed class FormProblem
{
    private readonly Dictionary<string, string[]> _fields;

    private FormProblem(string? message, Dictionary<string, string[]> fields)
    {
        Message = message;
        _fields = fields;
    }

    /// <summary>The message for the top of the form, or null when every message belongs to a field.</summary>
    public string? Message { get; }

    public ProblemHttpResult? Source { get; private init; }

    public IReadOnlyDictionary<string, string[]> Fields => _fields;

    public string? For(string field) => _fields.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public static FormProblem Of(string message) => new(message, []);

    public static FormProblem From(ProblemHttpResult problem)
    {
        var details = problem.ProblemDetails;
        var fields = details.Extensions.TryGetValue("errors", out var errors) && errors is IDictionary<string, string[]> map
            ? new Dictionary<string, string[]>(map, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        var message = fields.Count > 0 ? null
            : string.IsNullOrEmpty(details.Detail) ? details.Title : $"{details.Title}：{details.Detail}".Replace("：", Text.IsEnglish ? ": " : "：");
        return new FormProblem(message, fields) { Source = problem };
    }
}

/// <summary>Recording what the administration pages change, as the API's audit middleware does for requests.</summary>
public static class UiAudit
{
    public static Task AuditAsync(this UiSession session, Actor actor, string path, AuditNote? note) =>
        note is null ? Task.CompletedTask : session.AuditAsync(actor, "POST", path, note.Entity, note.Summary);
}
