using System.Globalization;
using System.Text.Json;
using OneGrid.Kernel;

namespace OneGrid.Workflows;

/// <summary>
/// The values sent with an action, by input name: from an API body (JSON) or a page's form. The engine checks them
/// against the action's <see cref="ActionInput"/>s before anything changes, so an action's code reads values already
/// known to be present and well-formed.
/// </summary>
public sealed class WorkflowInputs
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.OrdinalIgnoreCase);

    public static WorkflowInputs Empty => new();

    public WorkflowInputs Set(string name, object? value)
    {
        _values[name] = value;
        return this;
    }

    public bool Has(string name) => _values.TryGetValue(name, out var v) && v switch
    {
        null => false,
        string s => !string.IsNullOrWhiteSpace(s),
        IReadOnlyCollection<string> l => l.Count > 0,
        _ => true,
    };

    /// <summary>The text, trimmed; null when absent or blank.</summary>
    public string? Text(string name) => _values.GetValueOrDefault(name) switch
    {
        string s when !string.IsNullOrWhiteSpace(s) => s.Trim(),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    public double? Number(string name) => _values.GetValueOrDefault(name) switch
    {
        double d => d,
        int i => i,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public DateTimeOffset? Time(string name) => _values.GetValueOrDefault(name) switch
    {
        DateTimeOffset t => t,
        DateTime t => new DateTimeOffset(t, TimeSpan.Zero),
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        _ => null,
    };

    public IReadOnlyList<string> List(string name) => _values.GetValueOrDefault(name) switch
    {
        IReadOnlyList<string> l => l,
        string s when !string.IsNullOrWhiteSpace(s) => [s],
        _ => [],
    };

    /// <summary>Reads a JSON object's members as inputs: strings, numbers, booleans (as text) and arrays of strings.</summary>
    public static WorkflowInputs FromJson(JsonElement body)
    {
        var inputs = new WorkflowInputs();
        if (body.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return inputs;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ProblemException(400, "invalid-request", "请求参数无效", "The request is invalid",
                Kernel.Text.Pick("请求体须为 JSON 对象", "The body must be a JSON object"));
        }
        foreach (var p in body.EnumerateObject())
        {
            inputs._values[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.TryGetDouble(out var d) ? d : null,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                JsonValueKind.Array => p.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                    ? e.GetString() ?? "" : throw ProblemException.Invalid(p.Name, $"{p.Name} 须为字符串数组", $"{p.Name} must be an array of strings")).ToList(),
                _ => throw ProblemException.Invalid(p.Name, $"{p.Name} 的类型不对", $"{p.Name} has the wrong type"),
            };
        }
        return inputs;
    }

    /// <summary>
    /// Checks the values an action takes: each required one present, text free of control characters and within its
    /// length, numbers and times readable and in range. Every faulty field is named at once (a form shows each message
    /// next to its field), the first one's message as the detail.
    /// </summary>
    public void Check(IReadOnlyList<ActionInput> specs)
    {
        var faults = new List<(string Field, string Zh, string En)>();
        foreach (var spec in specs)
        {
            if (Fault(spec) is { } f) faults.Add((spec.Name, f.Zh, f.En));
        }
        if (faults.Count == 0) return;
        throw new ProblemException(400, "invalid-request", "请求参数无效", "The request is invalid", Kernel.Text.Pick(faults[0].Zh, faults[0].En),
            new Dictionary<string, object?>
            {
                ["errors"] = faults.ToDictionary(f => f.Field, f => new[] { Kernel.Text.Pick(f.Zh, f.En) }),
            });
    }

    private (string Zh, string En)? Fault(ActionInput spec)
    {
        if (!Has(spec.Name))
        {
            if (!spec.Required) return null;
            return spec.Name == "reason" ? ("请填写原因", "Give a reason") : ($"请填写{spec.LabelZh}", $"{spec.LabelEn} is required");
        }
        switch (spec.Kind)
        {
            case InputKind.Text or InputKind.LongText or InputKind.Choice:
                if (_values[spec.Name] is not (string or double)) return ($"{spec.LabelZh}须为文字", $"{spec.LabelEn} must be text");
                var text = Text(spec.Name)!;
                if (InputText.Fault(spec.Name, text) is { } f) return (f.Zh, f.En);
                if (text.Length > spec.MaxLength) return ($"{spec.LabelZh}不能超过 {spec.MaxLength} 字", $"{spec.LabelEn} is longer than {spec.MaxLength} characters");
                return null;
            case InputKind.Number:
                if (Number(spec.Name) is not { } n || !double.IsFinite(n)) return ($"{spec.LabelZh}须为数字", $"{spec.LabelEn} must be a number");
                if (n < spec.Min || n > spec.Max)
                {
                    return ($"{spec.LabelZh}须在 {spec.Min:0.##} 到 {spec.Max:0.##} 之间", $"{spec.LabelEn} must be between {spec.Min:0.##} and {spec.Max:0.##}");
                }
                return null;
            case InputKind.DateTime or InputKind.Date:
                return Time(spec.Name) is null ? ($"{spec.LabelZh}须为日期时间（ISO 8601）", $"{spec.LabelEn} must be a date and time (ISO 8601)") : null;
            case InputKind.Files:
                foreach (var file in List(spec.Name))
                {
                    if (InputText.Fault(spec.Name, file) is { } ff) return (ff.Zh, ff.En);
                }
                return null;
            default:
                return null;
        }
    }
}
