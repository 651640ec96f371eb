using System.Globalization;
using OneGrid.Workflows;

namespace OneGrid.Web.Components;

/// <summary>
/// What a person has typed into an action's fields (<see cref="ActionFields"/>), as the browser gives it: text. Turned
/// into the kernel's <see cref="WorkflowInputs"/> only on submit, so a half-typed number stays on screen and the
/// server's check names it rather than the page dropping it.
/// </summary>
public sealed class ActionValues
{
    private readonly Dictionary<string, string?> _text = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IReadOnlyList<string>> _files = new(StringComparer.OrdinalIgnoreCase);

    public string? Get(string name) => _text.GetValueOrDefault(name);

    public ActionValues Set(string name, string? value)
    {
        _text[name] = value;
        return this;
    }

    public bool Has(string name) => !string.IsNullOrWhiteSpace(Get(name)) || Files(name).Count > 0;

    /// <summary>Files the page has read and checked, as data: URIs (the API's way of passing them inline).</summary>
    public IReadOnlyList<string> Files(string name) => _files.GetValueOrDefault(name) ?? [];

    public void SetFiles(string name, IReadOnlyList<string> files) => _files[name] = files;

    /// <summary>
    /// The values as the engine takes them. A datetime-local or date field has no offset: it is read in the calendar's
    /// time zone (the one deadlines count in), never in the server's or with a fixed offset.
    /// </summary>
    public WorkflowInputs ToInputs(IReadOnlyList<ActionInput> inputs, TimeZoneInfo zone)
    {
        var result = new WorkflowInputs();
        foreach (var input in inputs)
        {
            if (input.Kind == InputKind.Files)
            {
                if (Files(input.Name) is { Count: > 0 } files) result.Set(input.Name, files);
                continue;
            }
            var text = Get(input.Name);
            if (string.IsNullOrWhiteSpace(text)) continue;
            object value = input.Kind switch
            {
                InputKind.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
                InputKind.DateTime when DateTime.TryParseExact(text, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var local) => InZone(local, zone),
                InputKind.Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", out var day) => InZone(day.ToDateTime(TimeOnly.MinValue), zone),
                // Unreadable as its kind: passed on as typed, so the engine's check names the field.
                _ => text,
            };
            result.Set(input.Name, value);
        }
        return result;
    }

    /// <summary>A wall-clock time in the zone as an instant.</summary>
    public static DateTimeOffset InZone(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    /// <summary>An instant as a datetime-local field shows it, in the zone.</summary>
    public static string ForField(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
}
