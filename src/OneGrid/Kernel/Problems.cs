using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OneGrid.Kernel;

/// <summary>RFC 9457 problem details with a stable type URI and a message in the caller's language.</summary>
public static class Problems
{
    public const string TypeBase = "https://onegrid.dev/problems/";

    public static ProblemHttpResult Create(int status, string type, string titleZh, string titleEn,
        string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeBase + type,
            Title = Text.Pick(titleZh, titleEn),
            Detail = detail,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult BadRequest(string type, string titleZh, string titleEn, string? detail = null,
        IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status400BadRequest, type, titleZh, titleEn, detail, extensions);

    public static ProblemHttpResult NotFound(string type, string titleZh, string titleEn, string? detail = null,
        IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status404NotFound, type, titleZh, titleEn, detail, extensions);

    /// <summary>One invalid query or body field, reported the way ASP.NET's validation problems are: errors by field name.</summary>
    public static ProblemHttpResult InvalidField(string field, string messageZh, string messageEn) =>
        BadRequest("invalid-request", "请求参数无效", "The request is invalid",
            Text.Pick(messageZh, messageEn),
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [Text.Pick(messageZh, messageEn)] } });
}

/// <summary>
/// The one error type of the modules' application services: a broken rule carrying the RFC 9457 problem an endpoint
/// answers with (<see cref="ToResult"/>) and a page shows in the user's language.
/// </summary>
public sealed class ProblemException(int status, string type, string titleZh, string titleEn, string? detail = null,
    IDictionary<string, object?>? extensions = null) : Exception(titleEn)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string TitleZh { get; } = titleZh;
    public string TitleEn { get; } = titleEn;
    public string? Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>Refuses text carrying a control character (see <see cref="InputText"/>), naming the field.</summary>
    public static void RefuseControls(string field, string? text)
    {
        if (InputText.Fault(field, text) is { } f) throw Invalid(field, f.Zh, f.En);
    }

    public static ProblemException Invalid(string field, string zh, string en) =>
        new(400, "invalid-request", "请求参数无效", "The request is invalid", Text.Pick(zh, en),
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [Text.Pick(zh, en)] } });

    /// <summary>The problem details an endpoint answers with.</summary>
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToResult() => Problems.Create(Status, Type, TitleZh, TitleEn, Detail, Extensions);
}
